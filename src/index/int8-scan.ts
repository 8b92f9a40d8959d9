/**
 * int8-quantised copy of a VectorMatrix, scanned with WebAssembly SIMD: a quarter of the bytes of
 * the float32 rows and 16 products per instruction, where JavaScript does one. The scan only
 * shortlists rows; VectorMatrix re-scores the shortlist exactly in float32, so quantisation can
 * only cost a result when an exact top-k row falls outside the shortlist.
 *
 * Each row keeps its own scale (largest |component| / 127), so rows with small components lose no
 * more precision than rows with large ones. The WebAssembly module is a few dozen hand-encoded
 * bytes (below), so there is no build step and no native dependency.
 */

// Section helpers for the binary format (https://webassembly.github.io/spec/core/binary/).
function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const SIMD = 0xfd;
const [GET, SET, TEE] = [0x20, 0x21, 0x22];
// Parameters 0-4, then locals: 5 = column offset (i32), 6 = accumulator, 7 = row bytes, 8 = query bytes (v128).
const [Q, ROWS, N, STRIDE, OUT, J, ACC, A, B] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const I32_ADD = 0x6a;
const LOAD = [SIMD, 0x00, 0x00, 0x00]; // v128.load align=1 offset=0
const MUL_LO = [SIMD, 0x9c, 0x01]; // i16x8.extmul_low_i8x16_s
const MUL_HI = [SIMD, 0x9d, 0x01]; // i16x8.extmul_high_i8x16_s
const ADD8 = [SIMD, 0x8e, 0x01]; // i16x8.add
const WIDEN = [SIMD, 0x7e]; // i32x4.extadd_pairwise_i16x8_s
const ADD4 = [SIMD, 0xae, 0x01]; // i32x4.add
const lane = (i: number) => [GET, ACC, SIMD, 0x1b, i]; // i32x4.extract_lane

/**
 * dots(q, rows, n, stride, out): for each of n rows of `stride` int8 bytes starting at `rows`,
 * out[i] = sum of row[i][j] * q[j] as i32. stride is a positive multiple of 16.
 */
const body = [
  ...[GET, N, 0x45, 0x0d, 0x00], // if n == 0 return
  ...[0x03, 0x40], // loop over rows
  ...[SIMD, 0x0c, ...new Array(16).fill(0), SET, ACC],
  ...[0x41, 0x00, SET, J],
  ...[0x03, 0x40], // loop over 16-byte columns
  ...[GET, ROWS, GET, J, I32_ADD, ...LOAD, SET, A],
  ...[GET, Q, GET, J, I32_ADD, ...LOAD, SET, B],
  // Quantised values lie in [-127, 127], so two products summed (<= 32258) fit in an i16 lane.
  ...[GET, ACC],
  ...[GET, A, GET, B, ...MUL_LO, GET, A, GET, B, ...MUL_HI, ...ADD8, ...WIDEN, ...ADD4],
  ...[SET, ACC],
  ...[GET, J, 0x41, 0x10, I32_ADD, TEE, J, GET, STRIDE, 0x49, 0x0d, 0x00], // j += 16; continue while j < stride
  0x0b,
  ...[GET, OUT, ...lane(0), ...lane(1), I32_ADD, ...lane(2), I32_ADD, ...lane(3), I32_ADD, 0x36, 0x02, 0x00], // i32.store
  ...[GET, OUT, 0x41, 0x04, I32_ADD, SET, OUT],
  ...[GET, ROWS, GET, STRIDE, I32_ADD, SET, ROWS],
  ...[GET, N, 0x41, 0x01, 0x6b, TEE, N, 0x0d, 0x00], // n -= 1; continue while n != 0
  0x0b,
  0x0b,
];
const locals = [0x02, 0x01, 0x7f, 0x03, 0x7b];
const func = [...locals, ...body];
const name = (s: string) => [s.length, ...Buffer.from(s, 'utf8')];
const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
  ...section(3, [0x01, 0x00]),
  ...section(5, [0x01, 0x00, 0x01]),
  ...section(7, [0x02, ...name('mem'), 0x02, 0x00, ...name('dots'), 0x00, 0x00]),
  ...section(10, [0x01, ...uleb(func.length), ...func]),
]);

type Dots = (q: number, rows: number, n: number, stride: number, out: number) => void;

