/**
 * The openai SDK client for an OpenAI-compatible endpoint, made by the first call that needs it: a process with no
 * endpoint configured (the offline default) never loads the SDK: importing the app took 65 MB of resident memory with
 * it, 60 MB without, in the bot and in every `ask`.
 */
import type OpenAI from 'openai';

export interface ClientOptions {
  apiKey?: string;
  baseURL?: string;
  timeoutMs: number;
}

/** A getter for one client, loaded and made on its first call. */
export function lazyClient(opts: ClientOptions): () => Promise<OpenAI> {
  let client: Promise<OpenAI> | undefined;
  return () => {
    client ??= import('openai').then(
      ({ default: Sdk }) =>
        new Sdk({
          // Local servers (Ollama, vLLM) accept any key; the SDK insists on one.
          apiKey: opts.apiKey ?? 'not-needed',
          baseURL: opts.baseURL,
          timeout: opts.timeoutMs,
          // Retries are ours (endpoint-retry.ts): the SDK's own waits cannot be bounded or cancelled.
          maxRetries: 0,
          // The SDK would print malformed chunks straight to stderr; our errors carry what matters.
          logLevel: 'off',
        }),
    );
    return client;
  };
}
