/** Everything a command or message handler needs, independent of the Discord client. */
import type { ChatModel } from '../answer/llm.js';
import type { Config } from '../config.js';
import { warmPaperResolver } from '../index/paper-resolver.js';
import type { Retriever } from '../index/search.js';
import type { Logger } from '../logger.js';
import type { RadarStore } from '../radar/types.js';
import type { FeedbackStore } from './feedback.js';
import { ConcurrencyGate, Cooldowns } from './limiter.js';

export interface BotContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly chat?: ChatModel;
  readonly store: FeedbackStore;
  readonly cooldowns: Cooldowns;
  readonly gate: ConcurrencyGate;
  /** The live retriever; read it once per request so a swap never changes it mid-answer. */
  retriever(): Retriever;
  /**
   * Replace the live retriever (after /reindex or an index refresh). Requests already running keep
   * the old one, whose store is closed once they have all finished.
   */
  swapRetriever(next: Retriever): void;
  /** Called after swapRetriever put a different generation live (the paper radar announces then). */
  onSwap?: (next: Retriever) => void;
  /** Watches and digests, when the bot opened them. */
  readonly radar?: RadarStore;
  /** Set by the client once logged in. */
  botUserId?: string;
  /** True once stop() began: new work is refused. */
  stopping: boolean;
  /** Aborted when shutdown stops waiting: model calls in flight are cut short (answers fall back to the digest). */
  readonly shutdown: AbortController;
  /** Running /reindex, if any (single flight). */
  reindexing?: Promise<unknown>;
  readonly stats: { startedAt: number; answers: number; feedback: number; errors: number };
  /** Register in-flight work so shutdown can wait for it. */
  track<T>(work: Promise<T>): Promise<T>;
  inFlight(): number;
  /** Resolves when no tracked work is left, or after `timeoutMs`; true if drained. */
  drain(timeoutMs: number): Promise<boolean>;
  /** How long a queued answer may wait for a free slot before it is turned away. */
  readonly queueWaitMs: number;
}

export interface ContextOptions {
  config: Config;
  logger: Logger;
  retriever: Retriever;
  chat?: ChatModel;
  store: FeedbackStore;
  radar?: RadarStore;
  /** Answers that may wait behind the concurrency cap; default 4 × the cap. */
  maxQueued?: number;
  queueWaitMs?: number;
}

export function createBotContext(opts: ContextOptions): BotContext {
  let current = opts.retriever;
  // The title index behind /paper and /similar is built per generation, here rather than on the
  // first command: at 100k papers it costs about a second and a half, and a reply is due within 3 s.
  warmPaperResolver(current.store.papers);
  const pending = new Set<Promise<unknown>>();
  // The cap protects the model endpoint. Offline answers are a few ms of CPU each, so without a
  // chat model the gate only guards against pile-ups and is sized accordingly.
  const max = opts.chat ? opts.config.discord.maxConcurrentModelCalls : Math.max(opts.config.discord.maxConcurrentModelCalls, 32);
  const ctx: BotContext = {
    config: opts.config,
    logger: opts.logger,
    chat: opts.chat,
    store: opts.store,
    radar: opts.radar,
    cooldowns: new Cooldowns(opts.config.discord.userCooldownMs),
    gate: new ConcurrencyGate(max, opts.maxQueued ?? max * 4),
    queueWaitMs: opts.queueWaitMs ?? 60_000,
    retriever: () => current,
    swapRetriever: (next) => {
      const previous = current;
      current = next;
      if (previous === next || previous.store === next.store) return;
      warmPaperResolver(next.store.papers);
      ctx.onSwap?.(next);
      // Every request that read the previous retriever started before this swap and is tracked
      // now: release the previous store (a Postgres pool) once those have settled.
      const inFlight = [...pending];
      void Promise.allSettled(inFlight)
        .then(() => previous.store.close())
        .catch((err) => opts.logger.warn('closing the previous index store failed', { err }));
    },
    stopping: false,
    shutdown: new AbortController(),
    stats: { startedAt: Date.now(), answers: 0, feedback: 0, errors: 0 },
    track<T>(work: Promise<T>): Promise<T> {
      const p = work.finally(() => pending.delete(p));
      pending.add(p);
      // The tracked copy must never surface as an unhandled rejection; callers handle `work`.
      p.catch(() => undefined);
      return work;
    },
    inFlight: () => pending.size,
    async drain(timeoutMs: number): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (pending.size) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...pending]),
          new Promise((r) => {
            timer = setTimeout(r, left);
          }),
        ]);
        clearTimeout(timer);
      }
      return true;
    },
  };
  return ctx;
}
