/**
 * topDocs stops walking long posting lists once the terms left cannot lift an unseen doc into the
 * k best (lexical.ts). It must return exactly what scoring every posting gives: the same docs, in
 * the same order, with bit-identical scores, for every k, ties included.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/index/ingest.js';
import { LexicalIndex, queryTerms } from '../../src/index/lexical.js';
import { Retriever } from '../../src/index/search.js';
import { IndexStore } from '../../src/index/store.js';
import { mulberry32 } from '../../src/seeded-random.js';

// Zipf-like vocabulary: a few words in nearly every doc (the lists worth skipping), a long tail of rare ones.
const VOCAB = Array.from({ length: 400 }, (_, i) => `word${i}x`);
function corpus(n: number, seed: number): Array<{ title: string; body: string }> {
  const rnd = mulberry32(seed);
  const pick = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(1 / (rnd() + 0.0025)) - 1)];
  return Array.from({ length: n }, (_, i) => ({
    title: Array.from({ length: 2 + (i % 5) }, pick).join(' '),
    // Every 50th doc repeats the previous one: exact score ties at the cut-off.
    body: i % 50 === 1 ? '' : Array.from({ length: 20 + Math.floor(rnd() * 60) }, pick).join(' '),
  }));
}

function fullTop(index: LexicalIndex, terms: Map<string, number>, k: number): Array<[number, number]> {
  return [...index.scoreTerms(terms)].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
}

describe('LexicalIndex.topDocs with early termination', () => {
  const docs = corpus(6000, 7);
  for (let i = 50; i < docs.length; i += 50) docs[i + 1] = { ...docs[i] };
  const index = LexicalIndex.build(docs);
  const rnd = mulberry32(11);

  it('returns the k best of full scoring, scores bit for bit, for common, rare and repeated terms', () => {
    let compared = 0;
    for (let q = 0; q < 150; q++) {
      const terms = new Map<string, number>();
      const len = 1 + Math.floor(rnd() * 12);
      for (let t = 0; t < len; t++) {
        // Mostly common words (long lists), some rare, some repeated (query weight 2).
        const w = rnd() < 0.7 ? VOCAB[Math.floor(rnd() * 15)] : VOCAB[Math.floor(rnd() * VOCAB.length)];
        terms.set(w, (terms.get(w) ?? 0) + 1);
      }
      if (q % 10 === 0) terms.set('notaword', 1);
      for (const k of [1, 3, 10, 100, 1000, 6000]) {
        const got = index.topDocs(terms, k).map((h) => [h.doc, h.score]);
        expect(got, `query ${q} k ${k}`).toEqual(fullTop(index, terms, k));
        compared++;
      }
    }
    expect(compared).toBe(900);
  });

  it('leaves its scratch buffer clean: the same query twice gives the same answer', () => {
    const terms = new Map([
      [VOCAB[0], 1],
      [VOCAB[1], 1],
      [VOCAB[200], 1],
    ]);
    const first = index.topDocs(terms, 10);
    index.topDocs(new Map([[VOCAB[2], 1]]), 5);
    expect(index.topDocs(terms, 10)).toEqual(first);
    expect(index.topDocs(new Map(), 10)).toEqual([]);
    expect(index.topDocs(terms, 0)).toEqual([]);
  });
});

describe('lexical-only search asks for k chunks when each paper is one chunk', () => {
  it('returns the papers, scores and chunks the deep (1000-chunk) list gives', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rb-topk-'));
    try {
      await ingest({ corpusDir: join(import.meta.dirname, '../../data/corpus'), indexDir: root });
      const store = await IndexStore.open(root);
      expect(store.chunks.length).toBe(store.papers.length);
      const retriever = new Retriever(store);
      const questions = (await readFile(join(import.meta.dirname, '../../eval/dev.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { question: string }).question);
      for (const q of questions) {
        const deep = await store.lexicalSearch(queryTerms(q), 1000);
        for (const k of [1, 5, 10]) {
          const hits = await retriever.search(q, { k });
          const want = deep.slice(0, k).map((h) => ({ id: store.chunks[h.doc].paperId, score: h.score, chunks: [[h.doc, h.score]] }));
          expect(
            hits.map((h) => ({ id: h.paper.id, score: h.score, chunks: h.chunks.map((c) => [c.index, c.score]) })),
            q,
          ).toEqual(want);
        }
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
