/**
 * Chat client on the openai SDK for any OpenAI-compatible /v1/chat/completions endpoint.
 * The SDK's own timeout only covers the wait for response headers, so a stream that stalls after
 * them is caught here by an idle timer, and a total budget bounds the whole call.
 */
import OpenAI from 'openai';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  onToken?: (delta: string, textSoFar: string) => void;
  signal?: AbortSignal;
  /** Overrides the configured total budget for this call. */
  budgetMs?: number;
  maxTokens?: number;
}

export interface ChatModel {
  readonly model: string;
  complete(messages: ChatMessage[], opts?: ChatOptions): Promise<string>;
}

export interface OpenAIChatOptions {
  model: string;
  apiKey?: string;
  baseURL?: string;
  timeoutMs?: number;
  maxRetries?: number;
  totalBudgetMs?: number;
  temperature?: number;
}

export class OpenAIChat implements ChatModel {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;
  private readonly totalBudgetMs: number;
  private readonly temperature: number;

  constructor(opts: OpenAIChatOptions) {
    this.model = opts.model;
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.totalBudgetMs = opts.totalBudgetMs ?? 45_000;
    this.temperature = opts.temperature ?? 0.1;
    this.client = new OpenAI({
      apiKey: opts.apiKey ?? 'not-needed',
      baseURL: opts.baseURL,
      timeout: this.timeoutMs,
      maxRetries: opts.maxRetries ?? 2,
      // The SDK would print malformed chunks straight to stderr; our errors carry what matters.
      logLevel: 'off',
    });
  }

  async complete(messages: ChatMessage[], opts: ChatOptions = {}): Promise<string> {
    const controller = new AbortController();
    const budgetMs = opts.budgetMs ?? this.totalBudgetMs;
    let reason: 'budget' | 'idle' | 'caller' | undefined;
    const abort = (why: typeof reason) => {
      reason ??= why;
      controller.abort();
    };
    const budget = setTimeout(() => abort('budget'), budgetMs);
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort('idle'), this.timeoutMs);
    };
    const onCallerAbort = () => abort('caller');
    opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (opts.signal?.aborted) abort('caller');
    let text = '';
    let connected = false;
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: this.model,
          messages,
          stream: true,
          temperature: this.temperature,
          ...(opts.maxTokens ? { max_tokens: opts.maxTokens } : {}),
        },
        { signal: controller.signal },
      );
      connected = true;
      armIdle();
      for await (const chunk of stream) {
        armIdle();
        const delta = chunk.choices?.[0]?.delta?.content ?? '';
        if (!delta) continue;
        text += delta;
        opts.onToken?.(delta, text);
      }
      if (controller.signal.aborted) throw new Error('aborted');
      return text;
    } catch (err) {
      const status = (err as { status?: number }).status;
      const what =
        reason === 'budget'
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
        detail: { status, reason, partialChars: text.length },
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
    apiKey: config.openai.apiKey,
    baseURL: config.openai.baseURL,
    timeoutMs: config.chat.timeoutMs,
    maxRetries: config.chat.maxRetries,
    totalBudgetMs: config.chat.totalBudgetMs,
    temperature: config.chat.temperature,
  });
}
