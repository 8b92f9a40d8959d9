/**
 * `research-bot migrate-store` through the CLI: vectra -> postgres and back copies papers,
 * chunks, BM25F statistics and vectors without a single embedding call, and both stores then
 * answer alike.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { OpenAIEmbeddings } from '../../src/index/embeddings.js';
import { ingest } from '../../src/index/ingest.js';
import { queryTerms } from '../../src/index/lexical.js';
import { readVectraVectors } from '../../src/index/migrate.js';
import { PostgresStore } from '../../src/index/postgres/store.js';
import { Retriever } from '../../src/index/search.js';
import { IndexStore } from '../../src/index/store.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';
import { startTestDatabase, type TestDatabase } from '../servers/postgres-server.js';

const ROOT = join(import.meta.dirname, '../..');
const CORPUS = join(ROOT, 'data/corpus');
const FILES = ['002_8ade21b1ef0670a8.txt', '004_ca378cfbdc088b08.txt'];
const MODEL = 'migrate-embed';
const DIMS = 32;
const QUERIES = [
  'DropPos pre-training vision transformers by reconstructing dropped positions',
  'crisis social media texts',
  'large language models for code generation',
  'diffusion models image editing',
];

let db: TestDatabase;
let server: FakeOpenAIServer;
let root: string;
let corpus: string;
let vectraDir: string;

const ENV_KEYS = [
  'STORE',
  'DATABASE_URL',
  'CORPUS_DIR',
  'INDEX_DIR',
  'EMBEDDING_MODEL',
  'EMBEDDING_DIMENSIONS',
  'OPENAI_BASE_URL',
  'OPENAI_API_KEY',
  'CHAT_MODEL',
  'LOG_LEVEL',
];

/** Run the CLI with exactly these variables set (and the rest of ENV_KEYS unset). */
async function cli(args: string[], vars: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const saved = new Map(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, { LOG_LEVEL: 'silent', ...vars });
  let out = '';
  let err = '';
  try {
    const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The database as `stats` shows it: the test server's URL with user, host, port and name, no password. */
function withoutPassword(url: string): string {
  const u = new URL(url);
  return `postgres://${u.username}@${u.host}${u.pathname}`;
}

const embedder = () => new OpenAIEmbeddings({ model: MODEL, baseURL: server.url, maxRetries: 0, timeoutMs: 10_000, dimensions: DIMS });
const baseEnv = () => ({
  DATABASE_URL: db.url,
  CORPUS_DIR: corpus,
  EMBEDDING_MODEL: MODEL,
  EMBEDDING_DIMENSIONS: String(DIMS),
  OPENAI_BASE_URL: server.url,
});

beforeAll(async () => {
  [db, server] = await Promise.all([startTestDatabase(), startOpenAIServer({ dimensions: DIMS })]);
  root = await mkdtemp(join(tmpdir(), 'rb-migrate-'));
  corpus = join(root, 'corpus');
  vectraDir = join(root, 'vectra');
  await mkdir(corpus, { recursive: true });
  for (const f of FILES) await writeFile(join(corpus, f), await readFile(join(CORPUS, f)));
  await ingest({ corpusDir: corpus, indexDir: vectraDir, embedder: embedder() });
});

afterAll(async () => {
  await db?.close();
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function sameResults(a: IndexStore | PostgresStore, b: IndexStore | PostgresStore): Promise<void> {
  expect(b.papers).toEqual(a.papers);
  expect(b.chunks).toEqual(a.chunks);
  expect(b.termStats.size).toBe(a.termStats.size);
  const ra = new Retriever(a, embedder());
  const rb = new Retriever(b, embedder());
  for (const q of QUERIES) {
    const terms = queryTerms(q);
    expect(await b.lexicalSearch(terms, 20), q).toEqual(await a.lexicalSearch(terms, 20));
    const [v] = await embedder().createEmbeddings([q]);
    const ha = await ra.search(q, { k: 10, queryVector: v });
    const hb = await rb.search(q, { k: 10, queryVector: v });
    expect(
      hb.map((h) => h.paper.id),
      q,
    ).toEqual(ha.map((h) => h.paper.id));
    hb.forEach((h, i) => expect(h.score).toBeCloseTo(ha[i].score, 6));
  }
}

describe('migrate-store', () => {
  let pgGeneration: string;

  it('copies the vectra generation into postgres without embedding anything, and makes it live', async () => {
    const source = await IndexStore.open(vectraDir);
    server.reset();
    const r = await cli(['migrate-store', '--from', 'vectra', '--to', 'postgres', '--json'], {
      ...baseEnv(),
      STORE: 'vectra',
      INDEX_DIR: vectraDir,
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(server.embeddingCalls()).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({
      from: 'vectra',
      to: 'postgres',
      sourceGeneration: source.generation,
      papers: 145,
      chunks: 145,
      vectors: 145,
      embedding: { model: MODEL, dimensions: DIMS },
    });
    expect(s.generation).not.toBe(source.generation);
    pgGeneration = s.generation;

    const pg = await PostgresStore.open({ databaseUrl: db.url });
    try {
      expect(pg.generation).toBe(pgGeneration);
      const { generation: _g, createdAt: _c, ...rest } = pg.manifest;
      const { generation: _g2, createdAt: _c2, ...expected } = source.manifest;
      expect(rest).toEqual(expected);
      // The very same float32 vectors, read back from pgvector.
      expect(await pg.readVectors()).toEqual(await readVectraVectors(source));
      server.reset();
      await sameResults(source, pg);
      // One call per query in sameResults (the embedder used only for the query vectors).
      expect(server.embeddingCalls()).toBe(QUERIES.length);
    } finally {
      await pg.close();
    }
  });

  it('the CLI then serves it with STORE=postgres: stats, search, and an up-to-date ingest', async () => {
    const env = { ...baseEnv(), STORE: 'postgres', INDEX_DIR: join(root, 'cache') };
    const stats = await cli(['stats', '--json'], env);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.out)).toMatchObject({
      store: 'postgres',
      generation: pgGeneration,
      papers: 145,
      vectors: 145,
      mode: 'hybrid',
      database: withoutPassword(db.url),
    });
    const vstats = await cli(['stats', '--json'], { ...baseEnv(), STORE: 'vectra', INDEX_DIR: vectraDir });
    expect(JSON.parse(vstats.out)).toMatchObject({ store: 'vectra', indexDir: vectraDir, papers: 145 });

    const onPg = await cli(['search', QUERIES[0], '--json', '-k', '5'], env);
    const onVectra = await cli(['search', QUERIES[0], '--json', '-k', '5'], { ...baseEnv(), STORE: 'vectra', INDEX_DIR: vectraDir });
    expect(onPg.code).toBe(0);
    expect(JSON.parse(onPg.out).mode).toBe('hybrid');
    expect(JSON.parse(onPg.out).results).toEqual(JSON.parse(onVectra.out).results);
    expect(JSON.parse(onPg.out).results[0].title).toMatch(/^DropPos:/);

    // The migrated manifest carries the corpus fingerprints: ingest finds nothing to do.
    server.reset();
    const again = await cli(['ingest', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ upToDate: true, generation: pgGeneration });
    expect(server.embeddingCalls()).toBe(0);

    for (const r of [stats, onPg, again]) expect(r.out + r.err).not.toContain(db.password);
  });

  it('copies postgres back into a fresh vectra index, again without embedding', async () => {
    const back = join(root, 'back');
    server.reset();
    const r = await cli(['migrate-store', '--from', 'postgres', '--to', 'vectra', '--index', back], {
      ...baseEnv(),
      STORE: 'postgres',
      INDEX_DIR: join(root, 'cache'),
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Copied generation gen-\S+ from postgres to vectra as gen-\S+ \(now live\): 145 papers, 145 chunks, 145 vectors/);
    expect(r.out).toMatch(/Set STORE=vectra to serve it/);
    expect(server.embeddingCalls()).toBe(0);
    const copy = await IndexStore.open(back);
    const pg = await PostgresStore.open({ databaseUrl: db.url });
    try {
      expect(copy.generation).not.toBe(pg.generation);
      await sameResults(pg, copy);
      await sameResults(await IndexStore.open(vectraDir), copy);
    } finally {
      await pg.close();
    }
  });

  it('refuses bad arguments and a missing DATABASE_URL clearly', async () => {
    const same = await cli(['migrate-store', '--from', 'vectra', '--to', 'vectra'], { ...baseEnv(), INDEX_DIR: vectraDir });
    expect(same.code).toBe(2);
    expect(same.err).toMatch(/^error \[USAGE\]: .*--from vectra --to postgres/);
    const noUrl = await cli(['migrate-store', '--from', 'vectra', '--to', 'postgres'], { INDEX_DIR: vectraDir });
    expect(noUrl.code).toBe(1);
    expect(noUrl.err).toMatch(/CONFIG_INVALID.*\n.*DATABASE_URL: required for migrate-store/);
    const pgNoUrl = await cli(['stats'], { STORE: 'postgres' });
    expect(pgNoUrl.code).toBe(1);
    expect(pgNoUrl.err).toMatch(/DATABASE_URL: required when STORE=postgres/);
  });
});
