/**
 * A loaded generation reads paper abstracts back from papers.jsonl by offset instead of holding
 * them (paper-text.ts). Everything that reads a paper or chunk must see exactly what the file
 * holds: the same objects for JSON, spreads and equality, the same text, the same acronym table,
 * the same search results, and the text must survive the generation being deleted under a
 * process that still serves it.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/corpus/types.js';
import { acronymSource, acronymsOf, mineAcronyms } from '../../src/index/acronyms.js';
import { chunkPaper } from '../../src/index/chunk.js';
import { ingest } from '../../src/index/ingest.js';
import { Retriever } from '../../src/index/search.js';
import { readLazyPapers } from '../../src/index/paper-text.js';
import { IndexStore, readCurrentGeneration } from '../../src/index/store.js';

const CORPUS = join(import.meta.dirname, '../../data/corpus');
let root: string;
let indexDir: string;
let fileText: string;
let plain: Paper[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-paper-text-'));
  indexDir = join(root, 'index');
  await ingest({ corpusDir: CORPUS, indexDir });
  const gen = (await readCurrentGeneration(indexDir))!;
  fileText = await readFile(join(indexDir, gen, 'papers.jsonl'), 'utf8');
  plain = fileText
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Paper);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('paper text read from the generation file', () => {
  it('papers and chunks are the file’s, field for field, and abstracts are not held in memory', async () => {
    const store = await IndexStore.open(indexDir);
    expect(store.papers.length).toBe(plain.length);
    expect(plain.length).toBeGreaterThan(300); // more than the cache of parsed abstracts
    // Not a string property: read through the file on access.
    expect(Object.getOwnPropertyDescriptor(store.papers[0], 'abstract')?.get).toBeTypeOf('function');
    expect(store.papers).toEqual(plain);
    expect(`${store.papers.map((p) => JSON.stringify(p)).join('\n')}\n`).toBe(fileText);
    expect(store.papers.map((p) => ({ ...p }))).toEqual(plain);
    expect(Object.keys(store.papers[7])).toEqual(Object.keys(plain[7]));
    // Read in reverse (no read-ahead) and again (from the cache): the same text.
    for (let i = plain.length - 1; i >= 0; i--) expect(store.papers[i].abstract).toBe(plain[i].abstract);
    for (const i of [0, 5, plain.length - 1]) expect(store.papers[i].abstract).toBe(plain[i].abstract);
    // Chunks of the `abstract` strategy read their text through their paper.
    const expected = plain.flatMap((p) => chunkPaper(p, 'abstract'));
    expect(store.chunks.map((c) => ({ ...c }))).toEqual(expected);
    const inflated = expected.map(({ id, paperId, position, title, sources, text }) => ({ id, paperId, position, title, sources, text }));
    expect(JSON.stringify(store.chunks)).toBe(JSON.stringify(inflated)); // the key order loading always gave
    expect(structuredClone(store.chunks[3])).toEqual(expected[3]);
  });

  it('reads the same papers and checksum whatever the read size, lines across reads and longer than a read', async () => {
    const gen = (await readCurrentGeneration(indexDir))!;
    const path = join(indexDir, gen, 'papers.jsonl');
    const sha256 = createHash('sha256').update(fileText).digest('hex');
    for (const piece of [1, 97, 4096, 1 << 20]) {
      const read = await readLazyPapers(path, undefined, piece);
      try {
        expect(read.error, `${piece}`).toBeUndefined();
        expect(read.checksum, `${piece}`).toEqual({ size: Buffer.byteLength(fileText), sha256 });
        expect(read.papers.length, `${piece}`).toBe(plain.length);
        for (const i of [0, 1, 211, plain.length - 1]) expect(read.papers[i].abstract, `${piece} #${i}`).toBe(plain[i].abstract);
        expect(read.papers.map((p) => p.title)).toEqual(plain.map((p) => p.title));
      } finally {
        read.text.close();
      }
    }
  });

  it('the acronym table mined while loading is the one mined from the plain papers', async () => {
    const store = await IndexStore.open(indexDir);
    const table = acronymsOf(store.papers).expansions;
    expect(table.size).toBeGreaterThan(20);
    expect([...table]).toEqual([...mineAcronyms(plain.map(acronymSource)).expansions]);
  });

  it('search and abstract reads are unchanged after the generation directory is deleted', async () => {
    const store = await IndexStore.open(indexDir);
    const retriever = new Retriever(store);
    const query = 'low-rank adaptation of large language models';
    const before = (await retriever.search(query, { k: 10 })).map((h) => [h.paper.id, h.score]);
    expect(before.length).toBe(10);
    await rm(store.dir, { recursive: true, force: true });
    // The process still serves this generation (a newer ingest removed it): its text stays readable.
    const after = await retriever.search(query, { k: 10 });
    expect(after.map((h) => [h.paper.id, h.score])).toEqual(before);
    for (let i = 0; i < plain.length; i += 3) expect(store.papers[i].abstract).toBe(plain[i].abstract);
    await ingest({ corpusDir: CORPUS, indexDir, force: true });
  });

  it('a papers file changed in place after loading is reported as a damaged index, not read as text', async () => {
    const store = await IndexStore.open(indexDir);
    const fh = await open(join(store.dir, 'papers.jsonl'), 'r+');
    try {
      await fh.write(Buffer.alloc(fileText.length >> 1, 'x'), 0, fileText.length >> 1, 0);
    } finally {
      await fh.close();
    }
    expect(() => store.papers[1].abstract).toThrow(expect.objectContaining({ code: 'INDEX_CORRUPT' }));
    await ingest({ corpusDir: CORPUS, indexDir, force: true });
  });
});
