/**
 * Every answer record of a thread, oldest first: the ones the answers log links to the thread
 * (all of them, however long the thread) plus any the message scan found that the log does not
 * link (older records). The thread's numbered source list is rebuilt from these.
 */
import type { BotContext } from './context.js';
import type { AnswerRecord } from './feedback.js';

export async function threadRecords(ctx: BotContext, threadId: string, seen: AnswerRecord[] = []): Promise<AnswerRecord[]> {
  const byId = new Map<string, AnswerRecord>();
  for (const id of ctx.store.answerIdsInThread(threadId)) {
    const rec = await ctx.store.getAnswer(id);
    if (rec) byId.set(id, rec);
  }
  for (const rec of seen) if (!byId.has(rec.answerId)) byId.set(rec.answerId, rec);
  return [...byId.values()].sort((a, b) => a.time.localeCompare(b.time));
}
