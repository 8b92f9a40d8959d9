/**
 * Runs an ingest in a worker thread so parsing, tokenising and BM25 building never block the bot's
 * event loop (which must acknowledge every interaction within 3 s while a re-index runs).
 * Protocol: reindex-protocol.ts (workerData: IngestWorkerData; every message posted: WorkerMessage).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import { runAddPapers, runIngest } from '../context.js';
import { isAppError } from '../errors.js';
import type { Progress } from '../index/progress.js';
import { createLogger } from '../logger.js';
import type { IngestWorkerData, WorkerMessage } from './reindex-protocol.js';

const { env, force, add } = workerData as IngestWorkerData;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);

// Forward log lines to the parent, which owns the real logger (and its secret redaction).
const logger = createLogger({ level: 'debug', sink: (line) => post({ type: 'log', line }) });

let phase = '';
let total = 0;
let count = 0;
let quarter = 0;
const progress: Progress = {
  start(p, t) {
    phase = p;
    total = t;
    count = 0;
    quarter = 0;
    post({ type: 'progress', phase, done: 0, total });
  },
  tick(n = 1) {
    count = Math.min(total, count + n);
    const q = total ? Math.floor((count / total) * 4) : 4;
    if (q > quarter && q < 4) {
      quarter = q;
      post({ type: 'progress', phase, done: count, total });
    }
  },
  done() {
    post({ type: 'progress', phase, done: total, total });
  },
};

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
