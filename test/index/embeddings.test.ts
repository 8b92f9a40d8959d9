import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { createEmbedder, normalizeVector, OpenAIEmbeddings } from '../../src/index/embeddings.js';
import { deterministicEmbedding, startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';

const DIMS = 16;

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('OpenAIEmbeddings against the fake OpenAI server', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ dimensions: DIMS });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
  });

  const embedder = (opts: Partial<ConstructorParameters<typeof OpenAIEmbeddings>[0]> = {}) =>
    new OpenAIEmbeddings({ model: 'test-embed', baseURL: server.url, maxRetries: 0, timeoutMs: 5000, ...opts });

  it('batches inputs and preserves their order', async () => {
    const inputs = Array.from({ length: 10 }, (_, i) => `input number ${i} about topic ${i * 7}`);
    const vectors = await embedder({ batchSize: 4 }).createEmbeddings(inputs);
    expect(server.embeddingCalls()).toBe(3);
    const sent = server.requests.filter((r) => r.path === '/v1/embeddings').map((r) => r.body.input as string[]);
    expect(sent.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(sent.flat()).toEqual(inputs);
    expect(server.embeddedInputs()).toEqual(inputs);
    expect(vectors).toHaveLength(10);
    vectors.forEach((v, i) => expect(v).toEqual(deterministicEmbedding(inputs[i], DIMS)));
    // Distinct inputs give distinct vectors, so the order check above is meaningful.
    expect(vectors[0]).not.toEqual(vectors[1]);
  });

  it('sends the model, float encoding and requested dimensions', async () => {
    await embedder({ dimensions: 8 })
      .createEmbeddings(['hello world'])
      .then((v) => expect(v[0]).toHaveLength(8));
    const body = server.requests[0].body;
    expect(body).toMatchObject({ model: 'test-embed', encoding_format: 'float', dimensions: 8, input: ['hello world'] });
  });

  it('puts vectors back in input order when the server answers out of order', async () => {
    const inputs = ['alpha beta', 'gamma delta', 'epsilon zeta'];
    const data = inputs.map((t, index) => ({ object: 'embedding', index, embedding: deterministicEmbedding(t, DIMS) })).reverse();
    server.queueFault('embeddings', {
      kind: 'status',
      status: 200,
      body: { object: 'list', data, model: 'test-embed', usage: { prompt_tokens: 6, total_tokens: 6 } },
    });
    const vectors = await embedder().createEmbeddings(inputs);
    vectors.forEach((v, i) => expect(v).toEqual(deterministicEmbedding(inputs[i], DIMS)));
  });

  it('makes no request for no inputs', async () => {
    expect(await embedder().createEmbeddings([])).toEqual([]);
    expect(server.embeddingCalls()).toBe(0);
  });

  it('replaces an empty input (which the API rejects) and truncates an overlong one', async () => {
    const long = 'word '.repeat(10_000);
    await embedder().createEmbeddings(['', long]);
    const [empty, cut] = server.requests[0].body.input as string[];
    expect(empty).toBe(' ');
    expect(cut.length).toBeLessThan(long.length);
    expect(long.startsWith(cut)).toBe(true);
  });

  it('retries a 429 with retry-after 0 and then succeeds', async () => {
    server.queueFault('embeddings', { kind: 'status', status: 429, headers: { 'retry-after': '0' } });
    const vectors = await embedder({ maxRetries: 2 }).createEmbeddings(['rate limited once']);
    expect(vectors[0]).toEqual(deterministicEmbedding('rate limited once', DIMS));
    expect(server.embeddingCalls()).toBe(2);
    expect(server.embeddedInputs()).toEqual(['rate limited once']);
  });

  it('turns a persistent 500 into EMBEDDING_FAILED after the allowed retries', async () => {
    server.setPersistentFault('embeddings', { kind: 'status', status: 500 });
    const err = await failure(embedder({ maxRetries: 1 }).createEmbeddings(['doomed']));
    expect(err.code).toBe('EMBEDDING_FAILED');
    expect(err.userMessage).toMatch(/HTTP 500/);
    expect(err.detail).toMatchObject({ status: 500, model: 'test-embed' });
    expect(server.embeddingCalls()).toBe(2);
    expect(server.embeddedInputs()).toEqual([]);
  });

  it('fails a later batch with EMBEDDING_FAILED even when earlier batches succeeded', async () => {
    server.queueFault('embeddings', { kind: 'delay', ms: 0 });
    server.queueFault('embeddings', { kind: 'status', status: 503 });
    const err = await failure(embedder({ batchSize: 2 }).createEmbeddings(['a one', 'b two', 'c three']));
    expect(err.code).toBe('EMBEDDING_FAILED');
    expect(err.userMessage).toMatch(/HTTP 503/);
    expect(server.embeddedInputs()).toEqual(['a one', 'b two']);
  });

  it('reports the wrong number of vectors as EMBEDDING_FAILED', async () => {
    server.queueFault('embeddings', {
      kind: 'status',
      status: 200,
      body: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: deterministicEmbedding('x', DIMS) }],
        model: 'test-embed',
        usage: { prompt_tokens: 1, total_tokens: 1 },
      },
    });
    const err = await failure(embedder().createEmbeddings(['first', 'second']));
    expect(err.code).toBe('EMBEDDING_FAILED');
    expect(err.userMessage).toMatch(/1 vectors for 2 inputs/);
  });

  it('reports a malformed vector as EMBEDDING_FAILED', async () => {
    server.queueFault('embeddings', {
      kind: 'status',
      status: 200,
      body: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 'x', 0.3] }],
        model: 'test-embed',
        usage: { prompt_tokens: 1, total_tokens: 1 },
      },
    });
    const err = await failure(embedder().createEmbeddings(['first']));
    expect(err.code).toBe('EMBEDDING_FAILED');
    expect(err.userMessage).toMatch(/malformed/);
  });

  it('reports an unparseable response as EMBEDDING_FAILED', async () => {
    server.queueFault('embeddings', { kind: 'malformed' });
    const err = await failure(embedder().createEmbeddings(['first']));
    expect(err.code).toBe('EMBEDDING_FAILED');
  });

  it('reports an unreachable endpoint as EMBEDDING_FAILED', async () => {
    const dead = new OpenAIEmbeddings({ model: 'm', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0, timeoutMs: 2000 });
    const err = await failure(dead.createEmbeddings(['x']));
    expect(err.code).toBe('EMBEDDING_FAILED');
  });

  it('sends the API key as a bearer token', async () => {
    const authed = await startOpenAIServer({ dimensions: DIMS, apiKey: 'sk-right-key' });
    try {
      const ok = new OpenAIEmbeddings({ model: 'm', baseURL: authed.url, apiKey: 'sk-right-key', maxRetries: 0 });
      expect(await ok.createEmbeddings(['x'])).toHaveLength(1);
      const wrong = new OpenAIEmbeddings({ model: 'm', baseURL: authed.url, apiKey: 'sk-wrong-key', maxRetries: 0 });
      const err = await failure(wrong.createEmbeddings(['x']));
      expect(err.code).toBe('EMBEDDING_FAILED');
      expect(err.userMessage).toMatch(/HTTP 401/);
      expect(err.userMessage).not.toContain('sk-wrong-key');
    } finally {
      await authed.close();
    }
  });
});

describe('createEmbedder', () => {
  it('is undefined without EMBEDDING_MODEL and configured from the environment otherwise', () => {
    expect(createEmbedder(loadConfig({}))).toBeUndefined();
    const e = createEmbedder(
      loadConfig({ EMBEDDING_MODEL: 'nomic-embed-text', EMBEDDING_BATCH_SIZE: '7', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }),
    );
    expect(e).toBeInstanceOf(OpenAIEmbeddings);
    expect(e!.model).toBe('nomic-embed-text');
    expect(e!.batchSize).toBe(7);
  });
});

describe('normalizeVector', () => {
  it('scales to unit length and leaves a zero vector finite', () => {
    const v = normalizeVector([3, 4]);
    expect(v[0]).toBeCloseTo(0.6);
    expect(v[1]).toBeCloseTo(0.8);
    expect(normalizeVector([0, 0])).toEqual([0, 0]);
  });
});
