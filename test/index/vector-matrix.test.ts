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
