/**
 * Bounds on what the model and embedding endpoints can cost one answer, through the real openai
 * SDK against the misbehaving fake server: LLM_TOTAL_BUDGET_MS is a wall for the whole answer
 * (429 + huge retry-after, retry waits, a follow-up rewrite and the answer together), a shutdown
 * cancels a retry wait, a truncated stream is never shown as a complete answer, max_tokens is
 * sent and a runaway model is not read past the character cap, and an embedding outage answers
 * from the lexical index within the budget.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerQuestion, completeSentences, summarizeTopic, type AnswerResult } from '../../src/answer/engine.js';
import { CHARS_PER_OUTPUT_TOKEN, OpenAIChat } from '../../src/answer/llm.js';
import { loadConfig } from '../../src/config.js';
import { openRetriever, runIngest } from '../../src/context.js';
import { OpenAIEmbeddings } from '../../src/index/embeddings.js';
import type { Retriever } from '../../src/index/search.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';
import { buildIndex, SHIPPED_CORPUS, type BuiltIndex } from './helpers.js';

const BUDGET_MS = 2000;
/** Slack for socket teardown and the digest itself. */
const MARGIN_MS = 1000;
const DOMINO_Q = "what's Domino's max training speedup over Megatron-LM on DGX-H100?";
const FIRST = 'Domino achieves up to 1.3x speedup over Megatron-LM on DGX-H100 GPUs [1].';
const SECOND = 'It overlaps the communication of one batch with the computation of another batch to hide it [1].';

let server: FakeOpenAIServer;
let lexical: BuiltIndex;

