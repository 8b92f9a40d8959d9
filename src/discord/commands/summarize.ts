/**
 * /summarize [topic:<text>] — themed summary of a topic; inside an answer thread without a topic,
 * a recap of that thread's questions and answers with their citations.
 */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { buildThreadRecap } from '../services/recap.js';
import { cleanQuestion } from '../../answer/engine.js';
import { computeSummary } from '../services/answers.js';
import { isAnswerThread, threadHistory } from '../history.js';
import { runAnswer } from '../pipeline.js';
import { threadRecords } from '../thread-records.js';
import { renderAnswer } from '../render/answer.js';
import { admitAndDefer, interactionTarget, replyEphemeral } from '../respond.js';
import type { SlashCommand } from './types.js';

export const summarize: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('summarize')
    .setDescription('Summarize what the corpus says about a topic (in an answer thread: recap the thread)')
    .addStringOption((o) => o.setName('topic').setDescription('Topic to summarize (leave empty inside an answer thread)').setMaxLength(500))
    .addBooleanOption((o) => o.setName('private').setDescription('Only you see the summary')),

  async execute(i, ctx) {
    const topicRaw = i.options.getString('topic')?.trim();
    const isPrivate = i.options.getBoolean('private') ?? false;
    const channel = i.channel;
    if (!topicRaw) {
      if (!isAnswerThread(ctx, channel)) {
        return replyEphemeral(
          i,
          'Please give a topic, e.g. `/summarize topic: long-context attention`. (Inside an answer thread, `/summarize` without a topic recaps the thread.)',
          ctx.logger,
        );
      }
      await i.deferReply(isPrivate ? { flags: MessageFlags.Ephemeral } : {});
      // Every record of the thread, as a follow-up sees them, so the recap's [n] are the thread's numbers.
      const records = await threadRecords(ctx, channel.id, (await threadHistory(ctx, channel, undefined, 100)).records);
      if (!records.some((r) => r.kind !== 'recap')) {
        await interactionTarget(i, { ephemeral: isPrivate, logger: ctx.logger }).deliver([
          { content: 'There are no answers in this thread to summarize yet.' },
        ]);
        return;
      }
      const recap = buildThreadRecap(records, {
        threadName: channel.name,
        userId: i.user.id,
        guildId: i.guildId ?? undefined,
        channelId: channel.id,
        threadId: channel.id,
      });
      await ctx.store.saveAnswer(recap);
      const messages = await interactionTarget(i, { ephemeral: isPrivate, logger: ctx.logger }).deliver(renderAnswer(recap));
      if (messages.length) await ctx.store.linkAnswer(recap.answerId, { messageIds: messages.map((m) => m.id) }).catch(() => undefined);
      return;
    }
    const topic = cleanQuestion(topicRaw);
    const ticket = await admitAndDefer(i, ctx, isPrivate);
    if (!ticket) return;
    await runAnswer(ctx, interactionTarget(i, { ephemeral: isPrivate, logger: ctx.logger }), ticket, (onPreview) =>
      computeSummary(ctx, {
        question: topic,
        kind: 'summarize',
        userId: i.user.id,
        guildId: i.guildId ?? undefined,
        channelId: i.channelId,
        onPreview,
      }),
    );
  },
};