// The project's lib (ES2023) has no WebAssembly types: the little used here, declared locally.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: { dots: Dots; mem: WasmMemory };
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}

let compiled: object | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD (the float scan then serves). */
function wasmModule(): object | null {
  if (compiled === undefined) {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    try {
      compiled = wasm ? new wasm.Module(MODULE) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB; stay clear of the top. */
const MAX_BYTES = 2 ** 32 - 2 * PAGE;

/** Quantise `src` (length dims) into `out` (length >= dims, zero padded); returns the scale. */
function quantiseInto(src: ArrayLike<number>, dims: number, out: Int8Array): number {
  let max = 0;
  for (let j = 0; j < dims; j++) {
    const a = Math.abs(src[j]);
    if (a > max) max = a;
  }
  const scale = max > 0 ? max / 127 : 1;
  const inv = max > 0 ? 127 / max : 0;
  for (let j = 0; j < dims; j++) out[j] = Math.round(src[j] * inv);
  return scale;
}

export class Int8Scan {
  private readonly stride: number;
  private readonly dots: Dots;
  private readonly memory: WasmMemory;
  private readonly scales: Float32Array;
  private readonly outOffset: number;

  private constructor(
    readonly count: number,
    readonly dims: number,
    instance: WasmInstance,
  ) {
    this.stride = Math.ceil(dims / 16) * 16;
    this.dots = instance.exports.dots;
    this.memory = instance.exports.mem;
    this.scales = new Float32Array(count);
    this.outOffset = this.stride * (count + 1);
  }

  /** Bytes of memory the quantised copy needs for `count` rows of `dims`. */
  static bytesFor(count: number, dims: number): number {
    return Math.ceil(dims / 16) * 16 * (count + 1) + 4 * count;
  }

  /**
   * The quantised copy of `count` normalised rows of `data`, or undefined when this runtime
   * cannot run it (no WebAssembly SIMD) or it would not fit in a wasm32 memory.
   */
  static build(data: Float32Array, count: number, dims: number): Int8Scan | undefined {
    const mod = wasmModule();
    const bytes = Int8Scan.bytesFor(count, dims);
    if (!mod || bytes > MAX_BYTES) return undefined;
    const instance = new (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly.Instance(mod, {});
    const scan = new Int8Scan(count, dims, instance);
    const pages = Math.ceil(bytes / PAGE);
    scan.memory.grow(pages - scan.memory.buffer.byteLength / PAGE);
    const mem = new Int8Array(scan.memory.buffer);
    for (let i = 0; i < count; i++) {
      const row = mem.subarray((i + 1) * scan.stride, (i + 2) * scan.stride);
      scan.scales[i] = quantiseInto(data.subarray(i * dims, (i + 1) * dims), dims, row);
    }
    return scan;
  }

  /**
   * The `r` rows with the highest approximate inner product with `q`, in no particular order.
   * Synchronous, so one instance is safely shared by concurrent (async) searches.
   */
  shortlist(q: Float32Array, r: number): Int32Array {
    const mem = new Int8Array(this.memory.buffer);
    quantiseInto(q, this.dims, mem.subarray(0, this.stride));
    // The query's scale is the same for every row: it cannot change the order.
    this.dots(0, this.stride, this.count, this.stride, this.outOffset);
    const raw = new Int32Array(this.memory.buffer, this.outOffset, this.count);
    const rr = Math.min(r, this.count);
    // Min-heap of the best rr so far: the root is the one to evict.
    const hs = new Float64Array(rr);
    const hr = new Int32Array(rr);
    let size = 0;
    const scales = this.scales;
    for (let i = 0; i < this.count; i++) {
      const s = raw[i] * scales[i];
      if (size < rr) {
        let c = size++;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (hs[p] <= s) break;
          hs[c] = hs[p];
          hr[c] = hr[p];
          c = p;
        }
        hs[c] = s;
        hr[c] = i;
      } else if (s > hs[0]) {
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= rr) break;
          const m = l + 1 < rr && hs[l + 1] < hs[l] ? l + 1 : l;
          if (hs[m] >= s) break;
          hs[c] = hs[m];
          hr[c] = hr[m];
          c = m;
        }
        hs[c] = s;
        hr[c] = i;
      }
    }
    return hr.subarray(0, size);
  }
}
