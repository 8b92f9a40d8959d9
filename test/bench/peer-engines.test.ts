/**
 * The bench's peer engines (bench/peer-engines.ts) are configured as the README says: OR-ed terms,
 * research-bot's stopwords dropped from the query, vector search with no similarity cut-off, and
 * the same papers in the same order (results are indices into the papers given).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HNSW_EF_SEARCH, LEXICAL_PEERS, PEER_ENGINES, queryTerms, VECTOR_PEERS, type PeerMode } from '../../bench/peer-engines.js';
import { DIMS, docText } from '../../bench/peers.js';
import { loadCorpus } from '../../src/corpus/load.js';
import type { Paper } from '../../src/corpus/types.js';
import { deterministicEmbedding } from '../servers/openai-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
let papers: Paper[];
let vectors: Float32Array[];
const embed = (text: string) => Float32Array.from(deterministicEmbedding(text, DIMS));

beforeAll(async () => {
  ({ papers } = await loadCorpus(join(ROOT, 'data', 'corpus')));
  vectors = papers.map((p) => embed(docText(p)));
});

describe('queryTerms', () => {
  it("drops research-bot's stopwords and conversational filler, lower-cases and deduplicates", () => {
    expect(queryTerms('Is there a paper about Pretraining, pretraining from scratch?')).toEqual(['pretraining', 'scratch']);
    expect(queryTerms('is there a paper that')).toEqual([]);
  });
});

// node:sqlite exists from Node 22.5 on (engines: >=22); on an older Node the FTS5 peer must say so.
const hasSqlite = await import('node:sqlite').then(
  () => true,
  () => false,
);

describe('the SQLite FTS5 peer on this Node', () => {
  it('builds where node:sqlite exists, and otherwise refuses, naming what it needs', async () => {
    const build = PEER_ENGINES['sqlite-fts5'].build(papers.slice(0, 3), undefined);
    if (hasSqlite) expect(await build).toHaveLength(1);
    else await expect(build).rejects.toThrow(/needs node:sqlite \(Node 22\.5 or later\); this is Node v\d+\./);
  });
});

describe.each(LEXICAL_PEERS.filter((p) => hasSqlite || p !== 'sqlite-fts5'))('lexical peer %s', (peer) => {
  let mode: PeerMode;
  beforeAll(async () => {
    [mode] = await PEER_ENGINES[peer].build(papers, undefined);
  }, 60_000);

  it("finds a paper from its title's words, even with a term no paper has (terms are OR-ed)", async () => {
    const target = papers.findIndex((p) => p.title === 'An Experimental Study on Pretraining Transformers from Scratch for IR');
    expect(target).toBeGreaterThanOrEqual(0);
    const ids = await mode.search('pretraining transformers from scratch for IR zzqxnonexistentword', undefined, 5);
    expect(ids).toContain(target);
    expect(ids.length).toBeLessThanOrEqual(5);
  });

  it('returns nothing for a query made only of stopwords, and takes query-syntax characters as plain text', async () => {
    expect(await mode.search('is there a paper that', undefined, 10)).toEqual([]);
    const ids = await mode.search('"transformers" NOT -scratch* (IR) OR NEAR', undefined, 10);
    expect(ids.length).toBeGreaterThan(0);
  });
});

describe.each(VECTOR_PEERS)('vector peer %s', (peer) => {
  let modes: PeerMode[];
  beforeAll(async () => {
    modes = await PEER_ENGINES[peer].build(papers, vectors);
  }, 60_000);

  it('returns a full top-k (no similarity cut-off), the paper whose own text is the query first', async () => {
    for (const mode of modes.filter((m) => m.kind === 'vector')) {
      for (const target of [0, 17, papers.length - 1]) {
        const ids = await mode.search(docText(papers[target]), vectors[target], 10);
        expect(ids, mode.name).toHaveLength(10);
        expect(ids[0], mode.name).toBe(target);
      }
    }
  });

  it('modes are the documented ones', () => {
    const kinds = modes.map((m) => m.kind);
    if (peer === 'hnswlib') expect(kinds).toEqual(HNSW_EF_SEARCH.map(() => 'vector'));
    else expect(kinds).toEqual(['vector', 'hybrid']);
  });
});

describe('Orama hybrid', () => {
  it('ranks by text and vector together: a title query finds its paper', async () => {
    const modes = await PEER_ENGINES['orama-vector'].build(papers, vectors);
    const hybrid = modes.find((m) => m.kind === 'hybrid')!;
    const target = papers.findIndex((p) => p.title === 'An Experimental Study on Pretraining Transformers from Scratch for IR');
    const q = 'pretraining transformers from scratch for IR';
    expect((await hybrid.search(q, embed(q), 5)).slice(0, 5)).toContain(target);
  }, 60_000);
});
