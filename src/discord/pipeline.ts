/**
 * One answer from admission to delivery, shared by /ask, /summarize, thread follow-ups and Q&A
 * channels: wait for a slot (showing the place in the queue while all slots are busy), compute
 * (streaming previews through a throttle when a model is configured), render, post, and link the
 * posted message ids to the stored record.
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

/** The placeholder's text while an answer waits for a slot, `ahead` other questions before it in the queue. */
export function queuedText(ahead: number): string {
  const place = ahead === 0 ? 'yours is next' : `${ahead} question${ahead === 1 ? '' : 's'} ahead of yours`;
  return `⏳ Queued: ${place}. All answer slots are busy; your answer starts as soon as one frees up.`;
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
    // While queued, the placeholder shows the place: one edit per change at most, spaced like streaming
    // edits, an unchanged text never re-sent, and none once the slot is granted (stop() waits for one in flight).
    const place = ticket.queued
      ? new EditThrottle(ctx.config.discord.streamEditIntervalMs, (t) => target.showPart(0, t), ctx.logger)
      : undefined;
    let granted = false;
    try {
      await ticket.wait(ctx.queueWaitMs, place && ((ahead) => place.push(queuedText(ahead))));
      granted = true;
    } finally {
      await place?.stop();
      if (!granted && place?.edits) await target.discard?.();
    }
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
