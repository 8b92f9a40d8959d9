/** /ask question:<text> [private:<bool>] — a cited answer; public answers open a thread for follow-ups. */
import { ChannelType, SlashCommandBuilder, ThreadAutoArchiveDuration } from 'discord.js';
import { cleanQuestion } from '../../answer/engine.js';
import { computeAnswer } from '../services/answers.js';
import { isAnswerThread, threadHistory } from '../history.js';
import { runAnswer } from '../pipeline.js';
import { threadNameFor } from '../render/text.js';
import { admitAndDefer, interactionTarget, safely } from '../respond.js';
import { dateFilter, dateOption } from './date-options.js';
import type { SlashCommand } from './types.js';

export const ask: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Ask a question; get an answer with citations from the paper corpus')
    .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(1500))
    .addBooleanOption((o) => o.setName('private').setDescription('Only you see the answer (no thread)'))
    .addStringOption((o) => dateOption(o, 'from'))
    .addStringOption((o) => dateOption(o, 'to')),

  async execute(i, ctx) {
    const isPrivate = i.options.getBoolean('private') ?? false;
    // Cheap, synchronous checks first: a refusal is itself the acknowledgement.
    const question = cleanQuestion(i.options.getString('question', true));
    const filter = dateFilter(i);
    const ticket = await admitAndDefer(i, ctx, isPrivate);
    if (!ticket) return;
    const channel = i.channel;
    const inThread = isAnswerThread(ctx, channel);
    const past = inThread ? await threadHistory(ctx, channel).catch(() => undefined) : undefined;
    const history = past?.turns;
    const { record, messages } = await runAnswer(
      ctx,
      interactionTarget(i, { ephemeral: isPrivate, logger: ctx.logger }),
      ticket,
      (onPreview) =>
        computeAnswer(ctx, {
          question,
          kind: inThread ? 'followup' : 'ask',
          history,
          ...(past ? { thread: past.records } : {}),
          filter,
          userId: i.user.id,
          guildId: i.guildId ?? undefined,
          channelId: i.channelId,
          ...(inThread ? { threadId: channel.id } : {}),
          onPreview,
        }),
    );
    // Public answers in a text channel get a thread for follow-up questions.
    const first = messages[0];
    if (isPrivate || !first || !i.inGuild() || channel?.type !== ChannelType.GuildText) return;
    const thread = await safely(ctx.logger, 'start answer thread', () =>
      first.startThread({ name: threadNameFor(record.question), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay }),
    );
    if (thread) {
      await ctx.store
        .linkAnswer(record.answerId, { threadId: thread.id })
        .catch((err) => ctx.logger.warn('could not link thread', { err }));
      ctx.logger.info('answer thread opened', { answerId: record.answerId, threadId: thread.id });
    }
  },
};
