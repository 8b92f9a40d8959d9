/** VectorMatrix.writeFile (the batched ingest path) against fromRows + toBuffer (the in-memory one). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VectorMatrix } from '../../src/index/vector-matrix.js';
import { mulberry32 } from '../../bench/synth.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-matrix-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function vectors(n: number, dims: number): Float32Array[] {
  const rand = mulberry32(7);
  const out = Array.from({ length: n }, () => Float32Array.from({ length: dims }, () => rand() * 2 - 1));
  out[5] = new Float32Array(dims); // a zero vector stays zero rather than NaN
  return out;
}

describe('VectorMatrix.writeFile', () => {
  it('writes the same bytes as fromRows().toBuffer(), across several batches', async () => {
    // 384 dims -> 682 rows per 1 MiB batch; 2000 rows span three batches, the last one partial.
    const rows = vectors(2000, 384);
    const path = join(dir, 'm.f32');
    await VectorMatrix.writeFile(path, rows, 384);
    const expected = VectorMatrix.fromRows(
      rows.map((vector, chunk) => ({ vector, chunk })),
      384,
    ).toBuffer();
    const written = await readFile(path);
    expect(written.length).toBe(expected.length);
    expect(written.equals(expected)).toBe(true);
    // and it loads and searches: a stored vector is its own best match
    const m = VectorMatrix.fromBuffer(written);
    expect(m.count).toBe(2000);
    expect(m.search(rows[1234], 1)[0].row).toBe(1234);
  });

  it('refuses a vector of the wrong size, naming it', async () => {
    const rows = vectors(10, 8);
    rows[3] = new Float32Array(7);
    await expect(VectorMatrix.writeFile(join(dir, 'bad.f32'), rows, 8)).rejects.toThrow(/vector 3 has 7 dimensions, expected 8/);
  });
});

describe('VectorMatrix.search exact scan for a large k', () => {
  it('orders every row as the small-k scan does (score, then lower row), ties included', () => {
    const rows = vectors(3000, 16);
    // Exact duplicates: equal scores, resolved by the lower row.
    for (let i = 100; i < 3000; i += 100) rows[i + 1] = Float32Array.from(rows[i]);
    const m = VectorMatrix.fromRows(
      rows.map((vector, chunk) => ({ vector, chunk })),
      16,
    );
    const rand = mulberry32(3);
    for (let q = 0; q < 20; q++) {
      const query = Array.from({ length: 16 }, () => rand() * 2 - 1);
      const small = m.search(query, 256, { exact: true });
      for (const k of [257, 1000, 2999, 3000, 5000]) {
        const big = m.search(query, k, { exact: true });
        expect(big.length).toBe(Math.min(k, 3000));
        expect(big.slice(0, 256)).toEqual(small);
        for (let i = 1; i < big.length; i++) {
          const [a, b] = [big[i - 1], big[i]];
          expect(a.score > b.score || (a.score === b.score && a.row < b.row), `query ${q} k ${k} at ${i}`).toBe(true);
        }
      }
      // Every row once, and the 2999 best leave out only the worst.
      const all = m.search(query, 3000, { exact: true });
      expect(new Set(all.map((h) => h.row)).size).toBe(3000);
      expect(m.search(query, 2999, { exact: true })).toEqual(all.slice(0, 2999));
    }
  });
});
