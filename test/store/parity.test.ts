/**
 * Both stores must rank alike: on the dev questions over the full shipped corpus, the top-5
 * papers of vectra and Postgres are compared, lexical and hybrid (64-dim fake vectors). The
 * measured shares are printed; the lexical ranking choice in postgres/store.ts quotes them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleKey } from '../../src/corpus/normalize.js';
import { OpenAIEmbeddings } from '../../src/index/embeddings.js';
import { ingest } from '../../src/index/ingest.js';
import { queryTerms } from '../../src/index/lexical.js';
import { PostgresStore } from '../../src/index/postgres/store.js';
import { PostgresWriter } from '../../src/index/postgres/writer.js';
import type { SearchStore } from '../../src/index/search-store.js';
import { denseDepth, Retriever } from '../../src/index/search.js';
import { IndexStore } from '../../src/index/store.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';
import { startTestDatabase, type TestDatabase } from '../servers/postgres-server.js';

const ROOT = join(import.meta.dirname, '../..');
const DEV = join(ROOT, 'eval', 'dev.jsonl');
const CORPUS = join(ROOT, 'data', 'corpus');
const MODEL = 'parity-embed';
const DIMS = 64;

interface Question {
  id: string;
  question: string;
  expected_titles: string[];
}

let db: TestDatabase;
let server: FakeOpenAIServer;
let indexDir: string;
let questions: Question[];
let vectra: IndexStore;
let pgBm25: PostgresStore;
let pgTsRank: PostgresStore;
let pgHnsw: PostgresStore;
const qvec = new Map<string, number[]>();

const embedder = () => new OpenAIEmbeddings({ model: MODEL, baseURL: server.url, maxRetries: 0, timeoutMs: 10_000, dimensions: DIMS });

beforeAll(async () => {
  [db, server] = await Promise.all([startTestDatabase(), startOpenAIServer({ dimensions: DIMS })]);
  indexDir = await mkdtemp(join(tmpdir(), 'rb-parity-'));
  questions = (await readFile(DEV, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Question);
  // The same corpus and embedding cache into both stores: the second ingest embeds nothing.
  const v = await ingest({ corpusDir: CORPUS, indexDir, embedder: embedder() });
  server.reset();
  const writer = new PostgresWriter(db.url);
  const p = await ingest({ corpusDir: CORPUS, indexDir, embedder: embedder(), writer }).finally(() => writer.close());
  expect(server.embeddingCalls()).toBe(0);
  expect(p.papers).toBe(v.papers);
  vectra = await IndexStore.open(indexDir);
  pgBm25 = await PostgresStore.open({ databaseUrl: db.url });
  pgTsRank = await PostgresStore.open({ databaseUrl: db.url, lexicalRanking: 'ts_rank' });
  pgHnsw = await PostgresStore.open({ databaseUrl: db.url, vectorSearch: 'hnsw' });
  const vectors = await embedder().createEmbeddings(questions.map((q) => q.question));
  questions.forEach((q, i) => qvec.set(q.id, vectors[i]));
});

afterAll(async () => {
  await pgBm25?.close();
  await pgTsRank?.close();
  await pgHnsw?.close();
  await db?.close();
  await server?.close();
  await rm(indexDir, { recursive: true, force: true });
});

async function top5(store: SearchStore, q: Question, hybrid: boolean): Promise<string[]> {
  const r = new Retriever(store);
  const hits = await r.search(q.question, { k: 5, queryVector: hybrid ? qvec.get(q.id) : undefined });
  return hits.map((h) => h.paper.id);
}

function recallAt5(store: SearchStore, q: Question, ids: string[]): number {
  const keys = ids.map((id) => titleKey(store.paperById.get(id)!.title));
  return q.expected_titles.filter((t) => keys.includes(titleKey(t))).length / q.expected_titles.length;
}

interface Measured {
  same: number;
  share: number;
  recallVectra: number;
  recallPostgres: number;
}

async function measure(pg: SearchStore, hybrid: boolean): Promise<Measured> {
  let same = 0;
  let rv = 0;
  let rp = 0;
  const answerable = questions.filter((q) => q.expected_titles.length > 0);
  for (const q of questions) {
    const a = await top5(vectra, q, hybrid);
    const b = await top5(pg, q, hybrid);
    if (a.length === b.length && [...a].sort().join() === [...b].sort().join()) same++;
    if (q.expected_titles.length) {
      rv += recallAt5(vectra, q, a);
      rp += recallAt5(pg, q, b);
    }
  }
  return { same, share: same / questions.length, recallVectra: rv / answerable.length, recallPostgres: rp / answerable.length };
}

function report(label: string, m: Measured): string {
  const line =
    `${label}: same top-5 papers on ${m.same}/${questions.length} questions (${(m.share * 100).toFixed(1)}%); ` +
    `Recall@5 vectra ${m.recallVectra.toFixed(3)}, postgres ${m.recallPostgres.toFixed(3)}`;
  console.log(`[parity] ${line}`);
  return line;
}

describe('vectra / postgres parity on the dev questions (full shipped corpus)', () => {
  it('has the full corpus and the dev questions in both stores', () => {
    expect(questions.length).toBeGreaterThanOrEqual(40);
    expect(pgBm25.papers.map((p) => p.id)).toEqual(vectra.papers.map((p) => p.id));
    expect(pgBm25.chunks.length).toBe(vectra.chunks.length);
    expect(pgBm25.termStats.size).toBe(vectra.termStats.size);
  });

  it('lexical (BM25F re-rank): the same top-5 papers for >= 95% of questions, with identical scores', async () => {
    const m = await measure(pgBm25, false);
    const line = report('lexical, BM25F re-rank', m);
    expect(m.share, line).toBeGreaterThanOrEqual(0.95);
    expect(m.recallPostgres, line).toBeCloseTo(m.recallVectra, 6);
    // Chunk-level scores are bit-identical to the embedded BM25F for every question.
    for (const q of questions) {
      const terms = queryTerms(q.question);
      expect(await pgBm25.lexicalSearch(terms, 50), q.id).toEqual(await vectra.lexicalSearch(terms, 50));
    }
  });

  it('hybrid (64-dim vectors, RRF), vectors in memory: the same top-5 papers on every question; the same vector hits and scores', async () => {
    const m = await measure(pgBm25, true);
    const line = report('hybrid, BM25F re-rank + vectors in memory', m);
    expect(m.share, line).toBe(1);
    const depth = denseDepth(10);
    for (const q of questions) {
      const v = qvec.get(q.id)!;
      expect(await pgBm25.vectorSearch(v, depth), q.id).toEqual(await vectra.vectorSearch(v, depth));
    }
    // The int8 shortlist (past VECTOR_INT8_MIN_ROWS) is the same scan in both stores.
    const [vectra8, pg8] = [
      await IndexStore.open(indexDir, { int8MinRows: 0 }),
      await PostgresStore.open({ databaseUrl: db.url, int8MinRows: 0 }),
    ];
    try {
      expect(vectra8.vectors?.quantisedScan).toBe(true);
      for (const q of questions) {
        const v = qvec.get(q.id)!;
        expect(await pg8.vectorSearch(v, depth), q.id).toEqual(await vectra8.vectorSearch(v, depth));
      }
    } finally {
      await pg8.close();
    }
  });

  it('hybrid (64-dim vectors, RRF), PG_VECTOR_SEARCH=hnsw: the same top-5 papers for >= 95% of questions', async () => {
    const m = await measure(pgHnsw, true);
    const line = report('hybrid, BM25F re-rank + pgvector HNSW', m);
    expect(m.share, line).toBeGreaterThanOrEqual(0.95);
    // Dense neighbours agree too (float4 in pgvector vs float32 in vectra: scores within 1e-5).
    for (const q of questions.slice(0, 10)) {
      const a = await vectra.vectorSearch(qvec.get(q.id)!, 10);
      const b = await pgHnsw.vectorSearch(qvec.get(q.id)!, 10);
      expect(
        b.map((h) => h.doc),
        q.id,
      ).toEqual(a.map((h) => h.doc));
      b.forEach((h, i) => expect(h.score).toBeCloseTo(a[i].score, 5));
    }
  });

  it('plain ts_rank ordering is measurably worse than the BM25F re-rank (why the re-rank is kept)', async () => {
    const rerank = await measure(pgBm25, false);
    const tsRank = await measure(pgTsRank, false);
    const line = report('lexical, ts_rank order only', tsRank);
    expect(tsRank.share, line).toBeLessThan(rerank.share);
    expect(tsRank.recallPostgres, line).toBeLessThanOrEqual(rerank.recallPostgres);
  });
});
