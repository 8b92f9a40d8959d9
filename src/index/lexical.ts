/**
 * BM25F over two fields (title, body), built once at ingest and persisted in a compact binary
 * form (typed arrays), so loading is a buffer copy and queries run entirely in memory: no file is
 * touched per query (vectra's BM25 path re-reads every document per query).
 */
import { tokenize } from './tokenize.js';

export interface LexicalDoc {
  title: string;
  body: string;
}

export interface LexicalParams {
  k1: number;
  titleWeight: number;
  bodyWeight: number;
  bTitle: number;
  bBody: number;
}

export const DEFAULT_LEXICAL_PARAMS: LexicalParams = { k1: 1.2, titleWeight: 2.0, bodyWeight: 1.0, bTitle: 0.3, bBody: 0.75 };

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

export class LexicalIndex {
  private termIds = new Map<string, number>();
  private terms: string[] = [];
  /** Postings of term t are docs[offsets[t] .. offsets[t+1]). */
  private offsets = new Uint32Array(1);
  private docs = new Uint32Array(0);
  private tfTitle = new Uint16Array(0);
  private tfBody = new Uint16Array(0);
  private lenTitle = new Float32Array(0);
  private lenBody = new Float32Array(0);
  private avgTitle = 1;
  private avgBody = 1;
  private n = 0;
  private scratch = new Float64Array(0);
  params: LexicalParams;

  constructor(params: Partial<LexicalParams> = {}) {
    this.params = { ...DEFAULT_LEXICAL_PARAMS, ...params };
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
    const lists: Array<number[]> = []; // per term: flattened [doc, tfTitle, tfBody]
    docs.forEach((d, i) => {
      const counts = new Map<string, [number, number]>();
      const t = tokenize(d.title);
      const b = tokenize(d.body);
      for (const term of t) (counts.get(term) ?? counts.set(term, [0, 0]).get(term)!)[0]++;
      for (const term of b) (counts.get(term) ?? counts.set(term, [0, 0]).get(term)!)[1]++;
      idx.lenTitle[i] = t.length;
      idx.lenBody[i] = b.length;
      for (const [term, [tt, tb]] of counts) {
        let id = idx.termIds.get(term);
        if (id === undefined) {
          id = idx.terms.length;
          idx.termIds.set(term, id);
          idx.terms.push(term);
          lists.push([]);
        }
        lists[id].push(i, Math.min(tt, 65535), Math.min(tb, 65535));
      }
    });
    const total = lists.reduce((s, l) => s + l.length / 3, 0);
    idx.offsets = new Uint32Array(idx.terms.length + 1);
    idx.docs = new Uint32Array(total);
    idx.tfTitle = new Uint16Array(total);
    idx.tfBody = new Uint16Array(total);
    let pos = 0;
    lists.forEach((l, id) => {
      idx.offsets[id] = pos;
      for (let j = 0; j < l.length; j += 3, pos++) {
        idx.docs[pos] = l[j];
        idx.tfTitle[pos] = l[j + 1];
        idx.tfBody[pos] = l[j + 2];
      }
    });
    idx.offsets[idx.terms.length] = pos;
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
  }

  df(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.offsets[id + 1] - this.offsets[id];
  }

  idf(term: string): number {
    const df = this.df(term);
    return Math.log(1 + (this.n - df + 0.5) / (df + 0.5));
  }

