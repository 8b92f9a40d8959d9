/**
 * The int8 shortlist scan (WebAssembly SIMD): its integer dot products against a plain JavaScript
 * reference, its results against the exact float32 scan, and the VECTOR_INT8_MIN_ROWS switch.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openRetriever } from '../../src/context.js';
import { Int8Scan } from '../../src/index/int8-scan.js';
import { ingest } from '../../src/index/ingest.js';
import { OpenAIEmbeddings } from '../../src/index/embeddings.js';
import { IndexStore } from '../../src/index/store.js';
import { MAX_SHORTLIST_DEPTH, VectorMatrix } from '../../src/index/vector-matrix.js';
import { mulberry32 } from '../../src/seeded-random.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';

const rand = mulberry32(11);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

/** Clustered rows (as embeddings are): `clusters` centres plus noise, not normalised. */
function clustered(n: number, dims: number, clusters: number, noise: number): Float32Array[] {
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, gauss));
  return Array.from({ length: n }, (_, i) => Float32Array.from(centres[i % clusters], (c) => c + noise * gauss()));
}

function normalised(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Float32Array.from(v, (x) => x / Math.sqrt(s));
}

function matrix(rows: Float32Array[], dims: number): VectorMatrix {
  return VectorMatrix.fromRows(
    rows.map((vector, chunk) => ({ vector, chunk })),
    dims,
  );
}

/** The scan's arithmetic in plain JavaScript: per-vector scale max|x|/127, rounded int8 products. */
function referenceScore(row: Float32Array, q: Float32Array): number {
  const quant = (v: Float32Array) => {
    const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    return { ints: Array.from(v, (x) => Math.round((x * 127) / max)), scale: max / 127 };
  };
  const a = quant(row);
  const b = quant(q);
  let dot = 0;
  for (let j = 0; j < row.length; j++) dot += a.ints[j] * b.ints[j];
  return dot * Math.fround(a.scale);
}

