/**
 * Typed errors with stable codes. `userMessage` is safe to show to anyone (CLI, Discord);
 * `cause` and `detail` are for the structured log only.
 */
import { redact } from './logger.js';

export const ERROR_CODES = {
  USAGE: 'That command line is not valid. Run `research-bot help` for the usage.',
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
  PAPER_AMBIGUOUS: 'Several papers match that; give the full title or the id.',
  RATE_LIMITED: 'You are going a bit fast. Please wait a moment.',
  BUSY: 'The bot is busy right now. Please try again in a moment.',
  FORBIDDEN: 'You do not have permission to do that.',
  UPSTREAM: 'A service the bot depends on failed or could not be reached.',
  INTERNAL: 'Something went wrong on our side. Please try again in a moment.',
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

/**
 * How a failure is shown, decided once for every surface (CLI, slash-command replies, thread
 * messages), after vercel/ai-chatbot's lib/errors.ts: a stable code, a visibility, one user text.
 * INTERNAL errors are visible only in the log: their message may describe our internals, so people
 * get the code's generic text. Every other code's message was written for the person reading it.
 */
const LOG_ONLY: ReadonlySet<ErrorCode> = new Set(['INTERNAL']);

/** Codes that mean something failed (logged at error); the rest are refusals of what was asked (warn). */
const FAILURES: ReadonlySet<ErrorCode> = new Set([
  'INTERNAL',
  'UPSTREAM',
  'LLM_FAILED',
  'EMBEDDING_FAILED',
  'STORE_UNAVAILABLE',
  'INDEX_CORRUPT',
]);

export interface FailureView {
  level: 'warn' | 'error';
  code: ErrorCode;
  /** 'log': userText is generic and the details are only in the log, so log them with the cause. */
  visibility: 'user' | 'log';
  /** Safe to show to anyone: registered secrets are masked (endpoint errors can echo credentials). */
  userText: string;
  /** Process exit code for the CLI: 2 for a usage error, else 1. */
  exitCode: 1 | 2;
}

export function describeFailure(err: unknown): FailureView {
  const e = toAppError(err);
  const logOnly = LOG_ONLY.has(e.code);
  return {
    level: !isAppError(err) || FAILURES.has(e.code) ? 'error' : 'warn',
    code: e.code,
    visibility: logOnly ? 'log' : 'user',
    userText: redact(logOnly ? ERROR_CODES[e.code] : e.userMessage),
    exitCode: e.code === 'USAGE' ? 2 : 1,
  };
}
