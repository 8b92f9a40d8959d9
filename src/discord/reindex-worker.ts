/**
 * Runs an ingest in a worker thread so parsing, tokenising and BM25 building never block the bot's
 * event loop (which must acknowledge every interaction within 3 s while a re-index runs).
 * Protocol: workerData = { env, force, add? } (env: the bot's configuration as variables, validated
 * here like any other; add: files for /add-papers, checked, stored and ingested here); posts
 * { type: 'log' | 'progress' | 'done' | 'error', ... }, 'done' with the ingest summary (none when
 * /add-papers had nothing to add) and, for add, its result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import type { IncomingFile } from '../corpus/add-papers.js';
import { runAddPapers, runIngest } from '../context.js';
import { isAppError } from '../errors.js';
import type { Progress } from '../index/progress.js';
import { createLogger } from '../logger.js';

const { env, force, add } = workerData as { env: Record<string, string>; force?: boolean; add?: IncomingFile[] };
const port = parentPort!;

// Forward log lines to the parent, which owns the real logger (and its secret redaction).
const logger = createLogger({ level: 'debug', sink: (line) => port.postMessage({ type: 'log', line }) });

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
    port.postMessage({ type: 'progress', phase, done: 0, total });
  },
  tick(n = 1) {
    count = Math.min(total, count + n);
    const q = total ? Math.floor((count / total) * 4) : 4;
    if (q > quarter && q < 4) {
      quarter = q;
      port.postMessage({ type: 'progress', phase, done: count, total });
    }
  },
  done() {
    port.postMessage({ type: 'progress', phase, done: total, total });
  },
};

try {
  if (add) {
    const added = await runAddPapers(loadConfig(env), add, { logger, progress });
    port.postMessage({ type: 'done', summary: added.ingest, added });
  } else {
    const summary = await runIngest(loadConfig(env), { force, logger, progress });
    port.postMessage({ type: 'done', summary });
  }
} catch (err) {
  port.postMessage({
    type: 'error',
    code: isAppError(err) ? err.code : 'INTERNAL',
    message: isAppError(err) ? err.userMessage : String((err as Error)?.message ?? err),
  });
}
