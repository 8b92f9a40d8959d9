/**
 * Retries for calls to OpenAI-compatible endpoints (chat and embeddings), done here instead of
 * by the openai SDK: the SDK sleeps for whatever `retry-after` / `retry-after-ms` says (an hour,
 * if asked) in a timer that ignores the abort signal, so neither a time budget nor a shutdown
 * could bound it. Here every wait is abortable, and a wait that would end past the deadline is
 * not started: the call fails at once with the reason.
 */
import type { APIError } from 'openai';

/** The SDK's error classes: an attempt that failed has loaded the SDK already (openai-client.ts loads it lazily). */
type SdkErrors = Pick<typeof import('openai'), 'APIConnectionError' | 'APIError' | 'APIUserAbortError'>;

/** A single wait longer than this is refused even without a deadline (an ingest must not sleep for an hour). */
export const MAX_RETRY_WAIT_MS = 60_000;

/** The endpoint asked to wait longer than the time left (or than MAX_RETRY_WAIT_MS). */
export class RetryWaitTooLong extends Error {
  constructor(
    readonly status: number | undefined,
    readonly waitMs: number,
    readonly leftMs: number,
    readonly last: unknown,
  ) {
    super(`endpoint asked to wait ${waitMs} ms (HTTP ${status ?? '-'}); ${Math.max(0, leftMs)} ms left`, { cause: last });
    this.name = 'RetryWaitTooLong';
  }
}

/** "answered HTTP 429 and asked to wait 3600 s, longer than the time left", for user-facing errors. */
export function describeRefusedWait(err: RetryWaitTooLong): string {
  const limit = err.leftMs <= MAX_RETRY_WAIT_MS ? 'the time left' : `the ${MAX_RETRY_WAIT_MS / 1000} s research-bot waits at most`;
  return `answered HTTP ${err.status} and asked to wait ${Math.ceil(err.waitMs / 1000)} s, longer than ${limit}`;
}

function retryable(err: unknown, { APIConnectionError, APIError, APIUserAbortError }: SdkErrors): boolean {
  if (err instanceof APIUserAbortError) return false;
  if (err instanceof APIConnectionError) return true;
  if (!(err instanceof APIError) || err.status === undefined) return false;
  const hint = err.headers?.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return err.status === 408 || err.status === 409 || err.status === 429 || err.status >= 500;
}

/** What the endpoint asked for (retry-after-ms, then retry-after in seconds or as a date), if anything. */
function requestedWaitMs(err: unknown, { APIError }: SdkErrors): number | undefined {
  const headers = err instanceof APIError ? err.headers : undefined;
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers.get('retry-after');
  if (!after) return undefined;
  const secs = Number.parseFloat(after);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(after);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Exponential backoff with jitter, as the SDK does it: 0.5 s, 1 s, 2 s … at most 8 s. */
function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts (the timer is cleared either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Aborts the attempt in flight and any wait between attempts. */
  signal?: AbortSignal;
  /** Epoch ms: no wait may end after it. */
  deadline?: number;
}

/**
 * Run `attempt` until it succeeds, fails with an error that is not worth retrying, runs out of
 * retries, or would have to wait past the deadline (then RetryWaitTooLong, carrying the last error).
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (opts.signal?.aborted || n >= opts.maxRetries) throw err;
      const sdk = await import('openai').catch(() => undefined);
      if (!sdk || !retryable(err, sdk)) throw err;
      const asked = requestedWaitMs(err, sdk);
      const wait = asked ?? backoffMs(n);
      const left = opts.deadline === undefined ? Number.POSITIVE_INFINITY : opts.deadline - Date.now();
      if (wait >= left || wait > MAX_RETRY_WAIT_MS)
        throw new RetryWaitTooLong((err as APIError).status, Math.round(wait), Math.round(left), err);
      await sleep(wait, opts.signal);
    }
  }
}
