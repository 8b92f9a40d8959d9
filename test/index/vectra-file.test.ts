/**
 * The streaming vectra file writer against vectra itself: what vectra reads back from our file
 * equals what it reads from a file it wrote through its own insertItem path, down to the bytes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVectorIndex } from '../../src/index/store.js';
import { vectorNorm } from '../../src/index/vector-matrix.js';
import { VECTRA_INDEX_FILE, writeVectraIndexFile, type VectraFileItem } from '../../src/index/vectra-file.js';
import { mulberry32 } from '../../bench/synth.js';

function makeItems(n: number, dims: number): VectraFileItem[] {
  // Seeded, so a failure reproduces.
  const rand = mulberry32(42);
  return Array.from({ length: n }, (_, i) => ({
    // ids as ingest makes them, plus non-ASCII to exercise the UTF-8 length prefix
    id: i === 3 ? `paper-ü-数-${i}#0` : `p${i.toString(16)}#${i % 3}`,
    chunk: i,
    vector: Float32Array.from({ length: dims }, () => rand() * 2 - 1),
  }));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-vectra-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeWithVectra(folder: string, items: VectraFileItem[]): Promise<void> {
  const index = await openVectorIndex(folder, false);
  await index.createIndex({ version: 1, deleteIfExists: true });
  await index.beginUpdate();
  for (const it of items) await index.insertItem({ id: it.id, vector: Array.from(it.vector), metadata: { chunk: it.chunk } });
  await index.endUpdate();
}

async function writeOurs(folder: string, items: VectraFileItem[]): Promise<number> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder, { recursive: true });
  return writeVectraIndexFile(join(folder, VECTRA_INDEX_FILE), items);
}

describe('writeVectraIndexFile', () => {
  it('vectra reads back every id, chunk, vector and norm', async () => {
    // 2500 items: more than one write batch (1000).
    const items = makeItems(2500, 24);
    const folder = join(dir, 'ours-read');
    expect(await writeOurs(folder, items)).toBe(2500);
    const read = await (await openVectorIndex(folder, true)).listItems();
    expect(read.length).toBe(items.length);
    const byId = new Map(read.map((r) => [r.id, r]));
    for (const it of items) {
      const r = byId.get(it.id)!;
      expect(r, it.id).toBeDefined();
      expect(r.metadata.chunk).toBe(it.chunk);
      expect(r.vector).toEqual(Array.from(it.vector));
      expect(r.norm).toBe(vectorNorm(it.vector));
    }
  });

  it('writes the same bytes as vectra insertItem + endUpdate, and queries rank the same', async () => {
    const items = makeItems(300, 16);
    const a = join(dir, 'vectra');
    const b = join(dir, 'ours');
    await writeWithVectra(a, items);
    await writeOurs(b, items);
    const [bytesA, bytesB] = await Promise.all([readFile(join(a, VECTRA_INDEX_FILE)), readFile(join(b, VECTRA_INDEX_FILE))]);
    expect(bytesB.length).toBe(bytesA.length);
    expect(bytesB.equals(bytesA)).toBe(true);
    const probe = Array.from(items[7].vector, (v, i) => v + (i % 2 ? 0.1 : -0.1));
    const [ra, rb] = await Promise.all([
      (await openVectorIndex(a, true)).queryItems(probe, '', 10),
      (await openVectorIndex(b, true)).queryItems(probe, '', 10),
    ]);
    expect(rb.map((r) => [r.item.id, r.score])).toEqual(ra.map((r) => [r.item.id, r.score]));
    expect(rb[0].item.id).toBe(items[7].id);
  });

  it('an empty index is a valid vectra index with no items', async () => {
    const folder = join(dir, 'empty');
    expect(await writeOurs(folder, [])).toBe(0);
    expect(await (await openVectorIndex(folder, true)).listItems()).toEqual([]);
  });
});
