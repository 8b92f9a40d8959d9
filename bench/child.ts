/**
 * Runs one measured job in a fresh process so peak RSS belongs to that job alone.
 * argv: <job> <json options>; prints one JSON line with the results.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerQuestion } from '../src/answer/engine.js';
import { loadConfig } from '../src/config.js';
import { openRetriever, runIngest } from '../src/context.js';
import { loadCorpus } from '../src/corpus/load.js';
import { denseDepth, Retriever } from '../src/index/search.js';
import { IndexStore } from '../src/index/store.js';
import { deterministicEmbedding } from '../test/servers/openai-server.js';
import { measureInt8Scan } from './ann.js';
import { peakRssMB } from './peak-rss.js';
import { PEER_ENGINES } from './peer-engines.js';
import { DIMS, docText } from './peers.js';
import { stats } from './stats.js';

interface Opts {
  corpusDir: string;
  indexDir: string;
  embedUrl?: string;
  queries?: string[];
  force?: boolean;
  iterations?: number;
  /** STORE=postgres with this DATABASE_URL. */
  databaseUrl?: string;
  /** Job `peer`: which engine of PEER_ENGINES. */
  peer?: string;
  /** Job `peer`: return the ranked titles of the first pass (for recall). */
  rankings?: boolean;
  /** Extra configuration variables for the job (a store setting being measured). */
  env?: Record<string, string>;
  /** Job `query`: also return these questions' rankings (untimed), for parity between stores. */
  rankQueries?: string[];
  /** Job `ann`: vector counts (comma-separated) to measure the int8 shortlist at, on the first rows of the index's vectors. */
  annSizes?: string;
}

/**
 * Per question: the top-5 paper ids of a lexical search and (with vectors) of a hybrid search, as
 * the timed searches run them (k 10), and the vector half's best 100 chunks, so the bench can
 * compare two stores on the same papers.
 */
