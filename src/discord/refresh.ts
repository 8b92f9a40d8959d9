/**
 * Cross-process index refresh: every INDEX_REFRESH_SECONDS the bot asks its store which index
 * generation is live in the backend (CURRENT under INDEX_DIR, or rb_meta in Postgres). When
 * another process made a new one live (a /reindex in another shard or bot process, or
 * `research-bot ingest`), it opens a new retriever and swaps it in; answers in flight keep the
 * old one. Failures are logged and retried on the next tick, never thrown.
 */
import { openRetriever } from '../context.js';
import type { Retriever } from '../index/search.js';
import type { BotContext } from './context.js';

export interface IndexRefresher {
  /** One check now; resolves true when it swapped in a new generation. Never rejects. */
  check(): Promise<boolean>;
  /** Stop the timer and wait for a check in progress. Idempotent. */
  stop(): Promise<void>;
}

export interface RefreshOptions {
  /** Milliseconds between checks; 0 or less = no timer (check() still works). */
  intervalMs: number;
  /** Opens the live generation (default: openRetriever with the bot's config, embedder as configured). */
  open?: () => Promise<Retriever>;
}

export function startIndexRefresh(ctx: BotContext, opts: RefreshOptions): IndexRefresher {
  const open = opts.open ?? (() => openRetriever(ctx.config, { logger: ctx.logger }));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let failures = 0;

  const attempt = async (): Promise<boolean> => {
    // A /reindex in this process swaps by itself when it finishes.
    if (stopped || ctx.stopping || ctx.reindexing) return false;
    const current = ctx.retriever();
    const latest = await current.store.latestGeneration();
    if (!latest || latest === current.store.generation) return false;
    const next = await open();
    const stale = stopped || ctx.stopping || ctx.retriever() !== current || next.store.generation === current.store.generation;
    if (stale) {
      if (next.store !== ctx.retriever().store) await next.store.close().catch(() => undefined);
      return false;
    }
    ctx.swapRetriever(next);
    ctx.logger.info('index refreshed', {
      previousGeneration: current.store.generation,
      generation: next.store.generation,
      papers: next.store.papers.length,
      chunks: next.store.chunks.length,
      retrieval: next.mode,
    });
    return true;
  };

  const check = (): Promise<boolean> =>
    (running ??= attempt()
      .then(
        (swapped) => {
          failures = 0;
          return swapped;
        },
        (err: unknown) => {
          failures++;
          // Every failure at first, then every tenth: a backend that stays down must not flood the log.
          if (failures <= 3 || failures % 10 === 0) {
            ctx.logger.warn('index refresh failed; keeping the current index and retrying', { failures, err });
          }
          return false;
        },
      )
      .finally(() => {
        running = undefined;
      }));

  const schedule = () => {
    if (stopped || opts.intervalMs <= 0) return;
    timer = setTimeout(() => {
      void check().finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    check,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
