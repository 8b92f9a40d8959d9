import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHAT_ANSWER, deterministicEmbedding, startOpenAIServer, type FakeOpenAIServer } from './openai-server.js';

const API_KEY = 'sk-test-key';
const EMBED_MODEL = 'text-embedding-3-small';
const CHAT_MODEL = 'gpt-4o-mini';

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('fake OpenAI server', () => {
  let server: FakeOpenAIServer;
  const client = (extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
    // logLevel 'off' keeps the SDK from printing expected failures (e.g. unparsable SSE) to stderr.
    new OpenAI({ apiKey: API_KEY, baseURL: server.url, maxRetries: 0, logLevel: 'off', ...extra });

  beforeEach(async () => {
    server = await startOpenAIServer({ apiKey: API_KEY });
  });
  afterEach(async () => {
    await server.close();
  });

  describe('deterministicEmbedding', () => {
    it('is deterministic, unit-norm and of the requested dimension', () => {
      const a = deterministicEmbedding('Attention is all you need', 64);
      expect(a).toHaveLength(64);
      expect(norm(a)).toBeCloseTo(1, 6);
      expect(deterministicEmbedding('Attention is all you need', 64)).toEqual(a);
      expect(deterministicEmbedding('ATTENTION, is all you need!', 64)).toEqual(a);
    });

    it('maps texts without words to a fixed unit vector', () => {
      const empty = deterministicEmbedding('', 16);
      expect(norm(empty)).toBe(1);
      expect(deterministicEmbedding('?!', 16)).toEqual(empty);
    });
  });

  describe('embeddings', () => {
    const texts = [
      'transformers use self attention over tokens',
      'self attention in transformers relates all tokens',
      'the recipe needs flour sugar and butter',
    ];

    it('returns one unit vector per input, in order, deterministic across calls', async () => {
      const openai = client();
      const first = await openai.embeddings.create({ model: EMBED_MODEL, input: texts, encoding_format: 'float' });
      expect(first.object).toBe('list');
      expect(first.model).toBe(EMBED_MODEL);
      expect(first.data.map((d) => d.index)).toEqual([0, 1, 2]);
      for (const [i, d] of first.data.entries()) {
        expect(d.object).toBe('embedding');
        expect(d.embedding).toHaveLength(384);
        expect(norm(d.embedding)).toBeCloseTo(1, 5);
        expect(d.embedding).toEqual(deterministicEmbedding(texts[i], 384));
      }
      expect(first.usage.prompt_tokens).toBeGreaterThan(0);
      expect(first.usage.total_tokens).toBe(first.usage.prompt_tokens);

      const again = await openai.embeddings.create({ model: EMBED_MODEL, input: texts, encoding_format: 'float' });
      expect(again.data.map((d) => d.embedding)).toEqual(first.data.map((d) => d.embedding));
      expect(server.embeddingCalls()).toBe(2);
      expect(server.embeddedInputs()).toEqual([...texts, ...texts]);
    });

    it('serves the SDK default (base64) path with exactly the float values', async () => {
      const openai = client();
      const viaBase64 = await openai.embeddings.create({ model: EMBED_MODEL, input: texts });
      expect(server.requests.at(-1)?.body.encoding_format).toBe('base64');
      const viaFloat = await openai.embeddings.create({ model: EMBED_MODEL, input: texts, encoding_format: 'float' });
      expect(server.requests.at(-1)?.body.encoding_format).toBe('float');
      expect(viaBase64.data.map((d) => d.embedding)).toEqual(viaFloat.data.map((d) => d.embedding));
    });

    it('honours a per-request dimensions parameter and a single string input', async () => {
      const res = await client().embeddings.create({ model: EMBED_MODEL, input: 'hello world', dimensions: 32 });
      expect(res.data).toHaveLength(1);
      expect(res.data[0].embedding).toHaveLength(32);
    });

    it('gives texts sharing words a higher cosine than unrelated texts', async () => {
      const res = await client().embeddings.create({ model: EMBED_MODEL, input: texts });
      const [a, b, c] = res.data.map((d) => d.embedding);
      const related = cosine(a, b);
      expect(related).toBeGreaterThan(0.3);
      expect(related).toBeGreaterThan(cosine(a, c) + 0.2);
      expect(related).toBeGreaterThan(cosine(b, c) + 0.2);
    });

    it('embeds an empty string but rejects a missing or empty input with an OpenAI-shaped 400', async () => {
      const openai = client();
      const res = await openai.embeddings.create({ model: EMBED_MODEL, input: '' });
      expect(norm(res.data[0].embedding)).toBeCloseTo(1, 6);

      for (const input of [undefined, []] as unknown as string[]) {
        const err = await openai.embeddings.create({ model: EMBED_MODEL, input }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(APIError);
        expect((err as APIError).status).toBe(400);
        expect((err as APIError).type).toBe('invalid_request_error');
        expect((err as APIError).param).toBe('input');
      }
      expect(server.embeddingCalls()).toBe(3);
      expect(server.embeddedInputs()).toEqual(['']);
    });
  });

  describe('chat completions', () => {
    const messages = [
      { role: 'system' as const, content: 'Answer from the sources.' },
      { role: 'user' as const, content: 'What is attention?' },
    ];

    it('answers non-streaming requests with the default responder', async () => {
      const res = await client().chat.completions.create({ model: CHAT_MODEL, messages });
      expect(res.object).toBe('chat.completion');
      expect(res.model).toBe(CHAT_MODEL);
      expect(res.choices[0].message).toMatchObject({ role: 'assistant', content: DEFAULT_CHAT_ANSWER });
      expect(res.choices[0].finish_reason).toBe('stop');
      expect(res.usage?.total_tokens).toBeGreaterThan(0);
    });

    it('passes messages to the responder and streams its text in several chunks', async () => {
      const seen: unknown[] = [];
      const answer = 'Attention weighs every token against every other token, see [1] and [2].';
      server.setChatResponder((req) => {
        seen.push(req.messages);
        return answer;
      });
      const stream = await client().chat.completions.create({
        model: CHAT_MODEL,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let contentChunks = 0;
      let finish: string | null = null;
      let usage: unknown;
      for await (const chunk of stream) {
        expect(chunk.object).toBe('chat.completion.chunk');
        const choice = chunk.choices[0];
        if (choice?.delta.content) {
          text += choice.delta.content;
          contentChunks++;
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(answer);
      expect(contentChunks).toBeGreaterThan(3);
      expect(finish).toBe('stop');
      expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
      expect(seen).toEqual([messages]);
      expect(server.requests.at(-1)?.body).toMatchObject({ model: CHAT_MODEL, stream: true });
    });

    it('spaces stream chunks by streamChunkDelayMs', async () => {
      const slow = await startOpenAIServer({ streamChunkDelayMs: 40, chatResponder: () => 'one two three four' });
      try {
        const openai = new OpenAI({ apiKey: 'x', baseURL: slow.url, maxRetries: 0 });
        const started = Date.now();
        let text = '';
        for await (const c of await openai.chat.completions.create({ model: CHAT_MODEL, messages, stream: true })) {
          text += c.choices[0]?.delta.content ?? '';
        }
        expect(text).toBe('one two three four');
        // role chunk + 2 content chunks + finish chunk + [DONE] => at least 4 gaps
        expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 40 - 10);
      } finally {
        await slow.close();
      }
    });
  });

  describe('other routes and auth', () => {
    it('lists the model', async () => {
      const models = [];
      for await (const m of client().models.list()) models.push(m.id);
      expect(models).toEqual(['fake-model']);
    });

    it('answers unknown routes with a 404 error body', async () => {
      const res = await fetch(`${server.url}/nope`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'not_found' } });
    });

    it('rejects a wrong API key with 401 (AuthenticationError), and records the request', async () => {
      const err = await client({ apiKey: 'sk-wrong' })
        .embeddings.create({ model: EMBED_MODEL, input: 'x' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((err as APIError).status).toBe(401);
      expect((err as APIError).code).toBe('invalid_api_key');
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0].headers.authorization).toBe('Bearer sk-wrong');
      expect(server.embeddedInputs()).toEqual([]);
    });
  });

  describe('faults', () => {
    it('429 with retry-after 0 is retried by the SDK, which then succeeds', async () => {
      server.queueFault('embeddings', { kind: 'status', status: 429, headers: { 'retry-after': '0' } });
      const started = Date.now();
      const res = await client({ maxRetries: 2 }).embeddings.create({ model: EMBED_MODEL, input: ['a b'] });
      expect(res.data).toHaveLength(1);
      expect(server.embeddingCalls()).toBe(2);
      expect(server.embeddedInputs()).toEqual(['a b']);
      // retry-after: 0 means no back-off; the default would be ~0.5 s.
      expect(Date.now() - started).toBeLessThan(400);
    });

    it('without retries a 429 surfaces as RateLimitError with the OpenAI error body', async () => {
      server.queueFault('any', { kind: 'status', status: 429, headers: { 'retry-after-ms': '5' } });
      const err = await client()
        .embeddings.create({ model: EMBED_MODEL, input: 'x' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect((err as APIError).code).toBe('rate_limit_exceeded');
      expect((err as APIError).headers?.get('retry-after-ms')).toBe('5');
    });

    it('queued faults apply `times` times and only to their route', async () => {
      server.queueFault('chat', { kind: 'status', status: 503 }, 2);
      const openai = client();
      const messages = [{ role: 'user' as const, content: 'hi' }];
      await expect(openai.embeddings.create({ model: EMBED_MODEL, input: 'x' })).resolves.toBeDefined();
      await expect(openai.chat.completions.create({ model: CHAT_MODEL, messages })).rejects.toMatchObject({ status: 503 });
      await expect(openai.chat.completions.create({ model: CHAT_MODEL, messages })).rejects.toMatchObject({ status: 503 });
      await expect(openai.chat.completions.create({ model: CHAT_MODEL, messages })).resolves.toBeDefined();
    });

    it('a persistent 500 makes the SDK throw an APIError with status 500 until cleared', async () => {
      server.setPersistentFault('any', { kind: 'status', status: 500 });
      const openai = client();
      for (let i = 0; i < 2; i++) {
        const err = await openai.embeddings.create({ model: EMBED_MODEL, input: 'x' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(APIError);
        expect(err).toBeInstanceOf(OpenAI.InternalServerError);
        expect((err as APIError).status).toBe(500);
      }
      server.setPersistentFault('any', null);
      await expect(openai.embeddings.create({ model: EMBED_MODEL, input: 'x' })).resolves.toBeDefined();
      expect(server.embeddingCalls()).toBe(3);
      expect(server.embeddedInputs()).toEqual(['x']);
    });

    it('a stall makes the SDK time out, and close() still completes promptly', async () => {
      server.setPersistentFault('embeddings', { kind: 'stall' });
      const started = Date.now();
      const err = await client({ timeout: 300 })
        .embeddings.create({ model: EMBED_MODEL, input: 'x' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIConnectionTimeoutError);
      expect(Date.now() - started).toBeLessThan(2000);

      // A second stalled request still in flight when the server shuts down.
      const pending = client()
        .embeddings.create({ model: EMBED_MODEL, input: 'y' })
        .catch((e: unknown) => e);
      await vi.waitFor(() => expect(server.embeddingCalls()).toBe(2));
      const closeStarted = Date.now();
      await server.close();
      expect(Date.now() - closeStarted).toBeLessThan(500);
      // The SDK reports a server-side socket destroy as a connection error, not a timeout.
      expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(await pending).not.toBeInstanceOf(APIConnectionTimeoutError);
    });

    it('stall with ms answers normally after the pause', async () => {
      server.queueFault('embeddings', { kind: 'stall', ms: 100 });
      const started = Date.now();
      const res = await client().embeddings.create({ model: EMBED_MODEL, input: 'x' });
      expect(res.data).toHaveLength(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    });

    it('a delay longer than the SDK timeout is retried and the retry succeeds', async () => {
      server.queueFault('embeddings', { kind: 'delay', ms: 400 });
      const res = await client({ timeout: 150, maxRetries: 1 }).embeddings.create({ model: EMBED_MODEL, input: 'x' });
      expect(res.data).toHaveLength(1);
      expect(server.embeddingCalls()).toBe(2);
    });

    it('a stream cut mid-way yields the chunks sent, then the iteration throws', async () => {
      server.setChatResponder(() => 'alpha beta gamma delta epsilon zeta eta theta');
      server.queueFault('chat', { kind: 'cut', afterChunks: 2 });
      const stream = await client().chat.completions.create({
        model: CHAT_MODEL,
        messages: [{ role: 'user', content: 'q' }],
        stream: true,
      });
      const received: string[] = [];
      let error: unknown;
      try {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      } catch (e) {
        error = e;
      }
      // Chunk 1 is the role chunk (empty content), chunk 2 carries the first two words.
      expect(received).toEqual(['', 'alpha beta ']);
      // The SDK does not wrap this: it is undici's raw `TypeError: terminated`, not an OpenAIError,
      // and streaming requests are never retried.
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe('terminated');
      expect(error).not.toBeInstanceOf(OpenAI.OpenAIError);
    });

    it('a non-streaming response cut mid-body rejects (not retried)', async () => {
      server.queueFault('embeddings', { kind: 'cut' });
      const err = await client({ maxRetries: 2 })
        .embeddings.create({ model: EMBED_MODEL, input: 'x' })
        .catch((e: unknown) => e);
      // Headers arrived with 200, so the SDK has already committed: body errors are not retried.
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toBe('terminated');
      expect(server.embeddingCalls()).toBe(1);
      expect(server.embeddedInputs()).toEqual([]);
    });

    it('a malformed JSON body makes the SDK throw', async () => {
      server.queueFault('embeddings', { kind: 'malformed' });
      const err = await client()
        .embeddings.create({ model: EMBED_MODEL, input: 'x' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SyntaxError);
    });

    it('a malformed SSE stream makes the async iteration throw', async () => {
      server.queueFault('chat', { kind: 'malformed' });
      const stream = await client().chat.completions.create({
        model: CHAT_MODEL,
        messages: [{ role: 'user', content: 'q' }],
        stream: true,
      });
      const consume = async () => {
        for await (const _ of stream) void _;
      };
      await expect(consume()).rejects.toBeInstanceOf(SyntaxError);
    });

    it('stallBody: the SDK timeout does not cover the body, so a stream hangs until the socket dies', async () => {
      server.queueFault('chat', { kind: 'stallBody', afterChunks: 2 });
      const stream = await client({ timeout: 100 }).chat.completions.create({
        model: CHAT_MODEL,
        messages: [{ role: 'user', content: 'q' }],
        stream: true,
      });
      const received: string[] = [];
      const consumed = (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })().then(
        () => 'ended',
        (e: unknown) => e,
      );
      const outcome = await Promise.race([consumed, new Promise((r) => setTimeout(() => r('still-pending'), 400))]);
      expect(outcome).toBe('still-pending');
      expect(received).toEqual(['', `${DEFAULT_CHAT_ANSWER.split(' ').slice(0, 2).join(' ')} `]);
      await server.close();
      expect(await consumed).toBeInstanceOf(TypeError);
    });
  });
});
