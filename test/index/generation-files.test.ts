/**
 * Generation files are written in batches (ingest's memory peak). A corpus large enough to span
 * many batches must read back exactly: every paper, every chunk, compact JSON as before.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/index/ingest.js';
import { IndexStore, readCurrentGeneration } from '../../src/index/store.js';

let root: string;
const N = 3000;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-genfiles-'));
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({
      title: `Synthetic Paper ${i}: ${i % 2 ? 'Sparse' : 'Dense'} Methods for Ünïcode “quotes” and \\back\\slashes`,
      abstract:
        `Paper ${i} studies topic ${i % 97}. `.repeat(20) +
        `It reports ${i}.5% accuracy with "quoted" text, a tab\tand a newline-free emoji 🚀.`,
      authors: [`Author ${i}`],
      date: `2024-01-${String((i % 28) + 1).padStart(2, '0')}`,
    }),
  );
  await writeFile(join(root, 'papers.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('batched generation files', () => {
  it('a multi-megabyte corpus reads back paper for paper, with compact JSON chunks', async () => {
    const indexDir = join(root, 'index');
    const summary = await ingest({ corpusDir: root, indexDir });
    expect(summary.papers).toBe(N);
    const gen = (await readCurrentGeneration(indexDir))!;
    const papersFile = await readFile(join(indexDir, gen, 'papers.jsonl'), 'utf8');
    const chunksFile = await readFile(join(indexDir, gen, 'chunks.json'), 'utf8');
    expect(papersFile.length).toBeGreaterThan(2 << 20); // several 1 MB batches
    expect(papersFile.endsWith('}\n')).toBe(true);
    expect(papersFile.split('\n').length).toBe(N + 1);
    // Exactly what JSON.stringify of the whole array gives.
    expect(JSON.stringify(JSON.parse(chunksFile))).toBe(chunksFile);

    const store = await IndexStore.open(indexDir);
    expect(store.papers.length).toBe(N);
    // Streamed in 1 MiB pieces: lines (and multi-byte characters) cut at piece boundaries come back whole.
    expect(store.papers).toEqual(
      papersFile
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(store.chunks.length).toBe(N);
    for (const i of [0, 1, 1234, N - 1]) {
      const p = store.papers.find((x) => x.title.startsWith(`Synthetic Paper ${i}:`))!;
      expect(p, `paper ${i}`).toBeDefined();
      expect(p.abstract).toContain(`It reports ${i}.5% accuracy with "quoted" text`);
      expect(p.abstract).toContain('🚀');
      expect(store.chunks.find((c) => c.paperId === p.id)?.text).toBe(p.abstract);
    }
  });

  it('a line damaged mid-file is reported as a checksum mismatch (the stream still hashes the whole file)', async () => {
    const indexDir = join(root, 'index');
    const gen = (await readCurrentGeneration(indexDir))!;
    const path = join(indexDir, gen, 'papers.jsonl');
    const bytes = await readFile(path);
    const at = bytes.indexOf('"title"', bytes.length >> 1);
    bytes.write('{', at); // same size, no longer JSON
    await writeFile(path, bytes);
    await expect(IndexStore.open(indexDir)).rejects.toMatchObject({
      code: 'INDEX_CORRUPT',
      userMessage: expect.stringContaining('papers.jsonl does not match its checksum'),
    });
  });
});
