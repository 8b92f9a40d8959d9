/**
 * Retriever groups chunk hits by paper and fuses the lexical and dense lists through per-generation
 * paper slots (search.ts), not Maps of paper ids. It must give exactly what the plain Map-based
 * fusion gives (below, as it was written before): the same papers in the same order, the same
 * fused, lexical and vector scores, the same chunks, for random generations with several chunks
 * per paper, chunks of unknown papers, tied scores, unsorted hit lists and filters.
 */
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/corpus/types.js';
import type { Chunk } from '../../src/index/chunk.js';
import { type ChunkHit, type PaperHit, passesFilter, Retriever, type SearchFilter } from '../../src/index/search.js';
import type { DocHit, PinnedGeneration, SearchStore } from '../../src/index/search-store.js';
import { mulberry32 } from '../../src/seeded-random.js';

const RRF_K = 60;

interface Entry {
  paper: Paper;
  score: number;
  chunks: ChunkHit[];
}

function groupByPaper(g: PinnedGeneration, hits: DocHit[], filter: SearchFilter | undefined): Map<string, Entry> {
  const byPaper = new Map<string, Entry>();
  for (const { doc: index, score } of hits) {
    const chunk = g.chunks[index];
    if (!chunk) continue;
    const paper = g.paperById.get(chunk.paperId);
    if (!paper || !passesFilter(paper, filter)) continue;
    const entry = byPaper.get(chunk.paperId);
    if (!entry) byPaper.set(chunk.paperId, { paper, score, chunks: [{ chunk, index, score }] });
    else {
      entry.chunks.push({ chunk, index, score });
      if (score > entry.score) entry.score = score;
    }
  }
  return byPaper;
}

/** The reference: reciprocal rank fusion over Maps keyed by paper id. */
function referenceFusion(
  g: PinnedGeneration,
  lexHits: DocHit[],
  vecHits: DocHit[] | undefined,
  k: number,
  filter?: SearchFilter,
): PaperHit[] {
  const lexical = groupByPaper(g, lexHits, filter);
  const lexRanked = [...lexical.entries()].sort((a, b) => b[1].score - a[1].score);
  if (!vecHits)
    return lexRanked.slice(0, k).map(([, e], i) => ({
      paper: e.paper,
      rank: i + 1,
      score: e.score,
      lexicalScore: e.score,
      chunks: e.chunks.sort((a, b) => b.score - a.score),
    }));
  const dense = groupByPaper(g, vecHits, filter);
  const vecRanked = [...dense.entries()].sort((a, b) => b[1].score - a[1].score);
  const fused = new Map<string, number>();
  lexRanked.forEach(([id], i) => {
    fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + i + 1));
  });
  vecRanked.forEach(([id], i) => {
    fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + i + 1));
  });
  return [...fused.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([id, score], i) => {
      const lex = lexical.get(id);
      const vec = dense.get(id);
      const chunks = new Map<number, ChunkHit>();
      for (const c of [...(lex?.chunks ?? []), ...(vec?.chunks ?? [])]) if (!chunks.has(c.index)) chunks.set(c.index, c);
      return {
        paper: (lex ?? vec)!.paper,
        rank: i + 1,
        score,
        lexicalScore: lex?.score ?? 0,
        vectorScore: vec?.score,
        chunks: [...chunks.values()].sort((a, b) => b.score - a.score),
      };
    });
}