async function rankings(retriever: Retriever, queries: string[]) {
  const lexicalOnly = new Retriever(retriever.store);
  const g = await retriever.store.pin();
  const out = { lexical: [] as string[][], hybrid: [] as string[][], vector: [] as number[][] };
  for (const q of queries) {
    out.lexical.push((await lexicalOnly.search(q, { k: 10 })).slice(0, 5).map((h) => h.paper.id));
    const v = await retriever.embedQuery(q);
    if (!v) continue;
    out.hybrid.push((await retriever.search(q, { k: 10, queryVector: v })).slice(0, 5).map((h) => h.paper.id));
    out.vector.push((await g.vectorSearch(v, 100)).map((h) => h.doc));
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * A peer engine on the same papers (parsed by research-bot's own loader) and the same queries.
 * Document vectors come from the same deterministic embedder the fake OpenAI server serves and are
 * computed before the build timer starts (`embedMs`), since the embedder is not the peer's work.
 */
async function runPeer(o: Opts, out: Record<string, unknown>): Promise<void> {
  const engine = PEER_ENGINES[o.peer ?? ''];
  if (!engine) throw new Error(`unknown peer ${o.peer}`);
  const { papers } = await loadCorpus(o.corpusDir, { maxFileBytes: 1 << 30 });
  out.papers = papers.length;
  let vectors: Float32Array[] | undefined;
  if (engine.vectors) {
    const t = performance.now();
    vectors = papers.map((p) => Float32Array.from(deterministicEmbedding(docText(p), DIMS)));
    out.embedMs = performance.now() - t;
  }
  const t0 = performance.now();
  const modes = await engine.build(papers, vectors);
  out.buildMs = performance.now() - t0;
  const queries = o.queries ?? [];
  const qv = engine.vectors ? queries.map((q) => Float32Array.from(deterministicEmbedding(q, DIMS))) : [];
  const rows: Record<string, unknown>[] = [];
  for (const mode of modes) {
    const samples: number[] = [];
    const firstPass: number[][] = [];
    // Pass -1 warms up (JIT, caches) and is not timed, as in the `query` job.
    for (let it = -1; it < (o.iterations ?? 1); it++) {
      for (let i = 0; i < queries.length; i++) {
        const t = performance.now();
        const ids = await mode.search(queries[i], qv[i], 10);
        if (it >= 0) samples.push(performance.now() - t);
        if (it === -1) firstPass.push(ids);
      }
    }
    const row: Record<string, unknown> = { name: mode.name, kind: mode.kind, search: stats(samples) };
    if (o.rankings) row.rankings = firstPass.map((ids) => ids.map((id) => papers[id].title));
    if (mode.kind === 'vector' && vectors) {
      // Recall@10 against the exact cosine scan over the same vectors (all are unit length).
      let hit = 0;
      for (let i = 0; i < queries.length; i++) {
        const exact = vectors
          .map((v, id) => [dot(qv[i], v), id])
          .sort((a, b) => b[0] - a[0])
          .slice(0, 10)
          .map((x) => x[1]);
        hit += firstPass[i].filter((id) => exact.includes(id)).length / exact.length;
      }
      row.recallAt10VsExact = queries.length ? hit / queries.length : undefined;
    }
    rows.push(row);
  }
  out.rows = rows;
}

async function main(): Promise<void> {
  const [job, raw] = process.argv.slice(2);
  const o = JSON.parse(raw) as Opts;
  const env: Record<string, string> = { CORPUS_DIR: o.corpusDir, INDEX_DIR: o.indexDir, MAX_CORPUS_FILE_MB: '1024' };
  if (o.databaseUrl) Object.assign(env, { STORE: 'postgres', DATABASE_URL: o.databaseUrl });
  if (o.embedUrl) Object.assign(env, { OPENAI_BASE_URL: o.embedUrl, EMBEDDING_MODEL: 'bench-embed-384', EMBEDDING_BATCH_SIZE: '256' });
  const config = loadConfig({ ...env, ...o.env });
  const out: Record<string, unknown> = { job };
  const t0 = performance.now();
  if (job === 'ingest') {
    const s = await runIngest(config, { force: o.force });
    out.durationMs = performance.now() - t0;
    out.papers = s.papers;
    out.chunks = s.chunks;
    out.upToDate = s.upToDate;
    out.embedding = s.embedding;
  } else if (job === 'query') {
    const loadStart = performance.now();
    const retriever = await openRetriever(config);
    out.loadMs = performance.now() - loadStart;
    out.papers = retriever.store.papers.length;
    const search: number[] = [];
    const ask: number[] = [];
    const embed: number[] = [];
    const queries = o.queries ?? [];
    // Query vectors are computed first (timed on their own): the search numbers are retrieval
    // only, comparable with in-process peers; `ask` stays end to end, embedding included.
    const vectors: Array<number[] | undefined> = [];
    for (const q of queries) {
      const t = performance.now();
      vectors.push(await retriever.embedQuery(q));
      embed.push(performance.now() - t);
    }
    for (let it = -1; it < (o.iterations ?? 1); it++) {
      for (let i = 0; i < queries.length; i++) {
        let t = performance.now();
        await retriever.search(queries[i], { k: 10, queryVector: vectors[i] });
        if (it >= 0) search.push(performance.now() - t);
        t = performance.now();
        await answerQuestion({ retriever }, queries[i]);
        if (it >= 0) ask.push(performance.now() - t);
      }
    }
    if (vectors.some(Boolean)) out.embed = stats(embed);
    if (o.rankQueries) out.rankings = await rankings(retriever, o.rankQueries);
    const store = retriever.store;
    if (store instanceof IndexStore && store.vectors) {
      // The store's vector search as a k = 10 hybrid search runs it (the int8 shortlist past
      // VECTOR_INT8_MIN_ROWS, re-scored exactly), its 10 best against the exact scan's.
      let hit = 0;
      let n = 0;
      for (const v of vectors) {
        if (!v) continue;
        const got = new Set((await store.vectorSearch(v, denseDepth(10))).slice(0, 10).map((h) => h.doc));
        const exact = store.vectors.search(v, 10, { exact: true }).map((h) => store.vectors!.chunkOf[h.row]);
        hit += exact.filter((d) => got.has(d)).length / exact.length;
        n++;
      }
      if (n) out.vectorRecallAt10 = hit / n;
    }
    await retriever.store.close();
    out.search = stats(search);
    out.ask = stats(ask);
  } else if (job === 'ann') {
    const gen = (await readFile(join(o.indexDir, 'CURRENT'), 'utf8')).trim();
    out.rows = await measureInt8Scan(join(o.indexDir, gen, 'vectors.f32'), o.annSizes);
  } else if (job === 'peer') {
    await runPeer(o, out);
  } else if (job === 'load') {
    const retriever = await openRetriever(config, { embedder: null });
    out.loadMs = performance.now() - t0;
    out.papers = retriever.store.papers.length;
    await retriever.store.close();
  } else {
    throw new Error(`unknown job ${job}`);
  }
  out.maxRssMB = peakRssMB();
  // Exit explicitly: a database pool must not keep the measured process alive.
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
