/**
 * Embedded search engines a team would pick instead of research-bot, each run by `child.ts` (job
 * `peer`) in its own process on the same papers, queries and 384-d embedder as research-bot's rows.
 *
 * Every lexical peer gets the configuration most favourable to it that is still the engine's own:
 * English stemming, research-bot's own stopword list on the query (so no peer loses recall or speed
 * to filler words like "is there a paper that..." that research-bot drops), and terms OR-ed (a
 * question rarely has all its words in one abstract). FTS5 and MiniSearch weight the title 2x, as
 * research-bot's BM25F does (neutral for them on eval/dev.jsonl); Orama keeps equal weights, since a
 * title boost of 2 cost it Recall@5 on the dev questions (0.816 -> 0.711).
 */
import { stemmer } from 'stemmer';
import type { Paper } from '../src/corpus/types.js';
import { isStopword } from '../src/index/tokenize.js';

export type PeerKind = 'lexical' | 'vector' | 'hybrid';

/** One searchable mode of a built peer: returns paper indices, best first. */
export interface PeerMode {
  name: string;
  kind: PeerKind;
  search(query: string, queryVector: Float32Array | undefined, k: number): Promise<number[]> | number[];
}

export interface PeerEngine {
  /** Name and kind of its rows as a whole, for a row that reports the job itself (did not finish). */
  label: string;
  kind: string;
  /** Whether the build needs document vectors (computed before the build timer starts). */
  vectors: boolean;
  build(papers: Paper[], vectors: Float32Array[] | undefined): Promise<PeerMode[]>;
}

const HNSW_M = 16;
const HNSW_EF_CONSTRUCTION = 200;
/** efSearch values reported for hnswlib: recall against the exact scan rises with it, and so does latency. */
export const HNSW_EF_SEARCH = [64, 256, 1024];

/** Query terms after research-bot's stopword list, lower-cased, deduplicated. */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => !isStopword(w)))];
}

const sqliteFts5: PeerEngine = {
  label: 'SQLite FTS5 (node:sqlite, bm25)',
  kind: 'lexical',
  vectors: false,
  async build(papers) {
    // Imported here: node:sqlite prints an ExperimentalWarning on load, which other jobs need not see.
    const { DatabaseSync } = await import('node:sqlite').catch(() => {
      throw new Error(`SQLite FTS5 needs node:sqlite (Node 22.5 or later); this is Node ${process.version}`);
    });
    // In memory, like the other peers; the FTS5 index is SQLite's own B-tree of postings.
    const db = new DatabaseSync(':memory:');
    db.exec("CREATE VIRTUAL TABLE papers USING fts5(title, abstract, tokenize = 'porter unicode61')");
    const insert = db.prepare('INSERT INTO papers(rowid, title, abstract) VALUES (?, ?, ?)');
    db.exec('BEGIN');
    for (const [i, p] of papers.entries()) insert.run(i + 1, p.title, p.abstract);
    db.exec('COMMIT');
    db.exec("INSERT INTO papers(papers) VALUES('optimize')");
    const select = db.prepare('SELECT rowid FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, 2.0, 1.0) LIMIT ?');
    return [
      {
        name: 'SQLite FTS5 (node:sqlite, bm25)',
        kind: 'lexical',
        search(query, _v, k) {
          const terms = queryTerms(query);
          if (!terms.length) return [];
          // Each term quoted: FTS5 query syntax would otherwise read words like NOT/NEAR or a '-'.
          const match = terms.map((t) => `"${t}"`).join(' OR ');
          return (select.all(match, k) as Array<{ rowid: number }>).map((r) => r.rowid - 1);
        },
      },
    ];
  },
};

const miniSearch: PeerEngine = {
  label: 'MiniSearch 7.2 (BM25+)',
  kind: 'lexical',
  vectors: false,
  async build(papers) {
    const { default: MiniSearch } = await import('minisearch');
    const processTerm = (term: string) => {
      const t = term.toLowerCase();
      return isStopword(t) ? null : stemmer(t);
    };
    const ms = new MiniSearch<{ id: number; title: string; abstract: string }>({ fields: ['title', 'abstract'], processTerm });
    ms.addAll(papers.map((p, id) => ({ id, title: p.title, abstract: p.abstract })));
    return [
      {
        name: 'MiniSearch 7.2 (BM25+)',
        kind: 'lexical',
        search(query, _v, k) {
          return ms
            .search(query, { boost: { title: 2 }, combineWith: 'OR' })
            .slice(0, k)
            .map((r) => r.id as number);
        },
      },
    ];
  },
};

