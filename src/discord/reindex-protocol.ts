/**
 * The one message protocol between the bot and its ingest worker (reindex-worker.ts): what the
 * worker is started with, and every message it posts back. Both sides import these types, so a
 * field renamed on one side fails to compile on the other.
 */
import type { AddPapersResult, IncomingFile } from '../corpus/add-papers.js';
import type { ErrorCode } from '../errors.js';
import type { IngestSummary } from '../index/ingest.js';
import type { PhaseEvent } from '../index/progress.js';

/** What the worker is asked to do: re-ingest the corpus, or add files to it first. */
export interface IngestJob {
  force: boolean;
  add?: IncomingFile[];
}

/** workerData: the job plus the bot's configuration as environment variables (validated again in the worker). */
export type IngestWorkerData = IngestJob & { env: Record<string, string> };

export type WorkerMessage =
  /** One JSON log line from the worker's logger; the parent re-logs it through its own (redacting) logger. */
  | { type: 'log'; line: string }
  /** Phase progress (start, each quarter, done), logged by the parent as logProgress would. */
  | { type: 'progress'; progress: PhaseEvent }
  /** Finished: no summary when /add-papers had nothing to add (nothing was ingested). */
  | { type: 'done'; summary?: IngestSummary; added?: AddPapersResult }
  | { type: 'error'; code: ErrorCode; message: string };