describe('Int8Scan', () => {
  it('ranks rows by the same int8 dot products as a plain JavaScript reference (dims not a multiple of 16)', () => {
    const dims = 50;
    const rows = clustered(400, dims, 8, 0.5).map(normalised);
    const data = new Float32Array(rows.length * dims);
    rows.forEach((r, i) => {
      data.set(r, i * dims);
    });
    const scan = Int8Scan.build(data, rows.length, dims);
    expect(scan).toBeDefined();
    for (let t = 0; t < 20; t++) {
      const q = normalised(Float32Array.from({ length: dims }, gauss));
      const ref = rows.map((r, i) => ({ i, s: referenceScore(r, q) })).sort((a, b) => b.s - a.s);
      const got = new Set(scan!.shortlist(q, 25));
      expect(got.size).toBe(25);
      // The reference's top 25, up to a tie at the cut (where either row is a correct answer).
      const cut = ref[24].s;
      for (const { i, s } of ref.slice(0, 25)) if (s > cut) expect(got.has(i)).toBe(true);
      for (const i of got) expect(referenceScore(rows[i], q)).toBeGreaterThanOrEqual(cut);
    }
  });

  it('returns every row when asked for more rows than it holds', () => {
    const rows = clustered(30, 32, 3, 0.3).map(normalised);
    const data = new Float32Array(30 * 32);
    rows.forEach((r, i) => {
      data.set(r, i * 32);
    });
    expect([...Int8Scan.build(data, 30, 32)!.shortlist(rows[0], 100)].sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
  });
});

describe('VectorMatrix with the int8 shortlist', () => {
  const dims = 96;
  const rows = clustered(5000, dims, 50, 0.8);
  const queries = clustered(60, dims, 50, 1.5);

  it('gives the exact scan results (recall@10 = 1, recall@100 >= 0.99) with exact scores', () => {
    const exact = matrix(rows, dims);
    const fast = matrix(rows, dims);
    expect(fast.useQuantisedScan(1000)).toBe(true);
    let found10 = 0;
    let found100 = 0;
    for (const q of queries) {
      const want = exact.search(q, 100);
      const got = fast.search(q, 100);
      expect(got).toHaveLength(100);
      const ids = new Set(got.map((h) => h.row));
      found10 += want.slice(0, 10).filter((h) => ids.has(h.row)).length;
      found100 += want.filter((h) => ids.has(h.row)).length;
      // Scores are the float32 cosines, not the quantised estimates; best first.
      const byRow = new Map(exact.search(q, rows.length).map((h) => [h.row, h.score]));
      for (const h of got) expect(h.score).toBeCloseTo(byRow.get(h.row)!, 6);
      for (let i = 1; i < got.length; i++) expect(got[i - 1].score).toBeGreaterThanOrEqual(got[i].score);
      expect(got.slice(0, 10).map((h) => h.row)).toEqual(want.slice(0, 10).map((h) => h.row));
    }
    expect(found10 / (queries.length * 10)).toBe(1);
    expect(found100 / (queries.length * 100)).toBeGreaterThanOrEqual(0.99);
  });

  it('switches at the threshold: below it (and beyond the shortlist depth) the exact scan answers', () => {
    const m = matrix(rows, dims);
    expect(m.useQuantisedScan(rows.length + 1)).toBe(false);
    expect(m.quantisedScan).toBe(false);
    expect(m.useQuantisedScan(rows.length)).toBe(true);
    expect(m.quantisedScan).toBe(true);
    // A filtered search asks for every row: the full exact ranking, not a shortlist.
    const all = m.search(queries[0], MAX_SHORTLIST_DEPTH + 1);
    expect(all).toHaveLength(MAX_SHORTLIST_DEPTH + 1);
    expect(all.map((h) => h.row)).toEqual(
      m
        .search(queries[0], MAX_SHORTLIST_DEPTH + 1, { exact: true })
        .slice(0, MAX_SHORTLIST_DEPTH + 1)
        .map((h) => h.row),
    );
  });
});

describe('VECTOR_INT8_MIN_ROWS on a real index', () => {
  let root: string;
  let server: FakeOpenAIServer;
  let index: string;
  let corpus: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rb-int8-'));
    server = await startOpenAIServer({ dimensions: 64 });
    corpus = join(root, 'corpus');
    index = join(root, 'index');
    await mkdir(corpus);
    const shipped = join(import.meta.dirname, '../../data/corpus');
    for (const f of ['001_ee0c38c5b4709230.txt', '002_8ade21b1ef0670a8.txt', '003_2e1a7ba535186e7a.txt'])
      await writeFile(join(corpus, f), await readFile(join(shipped, f)));
    const embedder = new OpenAIEmbeddings({ model: 'int8-test', baseURL: server.url, maxRetries: 0, timeoutMs: 10_000, apiKey: 'k' });
    await ingest({ corpusDir: corpus, indexDir: index, embedder });
  });
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('is off below the configured size and on at it, with the same hybrid results', async () => {
    const small = await IndexStore.open(index);
    const rowCount = small.vectors!.count;
    expect(rowCount).toBeGreaterThan(10);
    expect(small.vectors!.quantisedScan).toBe(false); // default 2000 rows; this index is far smaller
    const env = { CORPUS_DIR: corpus, INDEX_DIR: index, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'k', EMBEDDING_MODEL: 'int8-test' };
    const exact = await openRetriever(loadConfig({ ...env, VECTOR_INT8_MIN_ROWS: String(rowCount + 1) }));
    const fast = await openRetriever(loadConfig({ ...env, VECTOR_INT8_MIN_ROWS: String(rowCount) }));
    expect((exact.store as IndexStore).vectors!.quantisedScan).toBe(false);
    expect((fast.store as IndexStore).vectors!.quantisedScan).toBe(true);
    for (const q of ['transfer learning from pretrained models', 'reinforcement learning reward', 'graph neural networks']) {
      const a = await exact.searchWithMode(q, { k: 5 });
      const b = await fast.searchWithMode(q, { k: 5 });
      expect(b.retrieval).toBe('hybrid');
      expect(b.hits.map((h) => h.paper.id)).toEqual(a.hits.map((h) => h.paper.id));
    }
  });
});
