/**
 * BM25F over two fields (title, body), built once at ingest and persisted in a compact binary
 * form (typed arrays), so loading reads the arrays in place and queries run entirely in memory: no
 * file is touched per query (vectra's BM25 path re-reads every document per query).
 */
import {
  type Bm25fParams,
  bm25fDivisorScore,
  bm25fTermBound,
  bm25Idf,
  bodyDivisor,
  DEFAULT_BM25F_PARAMS,
  fieldNorms,
  MAX_TF,
  titleDivisor,
} from './bm25f.js';
import { shorthandFor } from './chat-shorthand.js';
import { kthLargest } from './kth-largest.js';
import { tokenize } from './tokenize.js';

export interface LexicalDoc {
  title: string;
  body: string;
}

export type LexicalParams = Bm25fParams;

export interface LexicalHit {
  doc: number;
  score: number;
}

/** JSON header of the persisted index; the arrays live in the binary part. */
export interface LexicalHeader {
  version: 2;
  n: number;
  params: LexicalParams;
  terms: string[];
  postings: number;
}

/**
 * A field's term counts as held in memory. The file keeps two bytes a posting (MAX_TF); a loaded index keeps one when
 * every count fits, as in abstracts, where no word comes 255 times: 25 MB less at 100k papers (12.5M postings).
 */
export type TermCounts = Uint8Array | Uint16Array;

/** Fills `into` with the body's next bytes; throws when the body ends first. */
export type BodyReader = (into: Uint8Array) => Promise<void>;

/** Bytes of counts widened or narrowed at a time while reading. */
const COUNT_PIECE = 1 << 19;

export class LexicalIndex {
  private termIds = new Map<string, number>();
  private terms: string[] = [];
  /** Postings of term t are docs[offsets[t] .. offsets[t+1]). */
  private offsets = new Uint32Array(1);
  private docs = new Uint32Array(0);
  private tfTitle: TermCounts = new Uint16Array(0);
  private tfBody: TermCounts = new Uint16Array(0);
  private lenTitle = new Float32Array(0);
  private lenBody = new Float32Array(0);
  private avgTitle = 1;
  private avgBody = 1;
  private n = 0;
  private scratch = new Float64Array(0);
  private work = { touched: new Uint32Array(0), pool: new Uint32Array(0), select: new Float64Array(0), mark: new Uint8Array(0) };
  /** Each doc's BM25F length divisors, computed once (finish) instead of once per posting per query. */
  private titleDiv = new Float64Array(0);
  private bodyDiv = new Float64Array(0);
  params: LexicalParams;

  constructor(params: Partial<LexicalParams> = {}) {
    this.params = { ...DEFAULT_BM25F_PARAMS, ...params };
  }

  get size(): number {
    return this.n;
  }

  get vocabularySize(): number {
    return this.terms.length;
  }

  static build(docs: LexicalDoc[], params: Partial<LexicalParams> = {}): LexicalIndex {
    const idx = new LexicalIndex(params);
    idx.n = docs.length;
    idx.lenTitle = new Float32Array(docs.length);
    idx.lenBody = new Float32Array(docs.length);
    // One pass collects (term, tfTitle, tfBody) per doc into flat, growable typed buffers; a
    // second lays them out as postings. Plain per-term JS arrays cost ~10x the memory at 100k docs.
    let cap = 1 << 16;
    let entTerm = new Uint32Array(cap);
    let entTitle = new Uint16Array(cap);
    let entBody = new Uint16Array(cap);
    const docStart = new Uint32Array(docs.length + 1);
    let used = 0;
    const df: number[] = [];
    docs.forEach((d, i) => {
      docStart[i] = used;
      const counts = new Map<number, number>(); // term id -> (tfTitle << 16) | tfBody
      const t = tokenize(d.title);
      const b = tokenize(d.body);
      const idOf = (term: string) => {
        let id = idx.termIds.get(term);
        if (id === undefined) {
          id = idx.terms.length;
          idx.termIds.set(term, id);
          idx.terms.push(term);
          df.push(0);
        }
        return id;
      };
      for (const term of t) {
        const id = idOf(term);
        const c = counts.get(id) ?? 0;
        if (c >>> 16 < MAX_TF) counts.set(id, c + 65536);
      }
      for (const term of b) {
        const id = idOf(term);
        const c = counts.get(id) ?? 0;
        if ((c & 0xffff) < MAX_TF) counts.set(id, c + 1);
      }
      idx.lenTitle[i] = t.length;
      idx.lenBody[i] = b.length;
      if (used + counts.size > cap) {
        while (used + counts.size > cap) cap *= 2;
        const grow = <A extends Uint32Array | Uint16Array>(a: A, C: new (n: number) => A): A => {
          const g = new C(cap);
          g.set(a);
          return g;
        };
        entTerm = grow(entTerm, Uint32Array);
        entTitle = grow(entTitle, Uint16Array);
        entBody = grow(entBody, Uint16Array);
      }
      for (const [id, c] of counts) {
        entTerm[used] = id;
        entTitle[used] = c >>> 16;
        entBody[used] = c & 0xffff;
        df[id]++;
        used++;
      }
    });
    docStart[docs.length] = used;
    const T = idx.terms.length;
    idx.offsets = new Uint32Array(T + 1);
    for (let id = 0; id < T; id++) idx.offsets[id + 1] = idx.offsets[id] + df[id];
    idx.docs = new Uint32Array(used);
    idx.tfTitle = new Uint16Array(used);
    idx.tfBody = new Uint16Array(used);
    const fill = idx.offsets.slice(0, T);
    // Docs are visited in order, so every posting list comes out sorted by doc.
    for (let doc = 0; doc < docs.length; doc++) {
      for (let e = docStart[doc]; e < docStart[doc + 1]; e++) {
        const pos = fill[entTerm[e]]++;
        idx.docs[pos] = doc;
        idx.tfTitle[pos] = entTitle[e];
        idx.tfBody[pos] = entBody[e];
      }
    }
    idx.finish();
    return idx;
  }

