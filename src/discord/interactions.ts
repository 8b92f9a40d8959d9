/** Routes interactions: slash commands, autocomplete, the 👍 / 👎 / Sources buttons, the 👎 form and the paper pick buttons. */
import { MessageFlags, type ButtonInteraction, type Interaction, type ModalSubmitInteraction, type RepliableInteraction } from 'discord.js';
import { NO_MENTIONS } from './client.js';
import type { SlashCommand } from './commands/index.js';
import type { BotContext } from './context.js';
import { NOTE_INPUT_ID, noteModal, parseNoteModalId } from './feedback-modal.js';
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
        return;
      }
      if (i.isModalSubmit()) {
        meta.customId = i.customId;
        if (ctx.stopping) return replyEphemeral(i, STOPPING, ctx.logger);
        await handleNoteForm(ctx, i);
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
  if (action.kind === 'feedback' && action.vote === 'down') return askWhatWasWrong(ctx, i, action.answerId);
  if (action.kind === 'feedback') {
    const outcome = await ackWhenWritten(i, castVote(ctx, i, action.answerId, action.vote));
    const emoji = (v: 'up' | 'down') => (v === 'up' ? '👍' : '👎');
    const thanks =
      outcome.status === 'same'
        ? `You already gave this answer a ${emoji(action.vote)}; it counts once.`
        : outcome.status === 'changed'
          ? `Your vote is now ${emoji(action.vote)} (it replaces your ${emoji(outcome.previous!)}).`
          : 'Thanks for the 👍: your feedback was recorded.';
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

/** Wait for a write before saying thanks, so acknowledged means on disk; if the disk is slow, acknowledge first. */
async function ackWhenWritten<T>(i: RepliableInteraction, write: Promise<T>): Promise<T> {
  const onTime = await Promise.race([write.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 1500).unref())]);
  if (!onTime) await i.deferReply({ flags: MessageFlags.Ephemeral });
  return write;
}

/**
 * 👎: record the vote and open the form asking what was wrong. The form is the interaction's one
 * response and must leave within Discord's 3 s, so the vote's disk write runs beside it rather than
 * before it; a form the user dismisses leaves the vote in place.
 */
async function askWhatWasWrong(ctx: BotContext, i: ButtonInteraction, answerId: string): Promise<void> {
  void ctx
    .track(castVote(ctx, i, answerId, 'down'))
    .catch((err) => ctx.logger.error('could not record a 👎', { answerId, userId: i.user.id, err }));
  await i.showModal(noteModal(answerId));
}

/** Record a button vote (the store fills in the question), count it unless it repeats one, and log it. */
async function castVote(ctx: BotContext, i: ButtonInteraction, answerId: string, vote: 'up' | 'down') {
  const outcome = await ctx.store.recordVote({
    answerId,
    userId: i.user.id,
    vote,
    ...(i.guildId ? { guildId: i.guildId } : {}),
    channelId: i.channelId,
  });
  if (outcome.status !== 'same') ctx.stats.feedback++;
  ctx.logger.info('feedback', { answerId, vote, status: outcome.status, userId: i.user.id, known: ctx.store.hasAnswer(answerId) });
  return outcome;
}

/** The 👎 form was submitted: store the note with the user's vote and say so privately. */
async function handleNoteForm(ctx: BotContext, i: ModalSubmitInteraction): Promise<void> {
  const answerId = parseNoteModalId(i.customId);
  if (!answerId) return replyEphemeral(i, 'That form is no longer supported.', ctx.logger);
  let text = '';
  try {
    text = i.fields.getTextInputValue(NOTE_INPUT_ID);
  } catch {
    // a form without the note field says nothing
  }
  const where = { ...(i.guildId ? { guildId: i.guildId } : {}), ...(i.channelId ? { channelId: i.channelId } : {}) };
  // The click recorded the 👎; should that write have failed, the form still stands for one.
  const vote = ctx.store.currentVote(answerId, i.user.id)
    ? undefined
    : ctx.store.recordVote({ answerId, userId: i.user.id, vote: 'down', ...where });
  const saved = await ackWhenWritten(
    i,
    Promise.all([vote, ctx.store.saveNote({ answerId, userId: i.user.id, note: text, ...where })]).then(([, note]) => note),
  );
  ctx.logger.info('feedback note', { answerId, userId: i.user.id, chars: saved ? [...saved.note].length : 0 });
  return replyEphemeral(
    i,
    saved
      ? 'Thanks: your note was saved with your 👎 and helps us improve the answers.'
      : 'Thanks for the 👎: your vote was recorded (no note).',
    ctx.logger,
  );
}
