/**
 * One embedding client for any OpenAI-compatible /v1/embeddings endpoint (OpenAI, Azure OpenAI,
 * Ollama, vLLM, LM Studio). Batched; the SDK retries 429/5xx with backoff and honours retry-after.
 */
import OpenAI from 'openai';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

/** Shaped like vectra's EmbeddingsModel (maxTokens + createEmbeddings), which keeps fakes trivial. */
export interface EmbeddingsModel {
  readonly model: string;
  readonly maxTokens: number;
  readonly batchSize: number;
  /** Output size requested from the endpoint, when the model supports choosing one. */
  readonly dimensions?: number;
  createEmbeddings(inputs: string[]): Promise<number[][]>;
}

// Rough character budget per input (~4 chars a token) so one long text never fails a whole batch.
const MAX_INPUT_CHARS = 8000 * 3;

export class OpenAIEmbeddings implements EmbeddingsModel {
  readonly maxTokens = 8000;
  readonly model: string;
  readonly batchSize: number;
  private readonly client: OpenAI;
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
    this.client = new OpenAI({
      // Local servers (Ollama, vLLM) accept any key; the SDK insists on one.
      apiKey: opts.apiKey ?? 'not-needed',
      baseURL: opts.baseURL,
      timeout: opts.timeoutMs ?? 60_000,
      maxRetries: opts.maxRetries ?? 4,
      // The SDK would print malformed chunks straight to stderr; our errors carry what matters.
      logLevel: 'off',
    });
  }

  async createEmbeddings(inputs: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < inputs.length; i += this.batchSize) {
      const batch = inputs.slice(i, i + this.batchSize).map((s) => (s.length > MAX_INPUT_CHARS ? s.slice(0, MAX_INPUT_CHARS) : s || ' '));
      let res: OpenAI.CreateEmbeddingResponse;
      try {
        res = await this.client.embeddings.create({
          model: this.model,
          input: batch,
          encoding_format: 'float',
          ...(this.dimensions ? { dimensions: this.dimensions } : {}),
        });
      } catch (err) {
        const status = (err as { status?: number }).status;
        throw new AppError(
          'EMBEDDING_FAILED',
          `The embedding endpoint failed${status ? ` with HTTP ${status}` : ''}: ${(err as Error).message.slice(0, 200)}`,
          { cause: err, detail: { status, model: this.model } },
        );
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
  }
}

export function createEmbedder(config: Config): EmbeddingsModel | undefined {
  if (!config.embedding.model) return undefined;
  return new OpenAIEmbeddings({
    model: config.embedding.model,
    apiKey: config.openai.apiKey,
    baseURL: config.openai.baseURL,
    dimensions: config.embedding.dimensions,
    batchSize: config.embedding.batchSize,
    timeoutMs: config.chat.timeoutMs,
    maxRetries: config.chat.maxRetries,
  });
}

export function normalizeVector(v: number[]): number[] {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}