  private finish(): void {
    let st = 0;
    let sb = 0;
    for (let i = 0; i < this.n; i++) {
      st += this.lenTitle[i];
      sb += this.lenBody[i];
    }
    this.avgTitle = this.n ? Math.max(st / this.n, 1) : 1;
    this.avgBody = this.n ? Math.max(sb / this.n, 1) : 1;
    this.scratch = new Float64Array(this.n);
    // Reused by every top-k (scoring is synchronous): no per-query buffers for the collector to chase.
    this.work = {
      touched: new Uint32Array(this.n),
      pool: new Uint32Array(this.n),
      select: new Float64Array(this.n),
      mark: new Uint8Array(this.n),
    };
    const norms = fieldNorms(this.params, this.avgTitle, this.avgBody);
    this.titleDiv = new Float64Array(this.n);
    this.bodyDiv = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      this.titleDiv[i] = titleDivisor(this.params, norms, this.lenTitle[i]);
      this.bodyDiv[i] = bodyDivisor(this.params, norms, this.lenBody[i]);
    }
  }

  /** Mean title and body lengths in terms (the BM25F length normalisers). */
  get averageLengths(): { title: number; body: number } {
    return { title: this.avgTitle, body: this.avgBody };
  }

  /** Every term with its document frequency, in term-id order. */
  documentFrequencies(): Array<[string, number]> {
    return this.terms.map((t, id) => [t, this.offsets[id + 1] - this.offsets[id]]);
  }

  /**
   * Every term's postings (docs ascending, per-field tf) with the doc lengths they are scored
   * against, for a store that keeps postings itself (the Postgres writer). Views, not copies.
   */
  *postingLists(): Generator<{ term: string; docs: Uint32Array; tfTitle: TermCounts; tfBody: TermCounts }> {
    for (let id = 0; id < this.terms.length; id++) {
      const a = this.offsets[id];
      const b = this.offsets[id + 1];
      yield {
        term: this.terms[id],
        docs: this.docs.subarray(a, b),
        tfTitle: this.tfTitle.subarray(a, b),
        tfBody: this.tfBody.subarray(a, b),
      };
    }
  }

  /** Title and body length of one doc, in terms. */
  docLengths(doc: number): { title: number; body: number } {
    return { title: this.lenTitle[doc], body: this.lenBody[doc] };
  }

  df(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.offsets[id + 1] - this.offsets[id];
  }

  idf(term: string): number {
    return bm25Idf(this.n, this.df(term));
  }

  /**
   * The query's known terms, in query order: the order a doc's score is summed in, everywhere
   * (the Postgres store sums in the same order, and its scores are bit-identical to these).
   */
  private plan(terms: Map<string, number>): PlannedTerm[] {
    const out: PlannedTerm[] = [];
    for (const [term, qWeight] of terms) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const start = this.offsets[id];
      const end = this.offsets[id + 1];
      const idf = bm25Idf(this.n, end - start);
      out.push({ start, end, qWeight, idf, bound: bm25fTermBound(this.params, qWeight, idf) });
    }
    return out;
  }

  /**
   * Accumulate BM25F scores of the planned terms into the scratch buffer, the docs touched
   * appended to `touched`. With `k`, stops before a term once no doc it has not touched can reach
   * the k best (MaxScore's bound: the terms left can add at most the sum of their bounds) and
   * returns the index of that term; otherwise returns plan.length.
   */
  private accumulate(plan: PlannedTerm[], touched: Touched, k = 0): { next: number; threshold: number } {
    const params = this.params;
    const { docs, tfTitle, tfBody, titleDiv, bodyDiv } = this;
    const acc = this.scratch;
    const left = suffixSums(plan);
    let maxAcc = 0;
    for (let i = 0; i < plan.length; i++) {
      // The k-th best partial score only grows, and no untouched doc can exceed left[i]: once
      // that is below the k-th best, the rest of the terms can only reorder touched docs.
      if (k > 0 && touched.n >= k && left[i] < maxAcc) {
        const threshold = kthLargestOf(acc, touched.docs.subarray(0, touched.n), k, this.work.select);
        if (left[i] < threshold - marginOf(threshold)) return { next: i, threshold };
      }
      const { start, end, qWeight, idf } = plan[i];
      for (let j = start; j < end; j++) {
        const d = docs[j];
        if (acc[d] === 0) touched.push(d);
        acc[d] += bm25fDivisorScore(params, qWeight, idf, tfTitle[j], tfBody[j], titleDiv[d], bodyDiv[d]);
        if (acc[d] > maxAcc) maxAcc = acc[d];
      }
    }
    return { next: plan.length, threshold: 0 };
  }

  /**
   * Scores of every matching doc as a sparse map. Scoring is synchronous, so one scratch buffer
   * per index is safe to share between concurrent (async) callers.
   */
  scoreTerms(terms: Map<string, number>): Map<number, number> {
    const touched = new Touched();
    this.accumulate(this.plan(terms), touched);
    const out = new Map<number, number>();
    for (let t = 0; t < touched.n; t++) {
      const d = touched.docs[t];
      out.set(d, this.scratch[d]);
      this.scratch[d] = 0;
    }
    return out;
  }

  /**
   * The k best docs (score, then lower doc id), exactly those full scoring gives, with the same
   * scores. Terms are scored rarest-bound first; once the terms left cannot lift an untouched doc
   * into the k best, only the touched docs that can still get there are finished, by looking
   * them up in the remaining (long) posting lists instead of walking those lists whole.
   */
  topDocs(terms: Map<string, number>, k: number): LexicalHit[] {
    const inOrder = this.plan(terms);
    const acc = this.scratch;
    const touched = new Touched(this.work.touched);
    let postings = 0;
    for (const t of inOrder) postings += t.end - t.start;
    // Asked for (nearly) every match (a filtered search): nothing to skip, score in query order.
    if (k >= postings || inOrder.length < 2) {
      this.accumulate(inOrder, touched);
      const hits = selectTop(acc, touched.docs.subarray(0, touched.n), k);
      for (let t = 0; t < touched.n; t++) acc[touched.docs[t]] = 0;
      return hits;
    }
    // Highest bound first (stable), so the long lists of common terms come last and can be skipped.
    const plan = [...inOrder].sort((a, b) => b.bound - a.bound);
    const left = suffixSums(plan);
    const { next, threshold } = this.accumulate(plan, touched, k);
    let pool = this.work.pool.subarray(0, touched.n);
    pool.set(touched.docs.subarray(0, touched.n));
    if (next < plan.length) {
      let floor = threshold - marginOf(threshold);
      let c = 0;
      for (let t = 0; t < pool.length; t++) if (acc[pool[t]] + left[next] >= floor) pool[c++] = pool[t];
      pool = pool.subarray(0, c);
      let rest = 0;
      for (let i = next; i < plan.length; i++) rest += plan[i].end - plan[i].start;
      // A deep top-k (fusion asks for 1000) keeps most touched docs in the pool: sorting tens of
      // thousands of them to gallop through the long lists costs more than walking those lists.
      const walk = pool.length * FULL_WALK_POOL_RATIO > rest;
      if (walk) for (let i = next; i < plan.length; i++) this.addToTouched(plan[i]);
      else sortDocs(pool, this.work.mark);
      for (let i = next; i < plan.length && !walk; i++) {
        this.addTo(pool, plan[i]);
        // Fewer terms left, a higher k-th best: drop the docs that can no longer get there.
        if (i + 1 < plan.length && pool.length > k) {
          const kth = kthLargestOf(acc, pool, k, this.work.select);
          floor = kth - marginOf(kth);
          let m = 0;
          for (let t = 0; t < pool.length; t++) if (acc[pool[t]] + left[i + 1] >= floor) pool[m++] = pool[t];
          pool = pool.subarray(0, m);
        }
      }
    }
    // The k best in this summing order, and any within rounding of the k-th: re-summed in query
    // order below, they give exactly full scoring's k best.
    if (pool.length > k) {
      const kth = kthLargestOf(acc, pool, k, this.work.select);
      const floor = kth - marginOf(kth);
      let m = 0;
      for (let t = 0; t < pool.length; t++) if (acc[pool[t]] >= floor) pool[m++] = pool[t];
      pool = pool.subarray(0, m);
    }
    pool.sort();
    for (const d of pool) acc[d] = 0;
    for (const t of inOrder) this.addTo(pool, t);
    const hits = selectTop(acc, pool, k);
    for (let t = 0; t < touched.n; t++) acc[touched.docs[t]] = 0;
    return hits;
  }

  /** Add one term's score to every touched doc (non-zero score) in its postings, walking them whole. */
  private addToTouched(term: PlannedTerm): void {
    const { docs, tfTitle, tfBody, titleDiv, bodyDiv, params } = this;
    const acc = this.scratch;
    for (let j = term.start; j < term.end; j++) {
      const d = docs[j];
      if (acc[d] !== 0) acc[d] += bm25fDivisorScore(params, term.qWeight, term.idf, tfTitle[j], tfBody[j], titleDiv[d], bodyDiv[d]);
    }
  }

  /** Add one term's score to each of `sorted` docs that has it (galloping through its postings). */
  private addTo(sorted: Uint32Array, term: PlannedTerm): void {
    const { docs, tfTitle, tfBody, titleDiv, bodyDiv, params } = this;
    const acc = this.scratch;
    const end = term.end;
    let j = term.start;
    for (let c = 0; c < sorted.length && j < end; c++) {
      const d = sorted[c];
      if (docs[j] < d) {
        // Gallop to a posting >= d, then binary search the last step.
        let lo = j;
        let step = 1;
        while (lo + step < end && docs[lo + step] < d) {
          lo += step;
          step *= 2;
        }
        let hi = Math.min(lo + step, end);
        lo++;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (docs[mid] < d) lo = mid + 1;
          else hi = mid;
        }
        j = lo;
      }
      if (j < end && docs[j] === d) {
        acc[d] += bm25fDivisorScore(params, term.qWeight, term.idf, tfTitle[j], tfBody[j], titleDiv[d], bodyDiv[d]);
        j++;
      }
    }
  }

  search(query: string, k = 10): LexicalHit[] {
    return this.topDocs(queryTerms(query), k);
  }

  /** Header (JSON) and body (binary) for persistence. */
  serialize(): { header: LexicalHeader; body: Buffer } {
    const wide = (a: TermCounts) => (a instanceof Uint16Array ? a : Uint16Array.from(a));
    const parts = [this.offsets, this.docs, wide(this.tfTitle), wide(this.tfBody), this.lenTitle, this.lenBody];
    const body = Buffer.concat(parts.map((a) => alignedBytes(a)));
    return { header: { version: 2, n: this.n, params: this.params, terms: this.terms, postings: this.docs.length }, body };
  }

  /**
   * The index from its header and its body of `bodyBytes` bytes, read in order: each array into memory of its own,
   * never the whole file at once (which held the 100 MB of a 100k-paper index next to the arrays being made from it).
   * The body's size is checked against the header's counts before anything is allocated: a damaged count must not
   * allocate gigabytes.
   */
  static async read(header: LexicalHeader, bodyBytes: number, read: BodyReader, params?: Partial<LexicalParams>): Promise<LexicalIndex> {
    if (header.version !== 2) throw new Error(`unsupported lexical index version ${String(header.version)}`);
    const count = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** 32;
    if (!count(header.n) || !count(header.postings) || !Array.isArray(header.terms) || header.terms.some((t) => typeof t !== 'string')) {
      throw new Error('lexical index header is malformed');
    }
    const idx = new LexicalIndex({ ...header.params, ...params });
    idx.n = header.n;
    idx.terms = header.terms;
    idx.terms.forEach((t, i) => {
      idx.termIds.set(t, i);
    });
    const p = header.postings;
    const T = header.terms.length;
    const padded = (bytes: number) => bytes + padding(bytes);
    const expected = padded(4 * (T + 1)) + padded(4 * p) + 2 * padded(2 * p) + 2 * padded(4 * header.n);
    if (bodyBytes < expected) throw new Error(`lexical index body is truncated: ${bodyBytes} bytes, expected ${expected}`);
    if (bodyBytes > expected) throw new Error(`lexical index body is ${bodyBytes} bytes, expected ${expected}`);
    const pad = (bytes: number) => read(new Uint8Array(padding(bytes)));
    const take = async <A extends Uint32Array | Float32Array>(Ctor: { new (n: number): A; BYTES_PER_ELEMENT: number }, n: number) => {
      const arr = new Ctor(n);
      await read(new Uint8Array(arr.buffer));
      await pad(arr.byteLength);
      return arr;
    };
    idx.offsets = await take(Uint32Array, T + 1);
    idx.docs = await take(Uint32Array, p);
    idx.tfTitle = await readCounts(read, p);
    idx.tfBody = await readCounts(read, p);
    idx.lenTitle = await take(Float32Array, header.n);
    idx.lenBody = await take(Float32Array, header.n);
    idx.validate();
    idx.finish();
    return idx;
  }

  /**
   * Scoring trusts these invariants: one bad offset would make a query walk billions of postings
   * (and block the event loop), a bad doc id would write outside the score buffer. O(postings):
   * about 30 ms at 100k papers.
   */
  private validate(): void {
    const { offsets, docs, n } = this;
    const T = this.terms.length;
    if (offsets[0] !== 0 || offsets[T] !== docs.length) throw new Error('lexical index offsets do not span the postings');
    // Bounds first: the posting walk below must never leave the array.
    for (let t = 0; t < T; t++) {
      if (offsets[t + 1] < offsets[t] || offsets[t + 1] > docs.length)
        throw new Error(`lexical index offsets out of order or bounds at term ${t}`);
    }
    for (let t = 0; t < T; t++) {
      const start = offsets[t];
      const end = offsets[t + 1];
      let prev = -1;
      for (let j = start; j < end; j++) {
        const d = docs[j];
        if (d >= n || d <= prev) throw new Error(`lexical index posting ${j} of term ${t} names doc ${d} (of ${n}) out of order`);
        prev = d;
      }
    }
    for (let i = 0; i < n; i++) {
      const lt = this.lenTitle[i];
      const lb = this.lenBody[i];
      if (!(lt >= 0 && lb >= 0 && lt < 2 ** 24 && lb < 2 ** 24)) throw new Error(`lexical index has an invalid length for doc ${i}`);
    }
  }
}

