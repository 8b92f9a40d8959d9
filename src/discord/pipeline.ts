/**
 * One answer from admission to delivery, shared by /ask, /summarize, thread follow-ups and Q&A
 * channels: wait for a slot, compute (streaming previews through a throttle when a model is
 * configured), render, post, and link the posted message ids to the stored record.
 */
import type { Message } from 'discord.js';
import type { BotContext } from './context.js';
import type { AnswerRecord } from './feedback.js';
import type { Ticket } from './limiter.js';
import { renderAnswer } from './render/answer.js';
import { EditThrottle, streamingPreview, type AnswerTarget } from './respond.js';

export interface Delivered {
  record: AnswerRecord;
  messages: Message[];
}

export async function runAnswer(
  ctx: BotContext,
  target: AnswerTarget,
  ticket: Ticket,
  compute: (onPreview: ((textSoFar: string) => void) | undefined) => Promise<AnswerRecord>,
  link: { threadId?: string } = {},
): Promise<Delivered> {
  let record: AnswerRecord;
  try {
    await ticket.wait(ctx.queueWaitMs);
    const throttle = ctx.chat ? new EditThrottle(ctx.config.discord.streamEditIntervalMs, streamingPreview(target), ctx.logger) : undefined;
    try {
      record = await compute(throttle ? (text) => throttle.push(text) : undefined);
    } finally {
      await throttle?.stop();
    }
  } finally {
    ticket.release();
  }
  const messages = await target.deliver(renderAnswer(record));
  if (messages.length) {
    await ctx.store
      .linkAnswer(record.answerId, { messageIds: messages.map((m) => m.id), ...link })
      .catch((err) => ctx.logger.warn('could not link answer messages', { answerId: record.answerId, err }));
  }
  return { record, messages };
}