/** A generation whose searches return fixed hit lists (set per query), as a backend would. */
function fakeGeneration(rnd: () => number, papersN: number) {
  const papers: Paper[] = Array.from({ length: papersN }, (_, i) => ({
    id: `p${i}`,
    title: `Paper ${i}`,
    abstract: `Abstract ${i}`,
    links: [],
    sources: [rnd() < 0.5 ? 'alpha.md' : 'beta.md'],
    ...(rnd() < 0.8 ? { date: `202${Math.floor(rnd() * 5)}-0${1 + Math.floor(rnd() * 9)}-15` } : {}),
  }));
  const chunks: Chunk[] = [];
  for (const p of papers) {
    const n = rnd() < 0.5 ? 1 : 1 + Math.floor(rnd() * 4);
    for (let c = 0; c < n; c++)
      chunks.push({ id: `${p.id}#${c}`, paperId: p.id, title: p.title, text: `chunk ${c}`, position: c, sources: p.sources });
  }
  // Chunks whose paper the snapshot does not have: skipped, never a hit.
  for (let u = 0; u < 3; u++) chunks.push({ id: `gone${u}#0`, paperId: `gone${u}`, title: 'Gone', text: '', position: 0, sources: [] });
  const hits = { lex: [] as DocHit[], vec: [] as DocHit[], lexDepths: [] as number[], vecDepths: [] as number[] };
  const g = {
    generation: 'g1',
    manifest: {},
    papers,
    paperById: new Map(papers.map((p) => [p.id, p])),
    chunks,
    termStats: { size: chunks.length, idf: () => 1 },
    hasVectors: true,
    async lexicalSearch(_terms: Map<string, number>, depth: number) {
      hits.lexDepths.push(depth);
      return hits.lex.slice(0, depth);
    },
    async vectorSearch(_v: number[], depth: number) {
      hits.vecDepths.push(depth);
      return hits.vec.slice(0, depth);
    },
    checkQueryVector() {},
  };
  const store = {
    ...g,
    kind: 'vectra',
    pin: async () => g,
    latestGeneration: async () => 'g1',
    checkEmbeddingModel() {},
    close: async () => {},
  } as unknown as SearchStore;
  return { g: g as unknown as PinnedGeneration, store, hits };
}

/** Random hits over the chunks: coarse scores (many exact ties), best first unless `unsorted`. */
function randomHits(rnd: () => number, chunks: number, n: number, levels: number, unsorted: boolean): DocHit[] {
  const docs = new Set<number>();
  while (docs.size < Math.min(n, chunks)) docs.add(Math.floor(rnd() * chunks));
  const out = [...docs].map((doc) => ({ doc, score: Math.floor(rnd() * levels) / levels + 0.01 }));
  return unsorted ? out : out.sort((a, b) => b.score - a.score || a.doc - b.doc);
}

describe('Retriever fusion through paper slots', () => {
  it('equals the Map-based fusion on random generations, hits, filters and k', async () => {
    const rnd = mulberry32(16);
    const filters: Array<SearchFilter | undefined> = [
      undefined,
      { from: '2022-01-01' },
      { to: '2022-06-30', source: 'ALPHA' },
      { source: 'beta' },
      { paperIds: ['p1', 'p2', 'p3', 'p5', 'p8', 'p13', 'p21', 'p34'] },
    ];
    let compared = 0;
    let hybridWithTies = 0;
    for (let gen = 0; gen < 12; gen++) {
      const { g, store, hits } = fakeGeneration(rnd, 20 + Math.floor(rnd() * 300));
      const retriever = new Retriever(store);
      for (let q = 0; q < 40; q++) {
        const unsorted = q % 5 === 4;
        hits.lex = randomHits(rnd, g.chunks.length, 1 + Math.floor(rnd() * g.chunks.length), 1 + Math.floor(rnd() * 30), unsorted);
        hits.vec = randomHits(rnd, g.chunks.length, 1 + Math.floor(rnd() * 150), 1 + Math.floor(rnd() * 30), unsorted);
        const filter = filters[q % filters.length];
        const k = [1, 3, 5, 10, 25][q % 5];
        for (const hybrid of [true, false]) {
          hits.lexDepths = [];
          hits.vecDepths = [];
          const got = await retriever.search('any question', { k, filter, queryVector: hybrid ? [1, 0] : undefined });
          // The reference sees exactly the lists the retriever asked for.
          const lex = hits.lex.slice(0, hits.lexDepths[0]);
          const vec = hybrid ? hits.vec.slice(0, hits.vecDepths[0]) : undefined;
          const want = referenceFusion(g, lex, vec, k, filter);
          expect(got, `generation ${gen} query ${q} hybrid ${hybrid}`).toStrictEqual(want);
          if (hybrid && new Set(want.map((h) => h.score)).size < want.length) hybridWithTies++;
          compared++;
        }
      }
    }
    expect(compared).toBe(960);
    // The property is only tested if fused scores tie inside the k best (order of first appearance decides).
    expect(hybridWithTies).toBeGreaterThan(20);
  });
});
