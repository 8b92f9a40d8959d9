/**
 * One contract, two backends: the same suite runs against vectra (temp dirs) and Postgres
 * (PGlite + pgvector over the wire protocol, reached through the production `pg` code).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { AppError } from '../../src/errors.js';
import { embeddingText } from '../../src/index/chunk.js';
import { OpenAIEmbeddings, type EmbeddingsModel } from '../../src/index/embeddings.js';
import { ingest, type IngestOptions, type IngestSummary } from '../../src/index/ingest.js';
import { queryTerms } from '../../src/index/lexical.js';
import { TOKENIZER_VERSION, tokenize } from '../../src/index/tokenize.js';
import { PostgresStore } from '../../src/index/postgres/store.js';
import { decodePostings } from '../../src/index/postgres/postings.js';
import { hnswIndexName, sharedHnswIndexName } from '../../src/index/postgres/schema.js';
import { INGEST_LOCK_KEY, PostgresWriter } from '../../src/index/postgres/writer.js';
import type { GenerationWriter, SearchStore } from '../../src/index/search-store.js';
import { Retriever } from '../../src/index/search.js';
import { IndexStore } from '../../src/index/store.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';
import { postgresBackend, vectraBackend, type StoreBackend, type StoreHandle } from './backends.js';
import { TEST_DB_PASSWORD } from '../servers/postgres-server.js';

const ROOT = join(import.meta.dirname, '../..');
const CORPUS = join(ROOT, 'data/corpus');
const F1 = '001_ee0c38c5b4709230.txt'; // 88 papers
const F2 = '002_8ade21b1ef0670a8.txt'; // 32 papers
const F4 = '004_ca378cfbdc088b08.txt'; // 117 papers

let root: string;
let server: FakeOpenAIServer;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-store-'));
  server = await startOpenAIServer({ dimensions: 16 });
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => server.reset());

async function corpusOf(files: string[]): Promise<string> {
  const dir = join(root, `c${n++}`);
  await mkdir(dir, { recursive: true });
  for (const f of files) await writeFile(join(dir, f), await readFile(join(CORPUS, f)));
  return dir;
}

const freshModel = () => `embed-${randomUUID().slice(0, 8)}`;
const embedder = (model: string, dimensions?: number) =>
  new OpenAIEmbeddings({ model, baseURL: server.url, maxRetries: 0, timeoutMs: 10_000, dimensions });

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function replaceInFile(path: string, from: string, to: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  expect(text).toContain(from);
  await writeFile(path, text.replace(from, to));
}

/** The shared contract every SearchStore / GenerationWriter pair must meet. */
function storeContract(backend: StoreBackend): void {
  describe(`store contract: ${backend.kind}`, () => {
    let h: StoreHandle;
    const open: SearchStore[] = [];

    beforeAll(() => backend.start());
    beforeEach(async () => {
      h = await backend.fresh(join(root, `i${n++}`));
    });
    afterAll(async () => {
      for (const s of open) await s.close();
      await backend.stop();
    });

    /** Ingest through a writer of this backend. */
    async function run(
      corpusDir: string,
      opts: Partial<IngestOptions> = {},
      writer: GenerationWriter = h.writer(),
    ): Promise<IngestSummary> {
      try {
        return await ingest({ corpusDir, indexDir: h.indexDir, writer, ...opts });
      } finally {
        await writer.close();
      }
    }

    async function openStore(): Promise<SearchStore> {
      const s = await h.open();
      open.push(s);
      return s;
    }

    async function top(store: SearchStore, query: string, emb?: EmbeddingsModel, k = 3): Promise<string[]> {
      return (await new Retriever(store, emb).search(query, { k })).map((x) => x.paper.title);
    }

    it('builds from a small corpus; search finds the expected papers; an unchanged corpus is up to date', async () => {
      const corpus = await corpusOf([F2, F4]);
      const s = await run(corpus);
      expect(s).toMatchObject({ upToDate: false, papers: 145, chunks: 145, files: 2, embedding: null });
      expect(await h.live()).toBe(s.generation);

      const store = await openStore();
      expect(store.kind).toBe(backend.kind);
      expect(store.generation).toBe(s.generation);
      expect(store.manifest.generation).toBe(s.generation);
      expect(store.manifest.files.map((f) => f.name)).toEqual([F2, F4]);
      const { papers } = await loadCorpus(corpus);
      expect(store.papers.map((p) => p.id)).toEqual(papers.map((p) => p.id));
      for (const p of papers) p.firstSeen = store.manifest.createdAt;
      expect(store.papers).toEqual(papers);
      expect(store.chunks).toHaveLength(145);
      store.chunks.forEach((c, i) => {
        expect(c.paperId).toBe(papers[i].id);
        expect(c.text).toBe(papers[i].abstract);
        expect(c.title).toBe(papers[i].title);
      });
      expect(store.paperById.get(papers[0].id)).toEqual(papers[0]);
      expect(store.hasVectors).toBe(false);
      expect(await store.vectorSearch(new Array(16).fill(0.1), 5)).toEqual([]);
      expect(store.termStats.size).toBe(145);
      expect(store.termStats.idf('crisi')).toBeGreaterThan(store.termStats.idf('model'));
      expect(store.termStats.idf('qqqzzzx')).toBeCloseTo(Math.log(1 + 145.5 / 0.5));

      expect((await top(store, 'DropPos pre-training by reconstructing dropped positions'))[0]).toMatch(/^DropPos:/);
      expect((await top(store, 'crisis social media texts'))[0]).toMatch(/^CrisisTransformers/);
      const hits = await store.lexicalSearch(queryTerms('crisis social media texts'), 5);
      expect(hits).toHaveLength(5);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
      expect(store.chunks[hits[0].doc].title).toMatch(/^CrisisTransformers/);
      // Nothing matches; hostile "terms" are data, never query syntax.
      expect(await store.lexicalSearch(queryTerms('qqqzzzx'), 5)).toEqual([]);
      expect(
        await store.lexicalSearch(
          new Map([
            ["crisi' | '", 1],
            ['!(&', 1],
            ['\\', 1],
            ["'); DROP TABLE rb_chunks; --", 1],
          ]),
          5,
        ),
      ).toEqual([]);
      expect(
        await store.lexicalSearch(
          new Map([
            ["o'brien", 1],
            ['model', 1],
          ]),
          3,
        ),
      ).toHaveLength(3);

      const again = await run(corpus);
      expect(again).toMatchObject({ upToDate: true, generation: s.generation });
      expect(await h.generations()).toEqual([s.generation]);
    });

    it('upserts by paper: a changed abstract re-embeds only that paper, and the old generation is removed', async () => {
      const corpus = await corpusOf([F2, F4]);
      const model = freshModel();
      const first = await run(corpus, { embedder: embedder(model) });
      expect(first.embedding).toMatchObject({ embedded: 145, reused: 0 });
      await replaceInFile(
        join(corpus, F2),
        'Social media platforms play an essential role in crisis communication',
        'Social media platforms play a pivotal role in crisis communication',
      );

      server.reset();
      const second = await run(corpus, { embedder: embedder(model) });
      expect(second.upToDate).toBe(false);
      expect(second.generation).not.toBe(first.generation);
      expect(second.embedding).toMatchObject({ embedded: 1, reused: 144, calls: 1 });
      const store = await openStore();
      const crisis = store.papers.find((p) => p.title.startsWith('CrisisTransformers'))!;
      expect(crisis.abstract).toContain('a pivotal role in crisis communication');
      expect(server.embeddedInputs()).toEqual([embeddingText({ title: crisis.title, text: crisis.abstract })]);
      expect(store.papers).toHaveLength(145);
      expect(await h.generations()).toEqual([second.generation]);
      expect((await top(store, 'pivotal role in crisis communication'))[0]).toBe(crisis.title);
      // The stored vector is the new text's: searching with it finds that chunk at similarity 1.
      const [v] = await embedder(model).createEmbeddings([embeddingText({ title: crisis.title, text: crisis.abstract })]);
      const [best] = await store.vectorSearch(v, 1);
      expect(store.chunks[best.doc].paperId).toBe(crisis.id);
      expect(best.score).toBeCloseTo(1, 5);
    });

    it('records when each paper first entered the index and carries it over across re-ingests', async () => {
      const corpus = await corpusOf([F2]);
      const first = await run(corpus);
      expect(first.newPapers).toBe(32);
      const s1 = await openStore();
      const t1 = s1.manifest.createdAt;
      expect(s1.papers.every((p) => p.firstSeen === t1)).toBe(true);

      await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));
      const second = await run(corpus);
      const s2 = await openStore();
      const t2 = s2.manifest.createdAt;
      expect(t2 > t1).toBe(true);
      const old = s2.papers.filter((p) => s1.paperById.has(p.id));
      const fresh = s2.papers.filter((p) => !s1.paperById.has(p.id));
      expect(old).toHaveLength(32);
      expect(fresh.length).toBeGreaterThan(100);
      expect(second.newPapers).toBe(fresh.length);
      for (const p of old) expect(p.firstSeen, p.title).toBe(t1);
      for (const p of fresh) expect(p.firstSeen, p.title).toBe(t2);

      // A forced rebuild changes no date.
      const third = await run(corpus, { force: true });
      expect(third.newPapers).toBe(0);
      const s3 = await openStore();
      expect(s3.generation).toBe(third.generation);
      expect(new Map(s3.papers.map((p) => [p.id, p.firstSeen]))).toEqual(new Map(s2.papers.map((p) => [p.id, p.firstSeen])));
    });

    it('removing a file removes the papers found only there', async () => {
      const corpus = await corpusOf([F1, F2]);
      const model = freshModel();
      const first = await run(corpus, { embedder: embedder(model) });
      const { papers: before } = await loadCorpus(corpus);
      await unlink(join(corpus, F2));
      server.reset();
      const removed = await run(corpus, { embedder: embedder(model) });
      expect(server.embeddingCalls()).toBe(0);
      const onlyIn2 = before.filter((p) => p.sources.length === 1 && p.sources[0] === F2);
      const shared = before.filter((p) => p.sources.includes(F2) && p.sources.length > 1);
      expect(onlyIn2.length).toBeGreaterThan(10);
      expect(shared.length).toBeGreaterThan(0);
      expect(removed.papers).toBe(first.papers - onlyIn2.length);
      const store = await openStore();
      expect(store.papers).toHaveLength(removed.papers);
      for (const p of onlyIn2) expect(store.paperById.has(p.id), p.title).toBe(false);
      for (const p of shared) expect(store.paperById.get(p.id)?.sources, p.title).toEqual([F1]);
      expect(store.manifest.files.map((f) => f.name)).toEqual([F1]);
      const gone = new Set(onlyIn2.map((p) => p.id));
      const r = new Retriever(store, embedder(model));
      for (const p of onlyIn2.slice(0, 3)) {
        const hits = await r.search(p.title, { k: 10 });
        expect(hits.length).toBeGreaterThan(0);
        expect(hits.some((x) => gone.has(x.paper.id))).toBe(false);
      }
      expect(await h.generations()).toEqual([removed.generation]);
    });

    it('a writer failing mid-commit leaves the previous generation served and queryable', async () => {
      const corpus = await corpusOf([F2]);
      const model = freshModel();
      const gen0 = (await run(corpus, { embedder: embedder(model) })).generation;
      const reader = await openStore();
      await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));

      const crash = new Error('simulated crash after the rows were written, before the swap');
      await expect(
        run(corpus, {
          embedder: embedder(model),
          onPhase: (p) => {
            if (p === 'written') throw crash;
          },
        }),
      ).rejects.toBe(crash);

      expect(await h.live()).toBe(gen0);
      // The already-open reader and a new one both serve the old generation, whole.
      for (const store of [reader, await openStore()]) {
        expect(store.generation).toBe(gen0);
        expect(store.papers).toHaveLength(32);
        expect((await top(store, 'crisis social media texts', embedder(model)))[0]).toMatch(/^CrisisTransformers/);
        expect(store.papers.some((p) => p.title.startsWith('DropPos'))).toBe(false);
        expect((await top(store, 'DropPos reconstructing dropped positions')).some((t) => t.startsWith('DropPos'))).toBe(false);
      }

      // The next ingest completes, reuses the crashed run's vectors and removes its leftovers.
      server.reset();
      const s = await run(corpus, { embedder: embedder(model) });
      expect(server.embeddingCalls()).toBe(0);
      expect(await h.live()).toBe(s.generation);
      expect(await h.generations()).toEqual([s.generation]);
      expect((await top(await openStore(), 'DropPos'))[0]).toMatch(/^DropPos:/);
    });

    it('a held lock refuses a second ingest with INDEX_LOCKED', async () => {
      const corpus = await corpusOf([F2]);
      const holder = h.writer();
      const release = await holder.lock();
      try {
        const err = await rejection(run(corpus));
        expect(err.code).toBe('INDEX_LOCKED');
        expect(err.userMessage).toMatch(/already updating/);
        expect(await h.live()).toBeUndefined();
      } finally {
        await release();
        await holder.close();
      }
      expect((await run(corpus)).papers).toBe(32);
    });

    it('refuses a different embedding model, a lexical-only index with a model, and wrong-size query vectors', async () => {
      const corpus = await corpusOf([F2]);
      const model = freshModel();
      await run(corpus, { embedder: embedder(model) });
      const store = await openStore();
      expect(store.hasVectors).toBe(true);
      expect(() => new Retriever(store, embedder('another-model'))).toThrow(expect.objectContaining({ code: 'INDEX_MODEL_MISMATCH' }));
      expect(() => store.checkQueryVector(new Array(8).fill(0.5))).toThrow(expect.objectContaining({ code: 'INDEX_MODEL_MISMATCH' }));
      expect(() => new Retriever(store, embedder(model))).not.toThrow();

      const lexicalOnly = await backend.fresh(join(root, `i${n++}`));
      h = lexicalOnly;
      await run(corpus);
      const plain = await openStore();
      expect(plain.hasVectors).toBe(false);
      const err = (() => {
        try {
          new Retriever(plain, embedder(model));
        } catch (e) {
          return e as AppError;
        }
      })();
      expect(err?.code).toBe('INDEX_MODEL_MISMATCH');
      expect(err?.userMessage).toMatch(/without embeddings/);
    });

    it('answers hybrid searches with vectors', async () => {
      const corpus = await corpusOf([F2, F4]);
      const model = freshModel();
      // Wide enough for the fake's hashed bag-of-words vectors to carry a real similarity signal.
      const wide = () => embedder(model, 256);
      const s = await run(corpus, { embedder: wide() });
      const store = await openStore();
      expect(store.manifest.embedding).toEqual({ model, dimensions: 256 });
      expect(store.manifest.counts.vectors).toBe(s.chunks);
      const r = new Retriever(store, wide());
      expect(r.mode).toBe('hybrid');
      server.reset();
      const hits = await r.search('DropPos pre-training vision transformers by reconstructing dropped positions', { k: 5 });
      expect(server.embeddingCalls()).toBe(1);
      expect(hits).toHaveLength(5);
      expect(hits[0].paper.title).toMatch(/^DropPos:/);
      expect(hits[0].vectorScore).toBeGreaterThan(0);
      expect(hits[0].lexicalScore).toBeGreaterThan(0);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);

      const [q] = await wide().createEmbeddings(['DropPos pre-training vision transformers']);
      const dense = await store.vectorSearch(q, 20);
      expect(dense).toHaveLength(20);
      for (let i = 1; i < dense.length; i++) expect(dense[i - 1].score).toBeGreaterThanOrEqual(dense[i].score);
      expect(store.chunks[dense[0].doc].title).toMatch(/^DropPos:/);
      expect(dense[0].score).toBeGreaterThan(0.2);
      expect(dense[0].score).toBeLessThanOrEqual(1.000001);
      // Past the HNSW range the scan is exact and still complete.
      expect(await store.vectorSearch(q, 5000)).toHaveLength(145);
      // A query with no lexical match still gets dense neighbours.
      const onlyDense = await r.search('qqqzzzx', { k: 3 });
      expect(onlyDense).toHaveLength(3);
      expect(onlyDense.every((x) => x.lexicalScore === 0 && x.vectorScore !== undefined)).toBe(true);
    });
  });
}

