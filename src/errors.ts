/**
 * Typed errors with stable codes. `userMessage` is safe to show to anyone (CLI, Discord);
 * `cause` and `detail` are for the structured log only.
 */
import { redact } from './logger.js';

export const ERROR_CODES = {
  CONFIG_INVALID: 'The configuration is invalid.',
  CORPUS_EMPTY: 'No papers could be read from the corpus.',
  CORPUS_NOT_FOUND: 'The corpus folder does not exist.',
  INDEX_MISSING: 'The index has not been built yet. Run `research-bot ingest`.',
  INDEX_CORRUPT: 'The index on disk is unreadable. Run `research-bot ingest` to rebuild it.',
  INDEX_MODEL_MISMATCH: 'The index was built with a different embedding model. Re-run `research-bot ingest`.',
  INDEX_LOCKED: 'Another ingest is already running on this index.',
  DISK_FULL: 'There is no space left on the disk that holds the index.',
  INDEX_READ_ONLY: 'The index directory is on a read-only file system.',
  STORE_UNAVAILABLE: 'The index database cannot be reached.',
  EMBEDDING_FAILED: 'The embedding endpoint failed.',
  LLM_FAILED: 'The language model endpoint failed.',
  QUESTION_INVALID: 'That question could not be used.',
  PAPER_NOT_FOUND: 'No paper matches that.',
  RATE_LIMITED: 'You are going a bit fast. Please wait a moment.',
  BUSY: 'The bot is busy right now. Please try again in a moment.',
  FORBIDDEN: 'You do not have permission to do that.',
  INTERNAL: 'Something went wrong on our side.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly detail?: Record<string, unknown>;

  constructor(code: ErrorCode, userMessage?: string, options?: { cause?: unknown; detail?: Record<string, unknown> }) {
    // Messages often quote what an endpoint said, and endpoints echo keys and URLs with
    // credentials: whichever screen shows this message, it has been through the redactor.
    const message = redact(userMessage ?? ERROR_CODES[code]);
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'AppError';
    this.code = code;
    this.userMessage = message;
    this.detail = options?.detail;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Any thrown value as an AppError; unknown failures become INTERNAL with the original kept as cause. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('INTERNAL', undefined, { cause: err });
}

/**
 * A write that failed for lack of space or on a read-only file system, as DISK_FULL or
 * INDEX_READ_ONLY naming the path; any other error unchanged. The live index is untouched by such
 * a failure (a generation becomes live only once complete), and the message says so.
 */
export function storageError(err: unknown, dir: string): unknown {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e !== 'object' || err instanceof AppError) return err;
  const where = e.path ?? dir;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') {
    return new AppError(
      'DISK_FULL',
      `No space left on the device (${e.code}) while writing ${where}. Free some space and run \`research-bot ingest\` again; ` +
        'the live index was left as it was.',
      { cause: err },
    );
  }
  if (e.code === 'EROFS') {
    return new AppError(
      'INDEX_READ_ONLY',
      `Cannot write ${where}: the file system is read-only (EROFS). Point INDEX_DIR (or --index) at a writable directory; ` +
        'the live index was left as it was.',
      { cause: err },
    );
  }
  return err;
}
