/**
 * Dense vectors held as one contiguous, L2-normalised Float32Array for exact cosine search.
 * vectra stays the on-disk store; scanning its array-of-arrays items is several times slower
 * and keeps ~2x the memory, so the items are copied here once at load.
 */
import { open } from 'node:fs/promises';
import { Int8Scan } from './int8-scan.js';
import { kthLargest } from './kth-largest.js';
import { type FileDigest, writeAll } from './write-all.js';

/**
 * Deeper than this the shortlist would be a large part of the matrix (a filtered search asks for
 * every row): the exact scan answers instead.
 */
export const MAX_SHORTLIST_DEPTH = 1000;

/**
 * Default VECTOR_INT8_MIN_ROWS. The int8 scan overtakes the float scan at about 500-1000 rows of
 * 384-d (bench/ann.ts); from 2000 the shortlist is at most a tenth of the rows at hybrid depth.
 */
export const DEFAULT_INT8_MIN_ROWS = 2000;

/** Rows the int8 scan shortlists for a top-k search, all re-scored exactly: k plus this margin, at least 2k. */
export const SHORTLIST_MARGIN = 100;

/** Above this k the exact scan scores every row and sorts the best instead of keeping a sorted list. */
const SORTED_LIST_MAX_K = 256;

export interface VectorHit {
  row: number;
  score: number;
}

/** Euclidean norm, summed in doubles (as vectra's ItemSelector.normalize does). */
export function vectorNorm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  return Math.sqrt(sum);
}

/** L2-normalise `vector` into `out` at `offset` (a zero vector stays zero). */
function normalizeInto(vector: ArrayLike<number>, dims: number, row: number, out: Float32Array, offset: number): void {
  if (vector.length !== dims) throw new Error(`vector ${row} has ${vector.length} dimensions, expected ${dims}`);
  const norm = vectorNorm(vector);
  const inv = norm > 0 ? 1 / norm : 0;
  for (let j = 0; j < dims; j++) out[offset + j] = vector[j] * inv;
}

/** Inner product of the row at `base` in `data` with `q` (d long). */
function dotAt(data: Float32Array, base: number, q: Float32Array, d: number): number {
  // Four independent sums let the CPU overlap the multiply-adds.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  const d4 = d - (d % 4);
  for (; j < d4; j += 4) {
    s0 += data[base + j] * q[j];
    s1 += data[base + j + 1] * q[j + 1];
    s2 += data[base + j + 2] * q[j + 2];
    s3 += data[base + j + 3] * q[j + 3];
  }
  for (; j < d; j++) s0 += data[base + j] * q[j];
  return s0 + s1 + s2 + s3;
}

export class VectorMatrix {
  /** int8 copy that shortlists rows for exact re-scoring (see int8-scan.ts); without it every search scans exactly. */
  private quantised?: Int8Scan;

  private constructor(
    readonly dims: number,
    readonly count: number,
    private readonly data: Float32Array,
    /** Chunk index for each row. */
    readonly chunkOf: Uint32Array,
  ) {}

  /** Whether searches shortlist through the int8 copy. */
  get quantisedScan(): boolean {
    return this.quantised !== undefined;
  }

  /**
   * Build the int8 copy when the matrix has at least `minRows` rows (below that the float scan is
   * as fast: see the README's measured crossover). Returns whether searches now use it.
   */
  useQuantisedScan(minRows: number): boolean {
    if (this.count >= minRows && !this.quantised) this.quantised = Int8Scan.build(this.data, this.count, this.dims);
    return this.quantised !== undefined;
  }

  static fromRows(rows: Array<{ vector: ArrayLike<number>; chunk: number }>, dims: number): VectorMatrix {
    const data = new Float32Array(rows.length * dims);
    const chunkOf = new Uint32Array(rows.length);
    rows.forEach((r, i) => {
      normalizeInto(r.vector, dims, i, data, i * dims);
      chunkOf[i] = r.chunk;
    });
    return new VectorMatrix(dims, rows.length, data, chunkOf);
  }

  /**
   * A matrix of `count` rows filled in order by `fill`, which hands over each row's raw vector and
   * chunk (normalised here exactly as fromRows does): a store that reads its vectors in batches
   * holds one batch besides the matrix, never a second copy of every vector.
   */
  static async fill(
    count: number,
    dims: number,
    fill: (add: (vector: ArrayLike<number>, chunk: number) => void) => Promise<void>,
  ): Promise<VectorMatrix> {
    const data = new Float32Array(count * dims);
    const chunkOf = new Uint32Array(count);
    let rows = 0;
    await fill((vector, chunk) => {
      if (rows >= count) throw new Error(`more than the ${count} vectors expected`);
      normalizeInto(vector, dims, rows, data, rows * dims);
      chunkOf[rows++] = chunk;
    });
    if (rows !== count) throw new Error(`${rows} vectors where ${count} were expected`);
    return new VectorMatrix(dims, count, data, chunkOf);
  }