/** `n` 16-bit counts (and their padding), kept one byte each unless one of them needs two. */
async function readCounts(read: BodyReader, n: number): Promise<TermCounts> {
  let narrow: Uint8Array | undefined = new Uint8Array(n);
  let wide: Uint16Array | undefined;
  const piece = new Uint16Array(Math.min(n, COUNT_PIECE / 2));
  for (let at = 0; at < n; at += piece.length) {
    const part = piece.subarray(0, Math.min(piece.length, n - at));
    await read(new Uint8Array(part.buffer, 0, part.byteLength));
    if (narrow && needsTwoBytes(part)) {
      wide = Uint16Array.from(narrow);
      narrow = undefined;
    }
    (narrow ?? wide!).set(part, at);
  }
  await read(new Uint8Array(padding(n * 2)));
  return narrow ?? wide!;
}

function needsTwoBytes(counts: Uint16Array): boolean {
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0xff) return true;
  return false;
}

/** Zero bytes after an array of `bytes` bytes in the file: each array starts at a multiple of 8. */
function padding(bytes: number): number {
  return (8 - (bytes % 8)) % 8;
}

function alignedBytes(a: Uint32Array | Uint16Array | Float32Array): Buffer {
  const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const pad = padding(bytes.length);
  return pad ? Buffer.concat([bytes, Buffer.alloc(pad)]) : bytes;
}

