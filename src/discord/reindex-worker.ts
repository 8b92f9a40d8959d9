/**
 * Runs an ingest in a worker thread so parsing, tokenising and BM25 building never block the bot's
 * event loop (which must acknowledge every interaction within 3 s while a re-index runs).
 * Protocol: reindex-protocol.ts (workerData: IngestWorkerData; every message posted: WorkerMessage).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import { runAddPapers, runIngest } from '../context.js';
import { isAppError } from '../errors.js';
import { quarterlyProgress } from '../index/progress.js';
import { createLogger } from '../logger.js';
import type { IngestWorkerData, WorkerMessage } from './reindex-protocol.js';

const { env, force, add } = workerData as IngestWorkerData;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);

// Forward log lines to the parent, which owns the real logger (and its secret redaction).
const logger = createLogger({ level: 'debug', sink: (line) => post({ type: 'log', line }) });

// The same phase events the bot would log for an ingest of its own (quarterlyProgress), sent to it.
const progress = quarterlyProgress((e) => post({ type: 'progress', progress: e }));

try {
  if (add) {
    const added = await runAddPapers(loadConfig(env), add, { logger, progress });
    post({ type: 'done', summary: added.ingest, added });
  } else {
    const summary = await runIngest(loadConfig(env), { force, logger, progress });
    post({ type: 'done', summary });
  }
} catch (err) {
  post({
    type: 'error',
    code: isAppError(err) ? err.code : ('INTERNAL' as const),
    message: isAppError(err) ? err.userMessage : String((err as Error)?.message ?? err),
  });
}