  /** Accumulate BM25F scores into the scratch buffer; returns the docs touched. */
  private accumulate(terms: Map<string, number>): Uint32Array {
    const { k1, titleWeight, bodyWeight, bTitle, bBody } = this.params;
    const acc = this.scratch;
    let touched = new Uint32Array(64);
    let nTouched = 0;
    for (const [term, qWeight] of terms) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const start = this.offsets[id];
      const end = this.offsets[id + 1];
      const idf = Math.log(1 + (this.n - (end - start) + 0.5) / (end - start + 0.5));
      const normT = bTitle / this.avgTitle;
      const normB = bBody / this.avgBody;
      for (let j = start; j < end; j++) {
        const d = this.docs[j];
        const tf =
          (titleWeight * this.tfTitle[j]) / (1 - bTitle + normT * this.lenTitle[d]) +
          (bodyWeight * this.tfBody[j]) / (1 - bBody + normB * this.lenBody[d]);
        if (acc[d] === 0) {
          if (nTouched === touched.length) {
            const grown = new Uint32Array(touched.length * 2);
            grown.set(touched);
            touched = grown;
          }
          touched[nTouched++] = d;
        }
        acc[d] += qWeight * idf * ((tf * (k1 + 1)) / (tf + k1));
      }
    }
    return touched.subarray(0, nTouched);
  }

  /**
   * Scores of every matching doc as a sparse map. Scoring is synchronous, so one scratch buffer
   * per index is safe to share between concurrent (async) callers.
   */
  scoreTerms(terms: Map<string, number>): Map<number, number> {
    const touched = this.accumulate(terms);
    const out = new Map<number, number>();
    for (const d of touched) {
      out.set(d, this.scratch[d]);
      this.scratch[d] = 0;
    }
    return out;
  }

  /** The k best docs, selected straight from the accumulator (no per-match allocation). */
  topDocs(terms: Map<string, number>, k: number): LexicalHit[] {
    const touched = this.accumulate(terms);
    const acc = this.scratch;
    const kk = Math.min(k, touched.length);
    const heapDoc = new Int32Array(kk);
    const heapScore = new Float64Array(kk);
    let size = 0;
    // Min-heap on (score, then larger doc id is "smaller") so ties resolve to the lower doc id.
    const less = (sa: number, da: number, sb: number, db: number) => sa < sb || (sa === sb && da > db);
    for (let t = 0; t < touched.length; t++) {
      const d = touched[t];
      const s = acc[d];
      acc[d] = 0;
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

  search(query: string, k = 10): LexicalHit[] {
    return this.topDocs(queryTerms(query), k);
  }

  /** Header (JSON) and body (binary) for persistence. */
  serialize(): { header: LexicalHeader; body: Buffer } {
    const parts = [this.offsets, this.docs, this.tfTitle, this.tfBody, this.lenTitle, this.lenBody];
    const body = Buffer.concat(parts.map((a) => alignedBytes(a)));
    return { header: { version: 2, n: this.n, params: this.params, terms: this.terms, postings: this.docs.length }, body };
  }

  static deserialize(header: LexicalHeader, body: Buffer, params?: Partial<LexicalParams>): LexicalIndex {
    if (header.version !== 2) throw new Error(`unsupported lexical index version ${String(header.version)}`);
    const idx = new LexicalIndex({ ...header.params, ...params });
    idx.n = header.n;
    idx.terms = header.terms;
    idx.terms.forEach((t, i) => idx.termIds.set(t, i));
    const p = header.postings;
    const T = header.terms.length;
    // Copy into fresh, aligned arrays (the file buffer may not be 4-byte aligned).
    let off = 0;
    const take = <A extends Uint32Array | Uint16Array | Float32Array>(Ctor: { new (n: number): A; BYTES_PER_ELEMENT: number }, count: number): A => {
      const bytes = count * Ctor.BYTES_PER_ELEMENT;
      const arr = new Ctor(count);
      new Uint8Array(arr.buffer).set(body.subarray(off, off + bytes));
      off += bytes + ((8 - (bytes % 8)) % 8);
      return arr;
    };
    idx.offsets = take(Uint32Array, T + 1);
    idx.docs = take(Uint32Array, p);
    idx.tfTitle = take(Uint16Array, p);
    idx.tfBody = take(Uint16Array, p);
    idx.lenTitle = take(Float32Array, header.n);
    idx.lenBody = take(Float32Array, header.n);
    if (off > body.length + 8) throw new Error('lexical index body is truncated');
    idx.finish();
    return idx;
  }
}

function alignedBytes(a: Uint32Array | Uint16Array | Float32Array): Buffer {
  const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const pad = (8 - (bytes.length % 8)) % 8;
  return pad ? Buffer.concat([bytes, Buffer.alloc(pad)]) : bytes;
}

export function queryTerms(query: string): Map<string, number> {
  const terms = new Map<string, number>();
  for (const t of tokenize(query)) terms.set(t, (terms.get(t) ?? 0) + 1);
  return terms;
}

/** The k best hits, by a bounded selection rather than sorting everything. */
export function topK(scores: Map<number, number>, k: number): LexicalHit[] {
  if (scores.size <= k * 4) {
    const all: LexicalHit[] = [];
    for (const [doc, score] of scores) all.push({ doc, score });
    return all.sort((a, b) => b.score - a.score || a.doc - b.doc).slice(0, k);
  }
  // Min-heap of size k.
  const heap: LexicalHit[] = [];
  const less = (a: LexicalHit, b: LexicalHit) => a.score < b.score || (a.score === b.score && a.doc > b.doc);
  for (const [doc, score] of scores) {
    const h = { doc, score };
    if (heap.length < k) {
      heap.push(h);
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!less(heap[i], heap[p])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (less(heap[0], h)) {
      heap[0] = h;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < k && less(heap[l], heap[m])) m = l;
        if (r < k && less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
  }
  return heap.sort((a, b) => b.score - a.score || a.doc - b.doc);
}