export function queryTerms(query: string): Map<string, number> {
  const terms = new Map<string, number>();
  for (const typed of tokenize(query)) {
    // Chat shorthand also searches the word it stands for ("avg gain" finds "average gain").
    for (const t of [typed, ...(shorthandFor(typed) ?? [])]) terms.set(t, (terms.get(t) ?? 0) + 1);
  }
  return terms;
}

interface PlannedTerm {
  start: number;
  end: number;
  qWeight: number;
  idf: number;
  /** The most this term adds to any doc's score. */
  bound: number;
}

/**
 * Past this many postings left per pool doc, the pool is sorted and galloped through the lists
 * left; below it, those lists are walked whole. On the 465 eval questions at 100k papers, k = 1000:
 * p50/p95 3.1/8.1 ms galloping always, 2.6/6.5 ms with this switch (walking always: slower at k <= 100).
 */
const FULL_WALK_POOL_RATIO = 4;

/** Docs touched by a query, in the order first touched (a growable Uint32Array, or the index's own n-sized one). */
class Touched {
  n = 0;

  constructor(public docs = new Uint32Array(64)) {}

  push(d: number): void {
    if (this.n === this.docs.length) {
      const grown = new Uint32Array(this.docs.length * 2);
      grown.set(this.docs);
      this.docs = grown;
    }
    this.docs[this.n++] = d;
  }
}