storeContract(vectraBackend());

// One PGlite for the whole file: its start-up takes seconds.
const pgBackend = postgresBackend();
afterAll(() => pgBackend.shutdown());
storeContract(pgBackend);

describe('postgres backend specifics', () => {
  let url: string;
  beforeAll(async () => {
    await pgBackend.start();
    url = pgBackend.db().url;
  });
  beforeEach(() => pgBackend.db().reset());

  async function ingestPg(corpusDir: string, opts: Partial<IngestOptions> = {}, writer = new PostgresWriter(url)): Promise<IngestSummary> {
    try {
      return await ingest({ corpusDir, indexDir: join(root, `p${n++}`), writer, ...opts });
    } finally {
      await writer.close();
    }
  }

  it('migrates on start (versioned, idempotent); vectors live once in rb_vectors under one HNSW index per size', async () => {
    const ALL_MIGRATIONS = [1, 2, 3, 4, 5, 6, 7].map((version) => ({ version }));
    const db = pgBackend.db();
    const empty = await rejection(PostgresStore.open({ databaseUrl: url }));
    expect(empty.code).toBe('INDEX_MISSING');
    expect(empty.userMessage).toMatch(/migrate-store --from vectra --to postgres/);
    expect(await db.query('SELECT version FROM rb_schema_migrations ORDER BY 1')).toEqual(ALL_MIGRATIONS);
    const model = freshModel();
    await ingestPg(await corpusOf([F2]), { embedder: embedder(model) });
    const store = await PostgresStore.open({ databaseUrl: url });
    await store.close();
    expect(await db.query('SELECT version FROM rb_schema_migrations ORDER BY 1')).toEqual(ALL_MIGRATIONS);
    const idx = await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('rb_chunks', 'rb_vectors') ORDER BY 1`,
    );
    const hnsw = sharedHnswIndexName(16);
    expect(idx.map((i) => i.indexname)).toEqual(expect.arrayContaining([hnsw, 'rb_chunks_hash']));
    expect(idx.map((i) => i.indexname)).not.toContain(hnswIndexName(store.generation));
    expect(idx.find((i) => i.indexname === hnsw)!.indexdef).toMatch(
      /ON public\.rb_vectors USING hnsw .*vector\(16\).*vector_cosine_ops.*WHERE \(?vector_dims\(embedding\) = 16/,
    );
    expect(await db.query('SELECT count(*)::int AS n FROM rb_vectors')).toEqual([{ n: store.chunks.length }]);
    // Stems of our tokenizer; no tsvector and no embedding in the chunk rows.
    const [row] = await db.query<{ title_terms: string; len_title: number; tsv: string | null; embedding: string | null }>(
      `SELECT title_terms, len_title, tsv::text AS tsv, embedding::text AS embedding FROM rb_chunks WHERE title_terms LIKE 'crisistransform%'`,
    );
    const title = store.papers.find((p) => p.title.startsWith('CrisisTransformers'))!.title;
    expect(row.title_terms).toBe(tokenize(title).join(' '));
    expect(row.title_terms).toMatch(/^crisistransform pre train pretrain languag model/);
    expect(row.len_title).toBe(tokenize(title).length);
    expect(row.tsv).toBeNull();
    expect(row.embedding).toBeNull();
    expect(await db.query('SELECT count(*)::int AS n FROM rb_term_df WHERE max_sat IS NOT NULL')).toEqual([{ n: 0 }]);
  });

  it('stores first-seen times in their own column; papers of a generation written before it get its creation time', async () => {
    const db = pgBackend.db();
    await ingestPg(await corpusOf([F2]));
    const [gen] = await db.query<{ generation: string; created: string }>(
      `SELECT m.generation, g.manifest->>'createdAt' AS created FROM rb_meta m JOIN rb_generations g USING (generation)`,
    );
    const rows = await db.query<{ same: boolean }>(
      `SELECT first_seen = (data->>'firstSeen')::timestamptz AND first_seen = $2::timestamptz AS same FROM rb_papers WHERE generation = $1`,
      [gen.generation, gen.created],
    );
    expect(rows).toHaveLength(32);
    expect(rows.every((r) => r.same)).toBe(true);
    // What a generation written by the previous version looks like.
    await db.query(`UPDATE rb_papers SET first_seen = NULL, data = data - 'firstSeen', content_hash = NULL`);
    const next = await ingestPg(await corpusOf([F2]), { force: true });
    expect(next.newPapers).toBe(0);
    const store = await PostgresStore.open({ databaseUrl: url });
    try {
      expect(store.papers.every((p) => p.firstSeen === gen.created)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('holds the ingest lock as a Postgres advisory lock on its own session', async () => {
    const db = pgBackend.db();
    const locks = async () =>
      (
        await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, [
          INGEST_LOCK_KEY,
        ])
      )[0].n;
    const w = new PostgresWriter(url);
    const release = await w.lock();
    expect(await locks()).toBe(1);
    const other = new PostgresWriter(url);
    const err = await rejection(other.lock());
    expect(err.code).toBe('INDEX_LOCKED');
    await release();
    expect(await locks()).toBe(0);
    const again = await other.lock();
    await again();
    await Promise.all([w.close(), other.close()]);
  });

  it('a failure between INSERT batches leaves the previous generation live; the next ingest removes the partial rows', async () => {
    const db = pgBackend.db();
    const corpus = await corpusOf([F2]);
    const gen0 = (await ingestPg(corpus)).generation;
    await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));
    const boom = new Error('connection lost after the second batch of chunks');
    // Unchanged rows are copied first (F2's 32), then the new ones go in batches of 20.
    let failedAt = 0;
    const failing = new PostgresWriter(url, {
      batchSize: 20,
      afterBatch: (table, rows) => {
        if (table === 'chunks' && rows > 40) {
          failedAt = rows;
          throw boom;
        }
      },
    });
    await expect(ingestPg(corpus, {}, failing)).rejects.toBe(boom);
    expect(failedAt).toBe(32 + 20);
    const partial = await db.query<{ generation: string; n: number }>(
      `SELECT generation, count(*)::int AS n FROM rb_chunks GROUP BY 1 ORDER BY 2`,
    );
    expect(partial).toEqual([
      { generation: gen0, n: 32 },
      { generation: expect.not.stringMatching(gen0), n: failedAt },
    ]);
    const store = await PostgresStore.open({ databaseUrl: url });
    expect(store.generation).toBe(gen0);
    expect(store.chunks).toHaveLength(32);
    expect((await store.lexicalSearch(queryTerms('DropPos'), 5)).length).toBe(0);
    await store.close();
    const s = await ingestPg(corpus);
    expect(await db.query(`SELECT DISTINCT generation FROM rb_chunks`)).toEqual([{ generation: s.generation }]);
    expect(await db.query(`SELECT generation FROM rb_generations`)).toEqual([{ generation: s.generation }]);
  });

  it.each(['memory', 'hnsw'] as const)(
    'a hybrid search keeps one generation even when the store switches between its lexical and vector halves (%s)',
    async (mode) => {
      const corpus = await corpusOf([F2]);
      const model = freshModel();
      const wide = () => embedder(model, 256);
      await ingestPg(corpus, { embedder: wide() });
      const store = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0, vectorSearch: mode });
      try {
        const query = 'instruction tuning data for code models';
        // The query is embedded before either half runs: publish a different corpus right then and
        // let the store switch to it, as a refresh in another task would. With the vectors in
        // memory too, the lexical half finds gen0's rows gone and the search starts over.
        let switched = false;
        const inner = wide();
        const racing: EmbeddingsModel = {
          model: inner.model,
          maxTokens: inner.maxTokens,
          batchSize: inner.batchSize,
          dimensions: inner.dimensions,
          async createEmbeddings(inputs) {
            const vectors = await inner.createEmbeddings(inputs);
            if (!switched) {
              switched = true;
              await unlink(join(corpus, F2));
              await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));
              await ingestPg(corpus, { embedder: wide() });
              expect(await store.refresh()).toBe(true);
            }
            return vectors;
          },
        };
        const hits = await new Retriever(store, racing).search(query, { k: 10 });
        expect(switched).toBe(true);
        const gen1Papers = new Set(store.papers.map((p) => p.id));
        expect(hits.length).toBeGreaterThan(0);
        // gen0's rows were removed by the second ingest, so the search started over on gen1, whole:
        // the same papers in the same order as a search that only ever saw gen1.
        for (const h of hits) expect(gen1Papers.has(h.paper.id)).toBe(true);
        const fresh = await new Retriever(store, wide()).search(query, { k: 10 });
        expect(hits.map((h) => h.paper.id)).toEqual(fresh.map((h) => h.paper.id));
      } finally {
        await store.close();
      }
    },
  );

  it('lexical search reads every query term in one round trip of packed postings and scores exactly like the embedded index', async () => {
    const db = pgBackend.db();
    const corpus = await corpusOf([F1, F4]);
    await ingestPg(corpus);
    const vectraDir = join(root, `v${n++}`);
    await ingest({ corpusDir: corpus, indexDir: vectraDir });
    const vectra = await IndexStore.open(vectraDir);
    // Common stems around one rare one: the shape of a real question.
    const terms = queryTerms('How do language models learn from data with a transformer model for crisis tweets?');
    const expected = await vectra.lexicalSearch(terms, 5);
    expect(expected.length).toBe(5);
    const everything = await vectra.lexicalSearch(terms, vectra.chunks.length);
    const search = async () => {
      const reads: Array<{ terms: string[]; rows: number }> = [];
      const store = await PostgresStore.open({ databaseUrl: url, onLexicalRead: (t, rows) => reads.push({ terms: t, rows }) });
      try {
        const known = [...terms.keys()].filter((t) => store.termStats.df(t) > 0);
        expect(await store.lexicalSearch(terms, 5)).toEqual(expected);
        const top5 = [...reads];
        expect(await store.lexicalSearch(terms, store.chunks.length)).toEqual(everything);
        return { reads, top5, known };
      } finally {
        await store.close();
      }
    };
    const packed = await search();
    // One read per search, holding every known term's postings.
    expect(packed.reads.map((r) => r.terms)).toEqual([packed.known, packed.known]);
    const [{ bytes, postings }] = await db.query<{ bytes: number; postings: number }>(
      `SELECT sum(length(p.postings))::int AS bytes, sum(d.df)::int AS postings FROM rb_postings p
         JOIN rb_term_df d USING (generation, term) JOIN rb_meta m USING (generation)`,
    );
    expect(bytes / postings).toBeLessThan(3);
    // A generation packed by the first rb_postings writer (8 bytes a posting) is read as exactly.
    const rows = await db.query<{ generation: string; term: string; df: number; hex: string }>(
      `SELECT p.generation, p.term, d.df, encode(p.postings, 'hex') AS hex FROM rb_postings p JOIN rb_term_df d USING (generation, term)`,
    );
    const size = (await db.query<{ n: number }>(`SELECT (lexical->>'n')::int AS n FROM rb_generations JOIN rb_meta USING (generation)`))[0]
      .n;
    for (const row of rows) {
      const p = decodePostings(Buffer.from(row.hex, 'hex'), 'deflate-varint', row.df, size);
      const old = Buffer.alloc(row.df * 8);
      p.docs.forEach((d, j) => {
        old.writeUInt32LE(d, j * 8);
        old.writeUInt16LE(p.tfTitle[j], j * 8 + 4);
        old.writeUInt16LE(p.tfBody[j], j * 8 + 6);
      });
      await db.query(`UPDATE rb_postings SET postings = decode($3, 'hex') WHERE generation = $1 AND term = $2`, [
        row.generation,
        row.term,
        old.toString('hex'),
      ]);
    }
    await db.query(`UPDATE rb_generations SET lexical = lexical - 'postingCodec'`);
    expect((await search()).reads).toHaveLength(2);
    // A generation written before rb_postings existed is searched through the tsvector, as exactly,
    // reading the rare terms first.
    // New generations store no tsvector (nothing reads it); an old one has what migration 1's generated column computed.
    expect(await db.query(`SELECT count(*)::int AS n FROM rb_chunks WHERE tsv IS NOT NULL`)).toEqual([{ n: 0 }]);
    await db.query(`UPDATE rb_generations SET lexical = lexical - 'postings'`);
    await db.query(
      `UPDATE rb_chunks SET tsv = setweight(to_tsvector('simple', title_terms), 'A') || setweight(to_tsvector('simple', body_terms), 'D')`,
    );
    const [{ any }] = await db.query<{ any: number }>(`SELECT count(*)::int AS any FROM rb_chunks WHERE tsv @@ to_tsquery('simple', $1)`, [
      [...terms.keys()].join(' | '),
    ]);
    const tsv = await search();
    expect(tsv.top5[0].terms[0]).toBe([...tsv.known].sort((a, b) => vectra.termStats.idf(b) - vectra.termStats.idf(a))[0]);
    expect(tsv.top5.reduce((s, r) => s + r.rows, 0)).toBeLessThan(any);
  });

  it('a re-ingest after one file changed copies the unchanged rows and inserts only the changed vectors into the shared HNSW index', async () => {
    const db = pgBackend.db();
    const model = freshModel();
    const corpus = await corpusOf([F1, F2]);
    await ingestPg(corpus, { embedder: embedder(model) });
    const hashes = async (table: string) =>
      (await db.query<{ h: string }>(`SELECT encode(content_hash, 'hex') AS h FROM ${table} JOIN rb_meta USING (generation)`)).map(
        (r) => r.h,
      );
    const vectorCount = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rb_vectors'))[0].n;
    const hnsw = async () =>
      db.query<{ oid: number; file: number }>(`SELECT oid::int AS oid, relfilenode::int AS file FROM pg_class WHERE relname = $1`, [
        sharedHnswIndexName(16),
      ]);
    const before = { papers: new Set(await hashes('rb_papers')), chunks: new Set(await hashes('rb_chunks')) };
    const index0 = await hnsw();
    expect(index0).toHaveLength(1);
    expect(await vectorCount()).toBe(before.chunks.size);
    const { papers: kept } = await loadCorpus(await corpusOf([F1]));

    // A search pinned to the old generation before the re-ingest, run again while it writes.
    const query = 'crisis tweets language model';
    const terms = queryTerms(query);
    const [qv] = await embedder(model).createEmbeddings([query]);
    const reader = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    const pinned = await reader.pin();
    const search = async (p: typeof pinned) => ({ lexical: await p.lexicalSearch(terms, 10), vector: await p.vectorSearch(qv, 10) });
    const old = await search(pinned);
    expect(old.lexical.length).toBe(10);
    expect(old.vector.length).toBe(10);
    const during: Array<{ lexical: unknown; vector: unknown; vectors: number }> = [];

    // One file changed: F2's papers leave, F4's arrive, F1's are untouched.
    await writeFile(join(corpus, F2), await readFile(join(CORPUS, F4)));
    const copying = new PostgresWriter(url, {
      batchSize: 50,
      afterBatch: async (table) => void (table === 'chunks' && during.push({ ...(await search(pinned)), vectors: await vectorCount() })),
    });
    try {
      await ingestPg(corpus, { embedder: embedder(model) }, copying);
    } finally {
      await reader.close();
    }
    const after = { chunks: await hashes('rb_chunks') };
    const changed = after.chunks.filter((h) => !before.chunks.has(h)).length;
    const unchanged = {
      papers: (await hashes('rb_papers')).filter((h) => before.papers.has(h)).length,
      chunks: after.chunks.length - changed,
    };
    // F1's chunks came across, and its papers but those F2 also listed (their merged records changed); F4's were written.
    expect(unchanged.chunks).toBeGreaterThan(kept.length - 10);
    expect(unchanged.papers).toBeGreaterThan(kept.length / 2);
    expect(changed).toBeGreaterThan(50);
    expect(copying.lastCommit).toEqual({ papersCopied: unchanged.papers, chunksCopied: unchanged.chunks });
    // Only the changed chunks' vectors were sent, into the index built by the first ingest (same
    // relation, same file: not rebuilt); the old generation answered as before all along.
    expect(copying.lastVectorsSent).toBe(changed);
    expect(during.length).toBeGreaterThan(1);
    for (const d of during) expect(d).toEqual({ ...old, vectors: before.chunks.size + changed });
    expect(await hnsw()).toEqual(index0);
    // Cleanup removed the vectors only the old generation held.
    expect(await vectorCount()).toBe(after.chunks.length);

    const rows = async () => {
      const gen = (await db.query<{ generation: string }>('SELECT generation FROM rb_meta'))[0].generation;
      const store = await PostgresStore.open({ databaseUrl: url });
      try {
        return {
          gen,
          papers: await db.query(
            `SELECT idx, paper_id, data::text, first_seen, content_hash FROM rb_papers WHERE generation = $1 ORDER BY idx`,
            [gen],
          ),
          chunks: await db.query(
            `SELECT idx, chunk_id, paper_id, position, text, title_terms, body_terms, len_title, len_body, tsv::text, embedding::text,
                    content_hash, (SELECT v.embedding::text FROM rb_vectors v WHERE v.content_hash = c.content_hash) AS vector
               FROM rb_chunks c WHERE generation = $1 ORDER BY idx`,
            [gen],
          ),
          postings: await db.query(`SELECT term, postings FROM rb_postings WHERE generation = $1 ORDER BY term`, [gen]),
          terms: await db.query(`SELECT term, df, max_sat FROM rb_term_df WHERE generation = $1 ORDER BY term`, [gen]),
          search: await search(await store.pin()),
        };
      } finally {
        await store.close();
      }
    };
    const copied = await rows();
    const full = new PostgresWriter(url, { copyUnchanged: false });
    await ingestPg(corpus, { embedder: embedder(model), force: true }, full);
    expect(full.lastCommit).toEqual({ papersCopied: 0, chunksCopied: 0 });
    const written = await rows();
    expect(written.gen).not.toBe(copied.gen);
    expect(copied.chunks.every((c) => c.vector !== null && c.embedding === null && c.content_hash !== null)).toBe(true);
    expect(copied.search.vector.length).toBe(10);
    expect({ ...copied, gen: '' }).toEqual({ ...written, gen: '' });
    expect(copying.lastTermsCopied).toBe(false);

    // One abstract changed in place, a word gone from it and one new: only the terms of its old
    // and new text are encoded and sent, the other terms' rows are copied, and the generation
    // still equals a full write.
    await replaceInFile(join(corpus, F1), 'Additionally, training on long sequences', 'Zyxwvut training on long sequences');
    const small = new PostgresWriter(url);
    await ingestPg(corpus, { embedder: embedder(model) }, small);
    expect(small.lastTermsCopied).toBe(true);
    expect(small.lastVectorsSent).toBe(1);
    const smallCopied = await rows();
    await ingestPg(corpus, { embedder: embedder(model), force: true }, new PostgresWriter(url, { copyUnchanged: false }));
    expect(smallCopied.terms).toContainEqual({ term: 'zyxwvut', df: 1, max_sat: null });
    expect({ ...smallCopied, gen: '' }).toEqual({ ...(await rows()), gen: '' });
  });

  it('a re-ingest after a tokenizer change copies no row: stored terms come from the tokenizer, not the content hash', async () => {
    const db = pgBackend.db();
    const corpus = await corpusOf([F2]);
    await ingestPg(corpus);
    // The live generation as an older tokenizer left it: the manifest says so and one chunk holds a term it made.
    await db.query(
      `UPDATE rb_generations SET manifest = jsonb_set(manifest, '{tokenizer}', to_jsonb($1::int))
        WHERE generation = (SELECT generation FROM rb_meta)`,
      [TOKENIZER_VERSION - 1],
    );
    await db.query(
      `UPDATE rb_chunks SET body_terms = body_terms || ' oldstem' WHERE generation = (SELECT generation FROM rb_meta) AND idx = 0`,
    );
    const writer = new PostgresWriter(url);
    const summary = await ingestPg(corpus, {}, writer);
    expect(summary.upToDate).toBe(false);
    expect(writer.lastCommit).toEqual({ papersCopied: 0, chunksCopied: 0 });
    const stale = await db.query(
      `SELECT count(*)::int AS n FROM rb_chunks JOIN rb_meta USING (generation) WHERE body_terms LIKE '%oldstem%'`,
    );
    expect(stale[0]).toEqual({ n: 0 });
  });

  it('a load of more new vectors than rb_vectors holds builds the index again after it instead of inserting through it', async () => {
    const db = pgBackend.db();
    const corpus = await corpusOf([F2]);
    await ingestPg(corpus, { embedder: embedder(freshModel()) });
    const hnsw = async () =>
      db.query<{ oid: number }>(`SELECT oid::int AS oid FROM pg_class WHERE relname = $1`, [sharedHnswIndexName(16)]);
    const [index0] = await hnsw();
    expect(index0).toBeDefined();
    const model = freshModel();
    const [v] = await embedder(model).createEmbeddings(['crisis tweets']);
    const reader = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    const pinned = await reader.pin();
    const during: number[] = [];
    // Another model, and another file: every vector is new, and they outnumber the stored ones.
    await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));
    const writer = new PostgresWriter(url, {
      batchSize: 10,
      indexRebuildMin: 1,
      afterBatch: async (table) => void (table === 'chunks' && during.push((await pinned.vectorSearch(v, 5)).length)),
    });
    try {
      await ingestPg(corpus, { embedder: embedder(model) }, writer);
    } finally {
      await reader.close();
    }
    expect(during.length).toBeGreaterThan(1);
    for (const hits of during) expect(hits).toBe(5);
    const [index1] = await hnsw();
    expect(index1).toBeDefined();
    expect(index1.oid).not.toBe(index0.oid);
    const store = await PostgresStore.open({ databaseUrl: url });
    try {
      expect((await store.vectorSearch(v, 5)).length).toBe(5);
      expect(await db.query('SELECT count(*)::int AS n FROM rb_vectors')).toEqual([{ n: store.chunks.length }]);
    } finally {
      await store.close();
    }
  });

  it('an ingest that fails after sending its vectors leaves the live generation answering as before; the next cleanup removes them', async () => {
    const db = pgBackend.db();
    const model = freshModel();
    const corpus = await corpusOf([F2]);
    await ingestPg(corpus, { embedder: embedder(model) });
    const [v] = await embedder(model).createEmbeddings(['crisis tweets']);
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rb_vectors'))[0].n;
    const held = await count();
    const store = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    try {
      const before = await store.vectorSearch(v, 5);
      expect(before.length).toBe(5);
      await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));
      const boom = new Error('killed after the vectors were sent');
      const failing = new PostgresWriter(url, {
        afterBatch: (table) => {
          if (table === 'papers') throw boom;
        },
      });
      await expect(ingestPg(corpus, { embedder: embedder(model) }, failing)).rejects.toBe(boom);
      // F4's vectors are in rb_vectors and its index, but no live chunk refers to them.
      expect(await count()).toBeGreaterThan(held);
      expect(await store.vectorSearch(v, 5)).toEqual(before);
    } finally {
      await store.close();
    }
    // The corpus back as it was: up to date, and the cleanup of that ingest removes the orphans.
    await unlink(join(corpus, F4));
    expect((await ingestPg(corpus, { embedder: embedder(model) })).upToDate).toBe(true);
    expect(await count()).toBe(held);
  });

  it('a generation with its own HNSW index (before shared vectors) stays searchable until a re-ingest replaces it', async () => {
    const db = pgBackend.db();
    const model = freshModel();
    const corpus = await corpusOf([F2]);
    await ingestPg(corpus, { embedder: embedder(model) });
    const first = (await db.query<{ generation: string }>('SELECT generation FROM rb_meta'))[0].generation;
    const [v] = await embedder(model).createEmbeddings(['crisis tweets']);
    const shared = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    const sharedHits = await shared.vectorSearch(v, 5).finally(() => shared.close());
    // Rewritten as the writer before schema v6 left it: vectors in rb_chunks, its own partial
    // HNSW index, and the shared per-dimension index of still earlier versions.
    await db.query(`UPDATE rb_chunks c SET embedding = v.embedding FROM rb_vectors v WHERE v.content_hash = c.content_hash`);
    await db.query(`UPDATE rb_generations SET lexical = lexical - 'sharedVectors'`);
    await db.query(`DROP INDEX ${sharedHnswIndexName(16)}`);
    await db.query('DELETE FROM rb_vectors');
    await db.query(
      `CREATE INDEX ${hnswIndexName(first)} ON rb_chunks USING hnsw ((embedding::vector(16)) vector_cosine_ops)
        WHERE generation = '${first}' AND vector_dims(embedding) = 16`,
    );
    await db.query(
      `CREATE INDEX rb_chunks_embedding_hnsw_16 ON rb_chunks USING hnsw ((embedding::vector(16)) vector_cosine_ops) WHERE vector_dims(embedding) = 16`,
    );
    const indexes = async () =>
      (
        await db.query<{ name: string }>(
          `SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('rb_chunks', 'rb_vectors') AND indexname LIKE '%hnsw%' ORDER BY 1`,
        )
      ).map((r) => r.name);
    expect(await indexes()).toEqual([hnswIndexName(first), 'rb_chunks_embedding_hnsw_16'].sort());
    // Searched in SQL through its own index, or loaded into memory from rb_chunks: the same hits.
    const viaSql = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0, vectorSearch: 'hnsw' });
    const sqlHits = await viaSql.vectorSearch(v, 5).finally(() => viaSql.close());
    expect(sqlHits.map((h) => h.doc)).toEqual(sharedHits.map((h) => h.doc));
    const reader = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    const pinned = await reader.pin();
    const old = await pinned.vectorSearch(v, 5);
    expect(old).toEqual(sharedHits);
    const during: unknown[] = [];
    await writeFile(join(corpus, F1), await readFile(join(CORPUS, F1)));
    const writer = new PostgresWriter(url, {
      batchSize: 50,
      afterBatch: async (table) => void (table === 'chunks' && during.push(await pinned.vectorSearch(v, 5))),
    });
    try {
      await ingestPg(corpus, { embedder: embedder(model) }, writer);
    } finally {
      await reader.close();
    }
    expect(during.length).toBeGreaterThan(1);
    for (const hits of during) expect(hits).toEqual(old);
    // Its rows held no shared vectors to copy: every chunk's vector was sent, then indexed once.
    const second = (await db.query<{ generation: string; n: number }>('SELECT generation FROM rb_meta'))[0].generation;
    expect(second).not.toBe(first);
    expect(writer.lastCommit?.chunksCopied).toBe(0);
    expect(await indexes()).toEqual([sharedHnswIndexName(16)]);
    const store = await PostgresStore.open({ databaseUrl: url });
    try {
      expect((await store.vectorSearch(v, 5)).length).toBe(5);
      expect(await store.readVectors()).toHaveLength(store.chunks.length);
    } finally {
      await store.close();
    }
  });

  it('memory vector search (default) answers from the vectors loaded with the generation; PG_VECTOR_SEARCH=hnsw searches in SQL', async () => {
    const db = pgBackend.db();
    const model = freshModel();
    await ingestPg(await corpusOf([F2]), { embedder: embedder(model) });
    const [v] = await embedder(model).createEmbeddings(['crisis tweets']);
    const memory = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    const hnsw = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0, vectorSearch: 'hnsw' });
    try {
      const hits = await memory.vectorSearch(v, 5);
      expect(hits).toHaveLength(5);
      expect((await hnsw.vectorSearch(v, 5)).map((h) => h.doc)).toEqual(hits.map((h) => h.doc));
      // With the stored vectors gone, only a search that reads them from the server notices.
      await db.query('DELETE FROM rb_vectors');
      expect(await memory.vectorSearch(v, 5)).toEqual(hits);
      expect(await hnsw.vectorSearch(v, 5)).toEqual([]);
      // A generation whose vectors are missing does not open as one with fewer: as the file store, INDEX_CORRUPT.
      const err = await rejection(PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 }));
      expect(err.code).toBe('INDEX_CORRUPT');
      expect(err.userMessage).toMatch(/0 vectors where 32 were expected.*ingest --force/);
    } finally {
      await Promise.all([memory.close(), hnsw.close()]);
    }
  });

  it('a generation switch loads the new vectors before serving them; a pinned generation keeps its own', async () => {
    const model = freshModel();
    const corpus = await corpusOf([F2]);
    const wide = () => embedder(model, 256);
    await ingestPg(corpus, { embedder: wide() });
    const store = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    try {
      const [v] = await wide().createEmbeddings(['DropPos pre-training vision transformers by reconstructing dropped positions']);
      const pinned = await store.pin();
      const old = await pinned.vectorSearch(v, 5);
      expect(old).toHaveLength(5);
      await unlink(join(corpus, F2));
      await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));
      await ingestPg(corpus, { embedder: wide() });
      expect(await store.refresh()).toBe(true);
      const now = await store.vectorSearch(v, 5);
      expect(store.chunks[now[0].doc].title).toMatch(/^DropPos:/);
      const fresh = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
      try {
        expect(now).toEqual(await fresh.vectorSearch(v, 5));
      } finally {
        await fresh.close();
      }
      // The answer in flight on the old generation (whose rows the ingest removed) still finishes on it.
      expect(await pinned.vectorSearch(v, 5)).toEqual(old);
    } finally {
      await store.close();
    }
  });

  it('two processes: a reindex through one writer becomes visible to another store on refresh()', async () => {
    const corpus = await corpusOf([F2]);
    const gen0 = (await ingestPg(corpus)).generation;
    const a = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    const b = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 0 });
    const c = await PostgresStore.open({ databaseUrl: url, refreshIntervalMs: 1 });
    try {
      expect([a.generation, b.generation, c.generation]).toEqual([gen0, gen0, gen0]);
      expect(await b.refresh()).toBe(false);
      await writeFile(join(corpus, F4), await readFile(join(CORPUS, F4)));
      const gen1 = (await ingestPg(corpus)).generation;

      // b switches on refresh(): papers, chunks and term statistics together.
      expect(b.generation).toBe(gen0);
      expect(await b.refresh()).toBe(true);
      expect(b.generation).toBe(gen1);
      expect(b.papers).toHaveLength(145);
      expect(b.chunks).toHaveLength(145);
      expect(b.termStats.size).toBe(145);
      expect((await new Retriever(b).search('DropPos reconstructing dropped positions', { k: 1 }))[0].paper.title).toMatch(/^DropPos:/);

      // c checks on its next search (interval elapsed) and answers from the new generation.
      await new Promise((r) => setTimeout(r, 5));
      expect((await new Retriever(c).search('DropPos reconstructing dropped positions', { k: 1 }))[0].paper.title).toMatch(/^DropPos:/);
      expect(c.generation).toBe(gen1);

      // a never refreshes by itself, but its generation's rows are gone: a search that finds
      // nothing where its statistics promise matches switches to the live generation.
      expect(a.generation).toBe(gen0);
      const hits = await new Retriever(a).search('crisis social media texts', { k: 1 });
      expect(a.generation).toBe(gen1);
      expect(hits[0].paper.title).toMatch(/^CrisisTransformers/);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('an unreachable database is STORE_UNAVAILABLE, and the message never carries the password', async () => {
    const secret = 'S3cret-never-printed';
    for (const attempt of [
      () => PostgresStore.open({ databaseUrl: `postgres://bot:${secret}@127.0.0.1:1/research` }),
      async () => {
        const w = new PostgresWriter(`postgres://bot:${secret}@127.0.0.1:1/research`);
        try {
          return await w.lock();
        } finally {
          await w.close();
        }
      },
    ]) {
      const err = await rejection(attempt());
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(err.userMessage).toContain('postgres://bot@127.0.0.1:1/research');
      expect(err.userMessage).not.toContain(secret);
      expect(err.userMessage).not.toContain(TEST_DB_PASSWORD);
    }
  });
});
