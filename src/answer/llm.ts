/**
 * Chat client on the openai SDK for any OpenAI-compatible /v1/chat/completions endpoint.
 * The SDK's own timeout only covers the wait for response headers, so a stream that stalls after
 * them is caught here by an idle timer, and a total budget bounds the whole call, retries and
 * their waits included. max_tokens is always sent, and a server that ignores it is not read past
 * a character cap; a reply that stops short (max_tokens, a cap, a stream closed before its
 * finish_reason) says so in `cutOff` rather than passing for a complete answer.
 */
import type OpenAI from 'openai';
import { type Config, endpointOptions } from '../config.js';
import { describeRefusedWait, RetryWaitTooLong, withRetries } from '../endpoint-retry.js';
import { AppError } from '../errors.js';
import { lazyClient } from '../openai-client.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  onToken?: (delta: string, textSoFar: string) => void;
  signal?: AbortSignal;
  /** Overrides the configured total budget for this call (retries and their waits included). */
  budgetMs?: number;
  /** Epoch ms by which the call must end, when it shares a larger budget (`budgetMs`, named in errors). */
  deadline?: number;
  /** Overrides the configured max_tokens for this call. */
  maxTokens?: number;
}

/** Why a reply stops short of what the model meant to say. */
export type CutOff =
  /** finish_reason "length": the max_tokens limit was reached. */
  | 'length'
  /** The stream ended without a finish_reason (no [DONE]): the connection was closed early. */
  | 'stream'
  /** The model kept going past the character cap and we stopped reading. */
  | 'chars'
  /** Any other finish_reason, e.g. "content_filter". */
  | 'filter';

export interface ChatReply {
  text: string;
  finishReason: string | null;
  /** Set when `text` is not the model's complete answer. */
  cutOff?: CutOff;
}

export interface ChatModel {
  readonly model: string;
  /** Hard bound on one call, and the default bound on a whole answer. */
  readonly totalBudgetMs: number;
  complete(messages: ChatMessage[], opts?: ChatOptions): Promise<ChatReply>;
}

export interface OpenAIChatOptions {
  model: string;
  apiKey?: string;
  baseURL?: string;
  timeoutMs?: number;
  maxRetries?: number;
  totalBudgetMs?: number;
  temperature?: number;
  /** Sent as max_tokens. Default 1024. */
  maxOutputTokens?: number;
}

/**
 * Characters read per allowed output token before the stream is abandoned: a token is about four
 * characters of English, so this only bites a server that ignores max_tokens.
 */
export const CHARS_PER_OUTPUT_TOKEN = 6;

export class OpenAIChat implements ChatModel {
  readonly model: string;
  readonly totalBudgetMs: number;
  private readonly client: () => Promise<OpenAI>;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly temperature: number;
  private readonly maxOutputTokens: number;

  constructor(opts: OpenAIChatOptions) {
    this.model = opts.model;
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.totalBudgetMs = opts.totalBudgetMs ?? 45_000;
    this.maxRetries = opts.maxRetries ?? 2;
    this.temperature = opts.temperature ?? 0.1;
    this.maxOutputTokens = opts.maxOutputTokens ?? 1024;
    this.client = lazyClient({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeoutMs: this.timeoutMs });
  }

  async complete(messages: ChatMessage[], opts: ChatOptions = {}): Promise<ChatReply> {
    const controller = new AbortController();
    const budgetMs = Math.max(0, opts.budgetMs ?? this.totalBudgetMs);
    const deadline = opts.deadline ?? Date.now() + budgetMs;
    const maxTokens = opts.maxTokens ?? this.maxOutputTokens;
    const maxChars = maxTokens * CHARS_PER_OUTPUT_TOKEN;
    let reason: 'budget' | 'idle' | 'caller' | 'cap' | undefined;
    const abort = (why: typeof reason) => {
      reason ??= why;
      controller.abort();
    };
    const budget = setTimeout(() => abort('budget'), Math.max(0, deadline - Date.now()));
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort('idle'), this.timeoutMs);
    };
    const onCallerAbort = () => abort('caller');
    opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (opts.signal?.aborted) abort('caller');
    let text = '';
    let finishReason: string | null = null;
    let connected = false;
    try {
      const stream = await withRetries(
        async () =>
          (await this.client()).chat.completions.create(
            { model: this.model, messages, stream: true, temperature: this.temperature, max_tokens: maxTokens },
            { signal: controller.signal },
          ),
        { maxRetries: this.maxRetries, signal: controller.signal, deadline },
      );
      connected = true;
      armIdle();
      for await (const chunk of stream) {
        armIdle();
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        const delta = choice?.delta?.content ?? '';
        if (!delta) continue;
        const room = maxChars - text.length;
        text += delta.slice(0, room);
        opts.onToken?.(delta.slice(0, room), text);
        if (delta.length >= room) {
          // Leaving the loop cancels the request: nothing more of a runaway answer is read.
          reason ??= 'cap';
          break;
        }
      }
      if (controller.signal.aborted) throw new Error('aborted');
      const cutOff: CutOff | undefined =
        reason === 'cap'
          ? 'chars'
          : finishReason === 'length'
            ? 'length'
            : finishReason === null
              ? 'stream'
              : finishReason !== 'stop'
                ? 'filter'
                : undefined;
      return { text, finishReason, ...(cutOff ? { cutOff } : {}) };
    } catch (err) {
      const status = err instanceof RetryWaitTooLong ? err.status : (err as { status?: number }).status;
      const what =
        err instanceof RetryWaitTooLong
          ? describeRefusedWait(err)
          : reason === 'budget'
            ? `took longer than ${budgetMs} ms`
            : reason === 'idle'
              ? `stopped sending for ${this.timeoutMs} ms`
              : reason === 'caller'
                ? 'was cancelled'
                : status
                  ? `answered HTTP ${status}`
                  : text
                    ? 'cut the stream mid-answer'
                    : connected
                      ? `sent a broken stream (${(err as Error).message.slice(0, 120)})`
                      : `could not be reached (${(err as Error).message.slice(0, 120)})`;
      throw new AppError('LLM_FAILED', `The language model ${what}.`, {
        cause: err,
        detail: { status, reason, partialChars: text.length, ...(err instanceof RetryWaitTooLong ? { waitMs: err.waitMs } : {}) },
      });
    } finally {
      clearTimeout(budget);
      clearTimeout(idle);
      opts.signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

export function createChatModel(config: Config): ChatModel | undefined {
  if (!config.chat.model) return undefined;
  return new OpenAIChat({
    model: config.chat.model,
    ...endpointOptions(config),
    totalBudgetMs: config.chat.totalBudgetMs,
    temperature: config.chat.temperature,
    maxOutputTokens: config.chat.maxOutputTokens,
  });
}