/**
 * Sort distinct doc ids in place. A large pool (a deep top-k keeps tens of thousands) is marked in
 * `mark` (n long, all zero, left so) and read back in doc order: linear in n, where sorting was
 * ~1 ms of a hybrid search at 100k papers.
 */
function sortDocs(docs: Uint32Array, mark: Uint8Array): void {
  if (docs.length * 16 < mark.length) {
    docs.sort();
    return;
  }
  for (let t = 0; t < docs.length; t++) mark[docs[t]] = 1;
  let c = 0;
  for (let d = 0; d < mark.length && c < docs.length; d++) {
    if (mark[d] === 0) continue;
    mark[d] = 0;
    docs[c++] = d;
  }
}

/** left[i] = sum of the bounds of plan[i..], summed from the end. */
function suffixSums(plan: PlannedTerm[]): Float64Array {
  const left = new Float64Array(plan.length + 1);
  for (let i = plan.length - 1; i >= 0; i--) left[i] = left[i + 1] + plan[i].bound;
  return left;
}

/**
 * Slack for comparing a bound with a score: both are sums of the same kind of doubles in different
 * orders, so they may differ by rounding; pruning only what is below by more than this keeps it exact.
 */
function marginOf(score: number): number {
  return 1e-9 * Math.max(1, Math.abs(score));
}