/**
 * An Orama database of the papers and its search, typed loosely: Orama's generic parameter types
 * exceed tsc's instantiation depth here. Returns paper indices, best first.
 */
async function oramaDb(
  papers: Paper[],
  vectors: Float32Array[] | undefined,
): Promise<(params: Record<string, unknown>) => Promise<number[]>> {
  const { create, insertMultiple, search } = await import('@orama/orama');
  const { DIMS } = await import('./peers.js');
  const db = create({
    schema: vectors
      ? { title: 'string', abstract: 'string', embedding: `vector[${DIMS}]` as const }
      : { title: 'string', abstract: 'string' },
    components: { tokenizer: { stemming: true } },
  });
  const docs = papers.map((p, i) => ({
    id: String(i),
    title: p.title,
    abstract: p.abstract,
    ...(vectors ? { embedding: Array.from(vectors[i]) } : {}),
  }));
  await insertMultiple(db, docs as never, 1000);
  const run = search as (db: unknown, params: unknown) => unknown;
  return async (params) => ((await run(db, params)) as { hits: Array<{ id: string }> }).hits.map((h) => Number(h.id));
}

const oramaFullText: PeerEngine = {
  label: 'Orama 3.1 full-text (BM25)',
  kind: 'lexical',
  vectors: false,
  async build(papers) {
    const oramaSearch = await oramaDb(papers, undefined);
    return [
      {
        name: 'Orama 3.1 full-text (BM25)',
        kind: 'lexical',
        // threshold 1: documents with any of the terms (Orama's default 0 keeps only those with all).
        search: (query, _v, k) => {
          const terms = queryTerms(query);
          // An empty term would list every document.
          return terms.length ? oramaSearch({ term: terms.join(' '), properties: ['title', 'abstract'], threshold: 1, limit: k }) : [];
        },
      },
    ];
  },
};

const oramaVector: PeerEngine = {
  label: 'Orama 3.1 vector and hybrid',
  kind: 'vector, hybrid',
  vectors: true,
  async build(papers, vectors) {
    const oramaSearch = await oramaDb(papers, vectors);
    // similarity 0: Orama's default cut-off (0.8) would drop every hit of this embedder.
    return [
      {
        name: 'Orama 3.1 vector',
        kind: 'vector',
        search: (_q, v, k) =>
          oramaSearch({ mode: 'vector', vector: { value: Array.from(v!), property: 'embedding' }, similarity: 0, limit: k }),
      },
      {
        name: 'Orama 3.1 hybrid',
        kind: 'hybrid',
        search: (q, v, k) =>
          oramaSearch({
            mode: 'hybrid',
            term: queryTerms(q).join(' '),
            properties: ['title', 'abstract'],
            vector: { value: Array.from(v!), property: 'embedding' },
            similarity: 0,
            limit: k,
          }),
      },
    ];
  },
};

const hnswlib: PeerEngine = {
  label: 'hnswlib-node 3.0 (M=16, efC=200)',
  kind: 'vector',
  vectors: true,
  async build(papers, vectors) {
    const { default: hnsw } = await import('hnswlib-node');
    const { DIMS } = await import('./peers.js');
    const index = new hnsw.HierarchicalNSW('cosine', DIMS);
    index.initIndex(papers.length, HNSW_M, HNSW_EF_CONSTRUCTION, 42);
    // The binding accepts only plain arrays (it rejects a Float32Array).
    for (const [i, v] of vectors!.entries()) index.addPoint(Array.from(v), i);
    return HNSW_EF_SEARCH.map((ef) => ({
      name: `hnswlib-node 3.0 (M=${HNSW_M}, efC=${HNSW_EF_CONSTRUCTION}, ef=${ef})`,
      kind: 'vector' as const,
      search(_q: string, v: Float32Array | undefined, k: number) {
        index.setEf(ef);
        return index.searchKnn(Array.from(v!), k).neighbors;
      },
    }));
  },
};

export const PEER_ENGINES: Record<string, PeerEngine> = {
  'sqlite-fts5': sqliteFts5,
  minisearch: miniSearch,
  'orama-fulltext': oramaFullText,
  'orama-vector': oramaVector,
  hnswlib,
};

export const LEXICAL_PEERS = ['sqlite-fts5', 'minisearch', 'orama-fulltext'];
export const VECTOR_PEERS = ['orama-vector', 'hnswlib'];
