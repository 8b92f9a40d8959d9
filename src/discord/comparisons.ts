/** Stores a /compare result like any answer, so its buttons, the thread's numbers and the recap see it. */
import type { ComparisonRow } from '../answer/compare.js';
import type { AnswerResult } from '../answer/engine.js';
import type { BotContext } from './context.js';
import type { AnswerRecord } from './feedback.js';
import { toRecord } from './services/answers.js';

export async function saveComparison(
  ctx: BotContext,
  result: AnswerResult & { comparison: ComparisonRow[] },
  retriever: { store: { generation: string } },
  where: { userId?: string; guildId?: string; channelId?: string; threadId?: string },
): Promise<AnswerRecord> {
  const record = toRecord(ctx, result, { question: result.question, kind: 'compare', ...where }, retriever);
  await ctx.store.saveAnswer(record);
  ctx.stats.answers++;
  ctx.logger.info('compared', { answerId: record.answerId, mode: record.mode, papers: result.comparison.length, ms: result.durationMs });
  return record;
}