/** The k-th largest accumulated score of `docs` (k <= docs.length), selected in `buf`. */
function kthLargestOf(acc: Float64Array, docs: Uint32Array, k: number, buf: Float64Array): number {
  const a = buf.subarray(0, docs.length);
  for (let t = 0; t < docs.length; t++) a[t] = acc[docs[t]];
  return kthLargest(a, k);
}

/** The k best of `pool` by (score desc, doc asc), with a min-heap (no per-match allocation). */
function selectTop(acc: Float64Array, pool: Uint32Array, k: number): LexicalHit[] {
  const kk = Math.min(k, pool.length);
  const heapDoc = new Int32Array(kk);
  const heapScore = new Float64Array(kk);
  let size = 0;
  // Min-heap on (score, then larger doc id is "smaller") so ties resolve to the lower doc id.
  const less = (sa: number, da: number, sb: number, db: number) => sa < sb || (sa === sb && da > db);
  for (let t = 0; t < pool.length; t++) {
    const d = pool[t];
    const s = acc[d];
    if (size < kk) {
      let i = size++;
      heapDoc[i] = d;
      heapScore[i] = s;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!less(heapScore[i], heapDoc[i], heapScore[p], heapDoc[p])) break;
        [heapDoc[i], heapDoc[p]] = [heapDoc[p], heapDoc[i]];
        [heapScore[i], heapScore[p]] = [heapScore[p], heapScore[i]];
        i = p;
      }
    } else if (kk > 0 && less(heapScore[0], heapDoc[0], s, d)) {
      heapDoc[0] = d;
      heapScore[0] = s;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < kk && less(heapScore[l], heapDoc[l], heapScore[m], heapDoc[m])) m = l;
        if (r < kk && less(heapScore[r], heapDoc[r], heapScore[m], heapDoc[m])) m = r;
        if (m === i) break;
        [heapDoc[i], heapDoc[m]] = [heapDoc[m], heapDoc[i]];
        [heapScore[i], heapScore[m]] = [heapScore[m], heapScore[i]];
        i = m;
      }
    }
  }
  const out: LexicalHit[] = [];
  for (let i = 0; i < size; i++) out.push({ doc: heapDoc[i], score: heapScore[i] });
  return out.sort((a, b) => b.score - a.score || a.doc - b.doc);
}
