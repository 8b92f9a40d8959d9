import { configToEnv } from '../../config.js';
import { openRetriever, runAddPapers, runIngest } from '../../context.js';
import type { AddPapersResult, IncomingFile } from '../../corpus/add-papers.js';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';
import { quarterlyProgress, type PhaseEvent, type Progress } from '../../index/progress.js';
import { siblingModule } from '../../lifecycle.js';
import type { Logger } from '../../logger.js';
import type { BotContext } from '../context.js';
import type { IngestJob, IngestWorkerData, WorkerMessage } from '../reindex-protocol.js';

/** A phase event as a log line; the same lines whether the ingest runs here or in the re-index worker. */
export function logPhaseEvent(logger: Logger, what: string): (e: PhaseEvent) => void {
  return (e) => {
    if (e.event === 'start') logger.info(`${what}: ${e.phase}`, { phase: e.phase, total: e.total });
    else if (e.event === 'quarter') logger.info(`${what}: ${e.phase} ${e.percent}%`, { phase: e.phase, done: e.done, total: e.total });
    else logger.info(`${what}: ${e.phase} done`, { phase: e.phase, total: e.total, ...(e.note ? { note: e.note } : {}) });
  };
}

/** Progress of a long ingest as log lines (start, each quarter, done). */
export function logProgress(logger: Logger, what = 'ingest'): Progress {
  return quarterlyProgress(logPhaseEvent(logger, what));
}

export interface ReindexOutcome {
  upToDate: boolean;
  swapped: boolean;
  papers: number;
  chunks: number;
  generation: string;
  previousGeneration: string;
  /** Papers first seen in this ingest (0 when nothing was ingested). */
  newPapers: number;
  durationMs: number;
  /** For /add-papers: what happened to each file. */
  added?: AddPapersResult;
}

/** The worker's answer: no summary when /add-papers had nothing to add (nothing was ingested). */
type IngestJobResult = Omit<Extract<WorkerMessage, { type: 'done' }>, 'type'>;

/**
 * The ingest worker: compiled, reindex-worker.js next to this file. Running from the TypeScript
 * sources (tsx, vitest), the .ts file with tsx's loader registered inside the worker first (loader
 * hooks are per thread, so `--import tsx` in execArgv does not reach the worker's entry module).
 */
function startIngestWorker(workerData: IngestWorkerData): Worker {
  const { file, tsx } = siblingModule(import.meta.url, '../reindex-worker');
  if (!tsx) return new Worker(file, { workerData });
  const code =
    `import(${JSON.stringify(tsx('tsx/esm/api'))}).then((m) => m.register()).then(() => import(${JSON.stringify(pathToFileURL(file).href)}))` +
    '.catch((err) => { process.nextTick(() => { throw err; }); });';
  return new Worker(code, { eval: true, workerData });
}

/**
 * Run the ingest in a worker thread (parsing and indexing are CPU-bound and would otherwise stall
 * interaction acknowledgements); if a worker cannot be started, run it here.
 */
async function ingestOffThread(ctx: BotContext, job: IngestJob): Promise<IngestJobResult> {
  // The worker reports its progress as phase events; the main-thread fallback logs the same ones itself.
  const logEvent = logPhaseEvent(ctx.logger, 'reindex');
  const progress = quarterlyProgress(logEvent);
  // Fall back to the main thread only if the worker never got going (e.g. its file is missing).
  let heard = false;
  try {
    return await new Promise<IngestJobResult>((resolve, reject) => {
      const worker = startIngestWorker({ env: configToEnv(ctx.config), ...job });
      let settled = false;
      worker.on('message', (m: WorkerMessage) => {
        heard = true;
        if (m.type === 'log') {
          try {
            const { level, msg, time: _t, ...fields } = JSON.parse(m.line) as Record<string, unknown>;
            const log = ctx.logger[(['debug', 'info', 'warn', 'error'].includes(String(level)) ? level : 'info') as 'info'];
            log(`reindex: ${String(msg)}`, fields);
          } catch {
            /* not a log line */
          }
        } else if (m.type === 'progress') {
          logEvent(m.progress);
        } else if (m.type === 'done') {
          settled = true;
          resolve({ summary: m.summary, added: m.added });
        } else {
          settled = true;
          reject(new AppError(m.code, m.message));
        }
      });
      worker.on('error', (err) => {
        if (!settled) reject(err);
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new Error(`reindex worker exited with code ${code}`));
      });
    });
  } catch (err) {
    if (heard || err instanceof AppError) throw err;
    ctx.logger.warn('reindex worker could not start; indexing on the main thread', { err });
    if (job.add) {
      const added = await runAddPapers(ctx.config, job.add, { logger: ctx.logger, progress });
      return { summary: added.ingest, added };
    }
    return { summary: await runIngest(ctx.config, { force: job.force, logger: ctx.logger, progress }) };
  }
}

/**
 * Re-ingest the corpus into a new index generation while answers keep using the old retriever,
 * then swap the new one in. One at a time. With `add` (/add-papers), the files are first checked
 * and stored in the corpus, in the same worker.
 */
export async function reindex(ctx: BotContext, opts: { force?: boolean; add?: IncomingFile[] } = {}): Promise<ReindexOutcome> {
  if (ctx.reindexing) throw new AppError('INDEX_LOCKED', 'A re-index is already running. Please wait for it to finish.');
  const started = Date.now();
  const run = (async (): Promise<ReindexOutcome> => {
    const live = ctx.retriever().store;
    const previous = live.generation;
    ctx.logger.info('reindex started', { corpusDir: ctx.config.corpusDir, force: Boolean(opts.force), adding: opts.add?.length ?? 0 });
    const { summary, added } = await ingestOffThread(ctx, { force: Boolean(opts.force), add: opts.add });
    let swapped = false;
    if (summary && summary.generation !== previous) {
      const next = await openRetriever(ctx.config, { logger: ctx.logger });
      ctx.swapRetriever(next);
      swapped = true;
    }
    const outcome = {
      upToDate: summary?.upToDate ?? true,
      swapped,
      papers: summary?.papers ?? live.papers.length,
      chunks: summary?.chunks ?? live.chunks.length,
      generation: summary?.generation ?? previous,
      previousGeneration: previous,
      newPapers: summary?.newPapers ?? 0,
      durationMs: Date.now() - started,
    };
    ctx.logger.info('reindex finished', { ...outcome, ...(added ? { files: added.files.map((f) => f.status) } : {}) });
    return { ...outcome, ...(added ? { added } : {}) };
  })();
  ctx.reindexing = run;
  try {
    return await run;
  } finally {
    ctx.reindexing = undefined;
  }
}
