/** Routes interactions: slash commands, autocomplete, the 👍 / 👎 / Sources buttons and the paper pick buttons. */
import { MessageFlags, type ButtonInteraction, type Interaction } from 'discord.js';
import { NO_MENTIONS } from './client.js';
import type { SlashCommand } from './commands/index.js';
import type { BotContext } from './context.js';
import { openPickedPaper, parsePickId } from './paper-picks.js';
import { parseCustomId, renderSourcesList } from './render/answer.js';
import { reportInteractionError, replyEphemeral, safely } from './respond.js';

const STOPPING = 'The bot is restarting. Please try again in a minute.';

export function createInteractionHandler(ctx: BotContext, commands: Map<string, SlashCommand>): (i: Interaction) => Promise<void> {
  return async (i) => {
    const meta: Record<string, unknown> = { interactionId: i.id, userId: i.user.id, guildId: i.guildId, channelId: i.channelId };
    try {
      if (i.isAutocomplete()) {
        const cmd = commands.get(i.commandName);
        if (ctx.stopping || !cmd?.autocomplete) return void (await safely(ctx.logger, 'autocomplete', () => i.respond([])));
        await cmd.autocomplete(i, ctx);
        return;
      }
      if (i.isChatInputCommand()) {
        meta.command = i.commandName;
        if (ctx.stopping) return replyEphemeral(i, STOPPING, ctx.logger);
        const cmd = commands.get(i.commandName);
        if (!cmd) return replyEphemeral(i, `Unknown command /${i.commandName}. Try /help.`, ctx.logger);
        ctx.logger.debug('command', meta);
        await cmd.execute(i, ctx);
        return;
      }
      if (i.isButton()) {
        meta.customId = i.customId;
        if (ctx.stopping) return replyEphemeral(i, STOPPING, ctx.logger);
        await handleButton(ctx, i);
      }
    } catch (err) {
      if (i.isRepliable()) await reportInteractionError(ctx, i, err, meta);
      else ctx.logger.error('interaction failed', { ...meta, err });
    }
  };
}

async function handleButton(ctx: BotContext, i: ButtonInteraction): Promise<void> {
  const pick = parsePickId(i.customId);
  if (pick) return openPickedPaper(i, ctx, pick);
  const action = parseCustomId(i.customId);
  if (!action) return replyEphemeral(i, 'That button is no longer supported.', ctx.logger);
  if (action.kind === 'feedback') {
    const record = await ctx.store.getAnswer(action.answerId);
    const write = ctx.store.recordVote({
      answerId: action.answerId,
      question: record?.question ?? null,
      userId: i.user.id,
      vote: action.vote,
      ...(i.guildId ? { guildId: i.guildId } : {}),
      channelId: i.channelId,
    });
    // The vote is on disk before we say thanks; if the disk is slow, acknowledge first.
    const onTime = await Promise.race([write.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 1500).unref())]);
    if (!onTime) await i.deferReply({ flags: MessageFlags.Ephemeral });
    const outcome = await write;
    const emoji = (v: 'up' | 'down') => (v === 'up' ? '👍' : '👎');
    if (outcome.status !== 'same') ctx.stats.feedback++;
    ctx.logger.info('feedback', {
      answerId: action.answerId,
      vote: action.vote,
      status: outcome.status,
      userId: i.user.id,
      known: Boolean(record),
    });
    const thanks =
      outcome.status === 'same'
        ? `You already gave this answer a ${emoji(action.vote)}; it counts once.`
        : outcome.status === 'changed'
          ? `Your vote is now ${emoji(action.vote)} (it replaces your ${emoji(outcome.previous!)}).`
          : action.vote === 'up'
            ? 'Thanks for the 👍: your feedback was recorded.'
            : 'Thanks for the 👎: your feedback was recorded and helps us improve the answers.';
    return replyEphemeral(i, thanks, ctx.logger);
  }
  const record = await ctx.store.getAnswer(action.answerId);
  if (!record) return replyEphemeral(i, 'I no longer have the sources for that answer.', ctx.logger);
  const parts = renderSourcesList(record);
  await i.reply({ content: parts[0], flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  for (const p of parts.slice(1)) {
    if (
      !(await safely(ctx.logger, 'sources follow-up', () =>
        i.followUp({ content: p, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }),
      ))
    )
      break;
  }
}
