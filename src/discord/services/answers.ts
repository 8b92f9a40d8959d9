import { answerQuestion, summarizeTopic, type AnswerResult, type SummaryResult } from '../../answer/engine.js';
import type { ComparisonRow } from '../../answer/compare.js';
import { answerInThread } from '../../answer/thread.js';
import { threadRecords } from '../thread-records.js';
import type { Turn } from '../../answer/followup.js';
import { ERROR_CODES } from '../../errors.js';
import type { SearchFilter } from '../../index/search.js';
import type { BotContext } from '../context.js';
import { newAnswerId, type AnswerKind, type AnswerRecord } from '../feedback.js';
import type { Ticket } from '../limiter.js';

export type Admission =
  | { ok: true; ticket: Ticket }
  | { ok: false; reason: 'cooldown' | 'busy' | 'stopping'; message: string; retryAfterMs?: number };

/** Cooldown + concurrency decision for one answer, taken synchronously. */
export function admit(ctx: BotContext, userId: string): Admission {
  if (ctx.stopping) return { ok: false, reason: 'stopping', message: 'The bot is restarting. Please try again in a minute.' };
  const cd = ctx.cooldowns.take(userId);
  if (!cd.ok) {
    const secs = Math.max(1, Math.ceil(cd.retryAfterMs / 1000));
    return {
      ok: false,
      reason: 'cooldown',
      message: `${ERROR_CODES.RATE_LIMITED} You can ask again in ${secs} s.`,
      retryAfterMs: cd.retryAfterMs,
    };
  }
  const ticket = ctx.gate.tryEnter();
  if (!ticket) {
    ctx.cooldowns.refund(userId);
    return { ok: false, reason: 'busy', message: ERROR_CODES.BUSY };
  }
  return { ok: true, ticket };
}

export interface AnswerRequest {
  question: string;
  kind: AnswerKind;
  history?: Turn[];
  /** Inside a conversation thread: its answer records, oldest first (its numbered source list is rebuilt from them). */
  thread?: AnswerRecord[];
  /** Date filter from the command's options. */
  filter?: SearchFilter;
  userId?: string;
  guildId?: string;
  channelId?: string;
  threadId?: string;
  /** Streaming: called with the model's text so far (LLM mode only). */
  onPreview?: (textSoFar: string) => void;
  signal?: AbortSignal;
}

export function toRecord(
  ctx: BotContext,
  r: (AnswerResult | SummaryResult) & { question?: string; topic?: string; query?: string; comparison?: ComparisonRow[] },
  req: Omit<AnswerRequest, 'onPreview' | 'signal' | 'history' | 'thread'>,
  retriever: { store: { generation: string } },
): AnswerRecord {
  return {
    type: 'answer',
    answerId: newAnswerId(),
    time: new Date().toISOString(),
    kind: req.kind,
    question: r.question ?? r.topic ?? req.question,
    ...(r.query && r.query !== r.question ? { query: r.query } : {}),
    answer: r.answer,
    mode: r.mode,
    abstained: r.abstained,
    confidence: r.confidence,
    citations: r.citations,
    sources: r.sources,
    droppedCitations: r.droppedCitations,
    ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
    ...(r.truncated ? { truncated: true } : {}),
    ...(ctx.chat ? { chatModel: ctx.chat.model } : {}),
    // What this answer actually used: a hybrid index answers lexically while embeddings are down.
    retrievalMode: r.retrieval,
    ...(r.retrievalFallback ? { retrievalFallback: r.retrievalFallback } : {}),
    indexGeneration: retriever.store.generation,
    durationMs: r.durationMs,
    ...(req.userId ? { userId: req.userId } : {}),
    ...(req.guildId ? { guildId: req.guildId } : {}),
    ...(req.channelId ? { channelId: req.channelId } : {}),
    ...(req.threadId ? { threadId: req.threadId } : {}),
    ...(r.comparison ? { comparison: r.comparison } : {}),
  };
}

/** Answer a question with citations and store the record durably (before any button can point at it). */
export async function computeAnswer(ctx: BotContext, req: AnswerRequest): Promise<AnswerRecord> {
  const retriever = ctx.retriever();
  const deps = { retriever, chat: ctx.chat, logger: ctx.logger, abstainThreshold: ctx.config.abstainThreshold };
  const opts = {
    filter: req.filter,
    signal: req.signal ?? ctx.shutdown.signal,
    onToken: req.onPreview ? (_d: string, soFar: string) => req.onPreview!(soFar) : undefined,
  };
  const result: AnswerResult & { comparison?: ComparisonRow[] } = req.thread
    ? await answerInThread(deps, req.question, req.threadId ? await threadRecords(ctx, req.threadId, req.thread) : req.thread, opts)
    : await answerQuestion(deps, req.question, { ...opts, history: req.history });
  const record = toRecord(ctx, result, { ...req, ...(result.comparison ? { kind: 'compare' as const } : {}) }, retriever);
  await ctx.store.saveAnswer(record);
  ctx.stats.answers++;
  ctx.logger.info('answered', {
    answerId: record.answerId,
    kind: record.kind,
    mode: record.mode,
    abstained: record.abstained,
    citations: record.citations.length,
    history: req.history?.length ?? 0,
    ms: result.durationMs,
    ...(record.fallbackReason ? { fallbackReason: record.fallbackReason } : {}),
  });
  return record;
}

export async function computeSummary(ctx: BotContext, req: AnswerRequest): Promise<AnswerRecord> {
  const retriever = ctx.retriever();
  const result = await summarizeTopic(
    { retriever, chat: ctx.chat, logger: ctx.logger, abstainThreshold: ctx.config.abstainThreshold },
    req.question,
    { signal: req.signal ?? ctx.shutdown.signal, onToken: req.onPreview ? (_d, soFar) => req.onPreview!(soFar) : undefined },
  );
  const record = toRecord(ctx, result, { ...req, kind: 'summarize' }, retriever);
  await ctx.store.saveAnswer(record);
  ctx.stats.answers++;
  ctx.logger.info('summarized', { answerId: record.answerId, mode: record.mode, abstained: record.abstained, ms: result.durationMs });
  return record;
}
