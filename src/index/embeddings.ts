/**
 * One embedding client for any OpenAI-compatible /v1/embeddings endpoint (OpenAI, Azure OpenAI,
 * Ollama, vLLM, LM Studio). Batched; 429/5xx are retried with backoff honouring retry-after
 * (endpoint-retry.ts), and a call can be bounded by a deadline and cancelled by a signal.
 */
import type OpenAI from 'openai';
import { type Config, endpointOptions } from '../config.js';
import { describeRefusedWait, RetryWaitTooLong, withRetries } from '../endpoint-retry.js';
import { AppError } from '../errors.js';
import { lazyClient } from '../openai-client.js';

export interface EmbedOptions {
  /** Cancels the request in flight and any wait between retries. */
  signal?: AbortSignal;
  /** Epoch ms: the whole call (every batch, retries included) fails with EMBEDDING_FAILED past it. */
  deadline?: number;
}

/** Shaped like vectra's EmbeddingsModel (maxTokens + createEmbeddings), which keeps fakes trivial. */
export interface EmbeddingsModel {
  readonly model: string;
  readonly maxTokens: number;
  readonly batchSize: number;
  /** Output size requested from the endpoint, when the model supports choosing one. */
  readonly dimensions?: number;
  createEmbeddings(inputs: string[], opts?: EmbedOptions): Promise<number[][]>;
}

// Rough character budget per input (~4 chars a token) so one long text never fails a whole batch.
const MAX_INPUT_CHARS = 8000 * 3;

export class OpenAIEmbeddings implements EmbeddingsModel {
  readonly maxTokens = 8000;
  readonly model: string;
  readonly batchSize: number;
  private readonly client: () => Promise<OpenAI>;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  readonly dimensions?: number;

  constructor(opts: {
    model: string;
    apiKey?: string;
    baseURL?: string;
    dimensions?: number;
    batchSize?: number;
    timeoutMs?: number;
    maxRetries?: number;
  }) {
    this.model = opts.model;
    this.batchSize = opts.batchSize ?? 64;
    this.dimensions = opts.dimensions;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 4;
    this.client = lazyClient({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeoutMs: this.timeoutMs });
  }

  async createEmbeddings(inputs: string[], opts: EmbedOptions = {}): Promise<number[][]> {
    const out: number[][] = [];
    const controller = new AbortController();
    let timedOut = false;
    const boundMs = opts.deadline === undefined ? undefined : Math.max(0, Math.round(opts.deadline - Date.now()));
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) controller.abort();
    const timer =
      opts.deadline === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, boundMs);
    try {
      for (let i = 0; i < inputs.length; i += this.batchSize) {
        const batch = inputs.slice(i, i + this.batchSize).map((s) => (s.length > MAX_INPUT_CHARS ? s.slice(0, MAX_INPUT_CHARS) : s || ' '));
        let res: OpenAI.CreateEmbeddingResponse;
        try {
          res = await withRetries(
            async () =>
              (await this.client()).embeddings.create(
                { model: this.model, input: batch, encoding_format: 'float', ...(this.dimensions ? { dimensions: this.dimensions } : {}) },
                { signal: controller.signal },
              ),
            { maxRetries: this.maxRetries, signal: controller.signal, deadline: opts.deadline },
          );
        } catch (err) {
          const status = err instanceof RetryWaitTooLong ? err.status : (err as { status?: number }).status;
          const why =
            err instanceof RetryWaitTooLong
              ? `: it ${describeRefusedWait(err)}`
              : timedOut
                ? ' to answer in time'
                : controller.signal.aborted
                  ? ': the request was cancelled'
                  : `${status ? ` with HTTP ${status}` : ''}: ${(err as Error).message.slice(0, 200)}`;
          throw new AppError('EMBEDDING_FAILED', `The embedding endpoint failed${why}.`, {
            cause: err,
            detail: { status, model: this.model, timedOut, boundMs },
          });
        }
        if (!Array.isArray(res?.data) || res.data.length !== batch.length) {
          throw new AppError(
            'EMBEDDING_FAILED',
            `The embedding endpoint returned ${res?.data?.length ?? 'no'} vectors for ${batch.length} inputs.`,
          );
        }
        const sorted = [...res.data].sort((a, b) => a.index - b.index);
        for (const d of sorted) {
          if (!Array.isArray(d.embedding) || d.embedding.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
            throw new AppError('EMBEDDING_FAILED', 'The embedding endpoint returned a malformed vector.');
          }
          out.push(d.embedding);
        }
      }
      return out;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

export function createEmbedder(config: Config): EmbeddingsModel | undefined {
  if (!config.embedding.model) return undefined;
  return new OpenAIEmbeddings({
    model: config.embedding.model,
    ...endpointOptions(config),
    dimensions: config.embedding.dimensions,
    batchSize: config.embedding.batchSize,
  });
}

export function normalizeVector(v: number[]): number[] {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}