  /**
   * The file `toBuffer` would give for rows whose chunk is their position, written in batches:
   * at ingest the vectors are already in memory once, and a second normalised copy plus the
   * concatenated buffer would add twice their size to the peak.
   */
  static async writeFile(path: string, vectors: ArrayLike<number>[], dims: number, digest?: FileDigest): Promise<void> {
    const fh = await open(path, 'w');
    try {
      const head = Buffer.alloc(8 + vectors.length * 4);
      head.writeUInt32LE(vectors.length, 0);
      head.writeUInt32LE(dims, 4);
      for (let i = 0; i < vectors.length; i++) head.writeUInt32LE(i, 8 + i * 4);
      await writeAll(fh, head, digest);
      const batchRows = Math.max(1, Math.floor((1 << 20) / (dims * 4)));
      const batch = new Float32Array(batchRows * dims);
      for (let start = 0; start < vectors.length; start += batchRows) {
        const n = Math.min(batchRows, vectors.length - start);
        for (let r = 0; r < n; r++) normalizeInto(vectors[start + r], dims, start + r, batch, r * dims);
        await writeAll(fh, Buffer.from(batch.buffer, 0, n * dims * 4), digest);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** [count u32][dims u32][chunkOf u32 x count][rows f32 x count*dims], little-endian. */
  toBuffer(): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(this.count, 0);
    head.writeUInt32LE(this.dims, 4);
    return Buffer.concat([
      head,
      Buffer.from(this.chunkOf.buffer, this.chunkOf.byteOffset, this.chunkOf.byteLength),
      Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength),
    ]);
  }

  static fromBuffer(buf: Buffer): VectorMatrix {
    const count = buf.readUInt32LE(0);
    const dims = buf.readUInt32LE(4);
    const expected = 8 + count * 4 + count * dims * 4;
    if (buf.length !== expected) throw new Error(`vector matrix is ${buf.length} bytes, expected ${expected}`);
    const chunkOf = new Uint32Array(count);
    new Uint8Array(chunkOf.buffer).set(buf.subarray(8, 8 + count * 4));
    // The rows start 4-aligned in the file; a freshly read buffer is viewed, not copied (a copy
    // would hold the matrix twice at load's peak).
    const start = buf.byteOffset + 8 + count * 4;
    let data: Float32Array;
    if (start % 4 === 0) data = new Float32Array(buf.buffer, start, count * dims);
    else {
      data = new Float32Array(count * dims);
      new Uint8Array(data.buffer).set(buf.subarray(8 + count * 4));
    }
    return new VectorMatrix(dims, count, data, chunkOf);
  }

  /**
   * Top-k by cosine similarity. With the int8 copy (and k small enough), the rows it shortlists
   * are re-scored exactly; scores are always exact float32 cosines.
   */
  search(query: ArrayLike<number>, k: number, opts: { exact?: boolean } = {}): VectorHit[] {
    const d = this.dims;
    const q = new Float32Array(d);
    let norm = 0;
    for (let j = 0; j < d; j++) norm += query[j] * query[j];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < d; j++) q[j] = query[j] * inv;
    if (this.quantised && !opts.exact && k <= MAX_SHORTLIST_DEPTH)
      return this.rescore(q, this.quantised.shortlist(q, Math.max(2 * k, k + SHORTLIST_MARGIN)), k);
    const kk = Math.min(k, this.count);
    if (kk > SORTED_LIST_MAX_K) return this.scanAll(q, kk);
    // Keep the best kk in a small sorted array; most rows fail the threshold test at once.
    const topScore = new Float64Array(kk).fill(-Infinity);
    const topRow = new Int32Array(kk).fill(-1);
    const data = this.data;
    for (let i = 0, base = 0; i < this.count; i++, base += d) {
      const s = dotAt(data, base, q, d);
      if (s <= topScore[kk - 1]) continue;
      let p = kk - 1;
      while (p > 0 && topScore[p - 1] < s) {
        topScore[p] = topScore[p - 1];
        topRow[p] = topRow[p - 1];
        p--;
      }
      topScore[p] = s;
      topRow[p] = i;
    }
    const out: VectorHit[] = [];
    for (let i = 0; i < kk; i++) if (topRow[i] >= 0) out.push({ row: topRow[i], score: topScore[i] });
    return out;
  }

  /**
   * The exact scan for a large k (a filtered search asks for every row): scores every row, cuts at
   * the k-th best and sorts what is left. The sorted-array insertion above is quadratic in k
   * (19 s for every row of 100k). Same order: score, then lower row first.
   */
  private scanAll(q: Float32Array, kk: number): VectorHit[] {
    const d = this.dims;
    const scores = new Float64Array(this.count);
    for (let i = 0, base = 0; i < this.count; i++, base += d) scores[i] = dotAt(this.data, base, q, d);
    const floor = kk < this.count ? kthLargest(scores.slice(), kk) : Number.NEGATIVE_INFINITY;
    const out: VectorHit[] = [];
    for (let row = 0; row < this.count; row++) if (scores[row] >= floor) out.push({ row, score: scores[row] });
    out.sort((a, b) => b.score - a.score || a.row - b.row);
    return out.length > kk ? out.slice(0, kk) : out;
  }

  /** Exact scores of `rows`, the best k first (ties: lower row first, as the full scan gives). */
  private rescore(q: Float32Array, rows: Int32Array, k: number): VectorHit[] {
    const d = this.dims;
    const data = this.data;
    const out: VectorHit[] = [];
    for (const row of rows) out.push({ row, score: dotAt(data, row * d, q, d) });
    out.sort((a, b) => b.score - a.score || a.row - b.row);
    return out.length > k ? out.slice(0, k) : out;
  }
}