function chatAt(extra: Partial<ConstructorParameters<typeof OpenAIChat>[0]> = {}): OpenAIChat {
  return new OpenAIChat({
    model: 'fake-model',
    apiKey: 'sk-test',
    baseURL: server.url,
    maxRetries: 2,
    timeoutMs: 1500,
    totalBudgetMs: BUDGET_MS,
    ...extra,
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ r: T; ms: number }> {
  const t0 = Date.now();
  const r = await work();
  return { r, ms: Date.now() - t0 };
}

function expectDigest(r: AnswerResult, reason: RegExp): void {
  expect(r.mode).toBe('extractive');
  expect(r.fallbackReason).toMatch(reason);
  expect(r.answer).toContain('1.3x');
  expect(r.citations.length).toBeGreaterThan(0);
}

beforeAll(async () => {
  [server, lexical] = await Promise.all([startOpenAIServer({ dimensions: 32 }), buildIndex()]);
});
afterAll(async () => {
  await server?.close();
  await lexical?.cleanup();
});
beforeEach(() => {
  server.reset();
  server.setChatResponder(() => `${FIRST} ${SECOND}`);
});

describe('LLM_TOTAL_BUDGET_MS is a wall for the whole answer', () => {
  it.each([
    ['retry-after: 3600', { 'retry-after': '3600' }, /answered HTTP 429 and asked to wait 3600 s/],
    ['retry-after-ms: 40000', { 'retry-after-ms': '40000' }, /answered HTTP 429 and asked to wait 40 s/],
  ])('429 with %s falls back to the digest at once instead of waiting', async (_name, headers, reason) => {
    server.setPersistentFault('chat', { kind: 'status', status: 429, headers });
    const { r, ms } = await timed(() => answerQuestion({ retriever: lexical.retriever, chat: chatAt() }, DOMINO_Q));
    expectDigest(r, reason);
    expect(ms).toBeLessThan(BUDGET_MS);
    // The wait was refused, not started: one request, no retry.
    expect(server.chatCalls()).toBe(1);
  });

  it('retry waits that fit are taken, and the one that would end past the budget is not', async () => {
    server.setPersistentFault('chat', { kind: 'status', status: 429, headers: { 'retry-after': '0.8' } });
    const { r, ms } = await timed(() => answerQuestion({ retriever: lexical.retriever, chat: chatAt({ maxRetries: 5 }) }, DOMINO_Q));
    expectDigest(r, /answered HTTP 429 and asked to wait 1 s, longer than the time left/);
    expect(ms).toBeLessThan(BUDGET_MS + MARGIN_MS);
    // 0.8 s waits: the first two fit in 2 s, the third would not.
    expect(server.chatCalls()).toBe(3);
  });

  it('a retry-after within the budget is still honoured and the model answers', async () => {
    server.queueFault('chat', { kind: 'status', status: 429, headers: { 'retry-after-ms': '300' } });
    const { r, ms } = await timed(() => answerQuestion({ retriever: lexical.retriever, chat: chatAt() }, DOMINO_Q));
    expect(r.mode).toBe('llm');
    expect(server.chatCalls()).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it('a caller abort (bot shutdown) cancels a retry wait at once', async () => {
    server.setPersistentFault('chat', { kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const { r, ms } = await timed(() =>
      answerQuestion({ retriever: lexical.retriever, chat: chatAt({ totalBudgetMs: 60_000 }) }, DOMINO_Q, { signal: ac.signal }),
    );
    expectDigest(r, /was cancelled/);
    expect(ms).toBeLessThan(300 + MARGIN_MS);
  });

  it('a follow-up rewrite and the answer share one budget', async () => {
    // Both calls stall after the headers; alone, each would use its idle timeout (1.8 s).
    server.setPersistentFault('chat', { kind: 'stallBody', afterChunks: 0 });
    const history = [{ question: 'what does Domino do?', answer: 'It overlaps communication [1].', citedTitles: [] }];
    const { r, ms } = await timed(() =>
      answerQuestion({ retriever: lexical.retriever, chat: chatAt({ timeoutMs: 1800, maxRetries: 0 }) }, 'and its speedup?', { history }),
    );
    expect(r.mode).toBe('extractive');
    expect(r.fallbackReason).toMatch(/took longer than 2000 ms/);
    expect(server.chatCalls()).toBe(2);
    expect(ms).toBeLessThan(BUDGET_MS + MARGIN_MS);
  });
});

describe('a truncated stream is never shown as a complete answer', () => {
  it('a stream that ends without finish_reason or [DONE] keeps its complete sentences and says it was cut off', async () => {
    server.setPersistentFault('chat', { kind: 'noFinish', afterChunks: 10 });
    const r = await answerQuestion({ retriever: lexical.retriever, chat: chatAt() }, DOMINO_Q);
    expect(r.mode).toBe('llm');
    expect(r.truncated).toBe(true);
    expect(r.answer).toBe(
      `${FIRST}\n\n_(Answer cut off: the model's stream ended before the answer was finished. Only its complete sentences are shown.)_`,
    );
    expect(r.citations.map((c) => c.marker)).toEqual([1]);
  });

  it('finish_reason "length" keeps what is complete', async () => {
    server.setPersistentFault('chat', { kind: 'finishLength', afterChunks: 9 });
    const r = await answerQuestion({ retriever: lexical.retriever, chat: chatAt() }, DOMINO_Q);
    expect(r.truncated).toBe(true);
    expect(r.answer.startsWith(`${FIRST}\n\n_(Answer cut off: the model reached its output limit.`)).toBe(true);
    expect(r.answer).not.toContain('It overlaps');
  });

  it('cut before any complete cited sentence: the digest, with the reason', async () => {
    server.setPersistentFault('chat', { kind: 'finishLength', afterChunks: 4 });
    const r = await answerQuestion({ retriever: lexical.retriever, chat: chatAt() }, DOMINO_Q);
    expectDigest(r, /^the model's answer was cut off \(the model reached its output limit\)$/);
    expect(r.truncated).toBeUndefined();
  });

  it('a summary cut off at the output limit says so too', async () => {
    server.setChatResponder(() => '- Perplexity correlations select data [1]. - PreSelect is 10x cheaper [3]. - More words follow here');
    server.setPersistentFault('chat', { kind: 'finishLength', afterChunks: 9 });
    const r = await summarizeTopic({ retriever: lexical.retriever, chat: chatAt() }, 'data selection for language model pretraining');
    expect(r.mode).toBe('llm');
    expect(r.truncated).toBe(true);
    expect(r.answer).toMatch(/10x cheaper \[3\]\.\n\n_\(Answer cut off: the model reached its output limit\./);
  });

  it('a complete stream is not marked', async () => {
    const r = await answerQuestion({ retriever: lexical.retriever, chat: chatAt() }, DOMINO_Q);
    expect(r.mode).toBe('llm');
    expect(r.truncated).toBeUndefined();
    expect(r.answer).toBe(`${FIRST} ${SECOND}`);
  });

  it('completeSentences keeps markers and closing brackets, drops a dangling clause', () => {
    expect(completeSentences('One [1]. Two (three) [2][3]. Four fi')).toBe('One [1]. Two (three) [2][3].');
    expect(completeSentences('Speed is 1.3x better')).toBe('');
    expect(completeSentences('- **A**: done [1].\n- **B**: half')).toBe('- **A**: done [1].');
  });
});

describe('model output is bounded', () => {
  it('sends max_tokens (configured, default 1024)', async () => {
    await answerQuestion({ retriever: lexical.retriever, chat: chatAt() }, DOMINO_Q);
    await answerQuestion({ retriever: lexical.retriever, chat: chatAt({ maxOutputTokens: 300 }) }, DOMINO_Q);
    const bodies = server.requests.filter((q) => q.path === '/v1/chat/completions').map((q) => q.body);
    expect(bodies.map((b) => b.max_tokens)).toEqual([1024, 300]);
  });

  it('a runaway model that ignores max_tokens is not read past the character cap', async () => {
    server.setPersistentFault('chat', { kind: 'runaway', text: 'Domino is fast [1]. ' });
    const maxOutputTokens = 100;
    const { r, ms } = await timed(() => answerQuestion({ retriever: lexical.retriever, chat: chatAt({ maxOutputTokens }) }, DOMINO_Q));
    expect(r.mode).toBe('llm');
    expect(r.truncated).toBe(true);
    const body = r.answer.slice(0, r.answer.indexOf('\n\n_(Answer cut off'));
    expect(body.length).toBeLessThanOrEqual(maxOutputTokens * CHARS_PER_OUTPUT_TOKEN);
    expect(body.endsWith('Domino is fast [1].')).toBe(true);
    expect(r.answer).toContain('the model ran past the length cap');
    expect(ms).toBeLessThan(BUDGET_MS);
    // The request was dropped: the server stopped long before its 64 MB.
    await new Promise((res) => setTimeout(res, 200));
    expect(server.runawayChars()).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('an embedding outage answers from the lexical index', () => {
  let hybridDir: string;
  let hybrid: Retriever;
  const embedder = (extra: Partial<ConstructorParameters<typeof OpenAIEmbeddings>[0]> = {}) =>
    new OpenAIEmbeddings({ model: 'fake-embed', baseURL: server.url, maxRetries: 2, timeoutMs: 20_000, ...extra });

  beforeAll(async () => {
    hybridDir = await mkdtemp(join(tmpdir(), 'rb-bounds-hybrid-'));
    const config = loadConfig({
      CORPUS_DIR: SHIPPED_CORPUS,
      INDEX_DIR: hybridDir,
      EMBEDDING_MODEL: 'fake-embed',
      EMBEDDING_QUERY_TIMEOUT_MS: '800',
    });
    await runIngest(config, { embedder: embedder() });
    hybrid = await openRetriever(config, { embedder: embedder() });
  });
  afterAll(async () => {
    await hybrid?.store.close();
    if (hybridDir) await rm(hybridDir, { recursive: true, force: true });
  });

  it('a healthy endpoint gives a hybrid answer', async () => {
    const r = await answerQuestion({ retriever: hybrid }, DOMINO_Q);
    expect(r.retrieval).toBe('hybrid');
    expect(r.retrievalFallback).toBeUndefined();
    expect(server.embeddingCalls()).toBe(1);
  });

  it('a hanging endpoint costs EMBEDDING_QUERY_TIMEOUT_MS once, then questions skip it for a while', async () => {
    server.setPersistentFault('embeddings', { kind: 'stall' });
    const first = await timed(() => answerQuestion({ retriever: hybrid, chat: chatAt() }, DOMINO_Q));
    expect(first.r.retrieval).toBe('lexical');
    expect(first.r.retrievalFallback).toBe('the embedding endpoint failed to answer in time');
    expect(first.r.mode).toBe('llm');
    expect(first.r.answer).toContain('1.3x');
    expect(first.ms).toBeGreaterThanOrEqual(780);
    expect(first.ms).toBeLessThan(800 + MARGIN_MS);
    const second = await timed(() => answerQuestion({ retriever: hybrid, chat: chatAt() }, 'what is DropPos?'));
    expect(second.r.retrievalFallback).toBe(first.r.retrievalFallback);
    expect(second.ms).toBeLessThan(500);
    expect(server.embeddingCalls()).toBe(1);
  });

  it('the question embedding shares the answer budget: a shorter budget cuts it sooner', async () => {
    server.setPersistentFault('embeddings', { kind: 'stall' });
    const config = loadConfig({ EMBEDDING_QUERY_TIMEOUT_MS: '5000' });
    const fresh = await openRetriever({ ...config, indexDir: hybridDir }, { embedder: embedder() });
    try {
      const { r, ms } = await timed(() => answerQuestion({ retriever: fresh, budgetMs: 600 }, DOMINO_Q));
      expect(r.retrieval).toBe('lexical');
      expect(r.mode).toBe('extractive');
      expect(r.answer).toContain('1.3x');
      expect(ms).toBeLessThan(600 + MARGIN_MS);
    } finally {
      await fresh.store.close();
    }
  });

  it('an ingest (no deadline) refuses a retry-after over 60 s instead of sleeping an hour', async () => {
    server.setPersistentFault('embeddings', { kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    const { r: err, ms } = await timed(() =>
      embedder()
        .createEmbeddings(['some text'])
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    expect(err).toMatchObject({
      code: 'EMBEDDING_FAILED',
      userMessage:
        'The embedding endpoint failed: it answered HTTP 429 and asked to wait 3600 s, longer than the 60 s research-bot waits at most.',
    });
    expect(ms).toBeLessThan(1000);
    expect(server.embeddingCalls()).toBe(1);
  });

  it('a closed port fails over at once', async () => {
    const s = createServer();
    await new Promise<void>((res) => s.listen(0, '127.0.0.1', () => res()));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((res) => s.close(() => res()));
    const config = loadConfig({});
    const dead = await openRetriever(
      { ...config, indexDir: hybridDir },
      { embedder: embedder({ baseURL: `http://127.0.0.1:${port}/v1` }) },
    );
    try {
      const { r, ms } = await timed(() => answerQuestion({ retriever: dead }, DOMINO_Q));
      expect(r.retrieval).toBe('lexical');
      expect(r.retrievalFallback).toMatch(/^the embedding endpoint failed: Connection error/);
      expect(r.answer).toContain('1.3x');
      expect(ms).toBeLessThan(2500);
    } finally {
      await dead.store.close();
    }
  });
});
