/**
 * The int8 shortlist scan against the exact float32 scan over one generation's vectors.f32, at
 * several sizes (its first N rows): build time, search p50/p95 at the hybrid depth, and recall
 * against the exact scan for the dev questions, embedded as the bench embeds them. Finds the
 * crossover for VECTOR_INT8_MIN_ROWS.
 *
 *   node dist-bench/bench/ann.js <vectors.f32> [sizes, e.g. 2000,5000,10000]
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denseDepth } from '../src/index/search.js';
import { VectorMatrix } from '../src/index/vector-matrix.js';
import { deterministicEmbedding } from '../test/servers/openai-server.js';
import { stats } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const DEPTH = denseDepth(10);

/** One row per size: the first `size` rows of `file` (a vectors.f32), exact scan against the int8 shortlist. */
export async function measureInt8Scan(file: string, sizesArg?: string): Promise<Array<Record<string, unknown>>> {
  const full = await readFile(file);
  const count = full.readUInt32LE(0);
  const dims = full.readUInt32LE(4);
  const sizes = (sizesArg ?? String(count)).split(',').map(Number);
  const dev = (await readFile(join(root, 'eval', 'dev.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { question: string }).question);
  const queries = dev.map((q) => deterministicEmbedding(q, dims));
  const rows: Array<Record<string, unknown>> = [];
  for (const n of sizes) {
    // The first n rows, as a file of their own.
    const head = Buffer.alloc(8 + n * 4);
    head.writeUInt32LE(n, 0);
    head.writeUInt32LE(dims, 4);
    full.copy(head, 8, 8, 8 + n * 4);
    const m = VectorMatrix.fromBuffer(Buffer.concat([head, full.subarray(8 + count * 4, 8 + count * 4 + n * dims * 4)]));
    const exactTimes: number[] = [];
    const exact = queries.map((q) => {
      const t = performance.now();
      const r = m.search(q, DEPTH, { exact: true });
      exactTimes.push(performance.now() - t);
      return r;
    });
    let t = performance.now();
    if (!m.useQuantisedScan(0)) throw new Error('this runtime has no WebAssembly SIMD');
    const buildMs = Math.round(performance.now() - t);
    {
      const times: number[] = [];
      let r10 = 0;
      let r100 = 0;
      for (let rep = 0; rep < 3; rep++) {
        queries.forEach((q, i) => {
          t = performance.now();
          const got = m.search(q, DEPTH);
          times.push(performance.now() - t);
          if (rep > 0) return;
          const ids = new Set(got.map((h) => h.row));
          r10 += exact[i].slice(0, 10).filter((h) => ids.has(h.row)).length / Math.min(10, exact[i].length);
          r100 += exact[i].filter((h) => ids.has(h.row)).length / exact[i].length;
        });
      }
      const row = {
        vectors: n,
        buildMs,
        exact: stats(exactTimes),
        int8: stats(times),
        recallAt10: Math.round((r10 / queries.length) * 1000) / 1000,
        recallAt100: Math.round((r100 / queries.length) * 1000) / 1000,
      };
      rows.push(row);
    }
  }
  return rows;
}

// Run directly (not imported by child.ts): print the rows.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, sizesArg] = process.argv.slice(2);
  measureInt8Scan(file, sizesArg)
    .then((rows) => {
      for (const row of rows) console.log(JSON.stringify(row));
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
