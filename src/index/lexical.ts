/**
 * BM25F over two fields (title, body), built once at ingest and persisted as JSON. Queries run
 * entirely in memory: no file is touched per query (vectra's BM25 path re-reads every document).
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

interface Posting {
  docs: number[];
  tfTitle: number[];
  tfBody: number[];
}

export interface LexicalHit {
  doc: number;
  score: number;
}

export interface SerializedLexicalIndex {
  version: 1;
  n: number;
  params: LexicalParams;
  lenTitle: number[];
  lenBody: number[];
  terms: string[];
  /** Per term, flattened triples [doc, tfTitle, tfBody, doc, ...]. */
  postings: number[][];
}

export class LexicalIndex {
  private readonly postings = new Map<string, Posting>();
  private lenTitle: Float64Array = new Float64Array(0);
  private lenBody: Float64Array = new Float64Array(0);
  private avgTitle = 1;
  private avgBody = 1;
  private n = 0;
  params: LexicalParams;

  constructor(params: Partial<LexicalParams> = {}) {
    this.params = { ...DEFAULT_LEXICAL_PARAMS, ...params };
  }

  get size(): number {
    return this.n;
  }

  static build(docs: LexicalDoc[], params: Partial<LexicalParams> = {}): LexicalIndex {
    const idx = new LexicalIndex(params);
    idx.n = docs.length;
    idx.lenTitle = new Float64Array(docs.length);
    idx.lenBody = new Float64Array(docs.length);
    docs.forEach((d, i) => {
      const counts = new Map<string, [number, number]>();
      const t = tokenize(d.title);
      const b = tokenize(d.body);
      for (const term of t) (counts.get(term) ?? counts.set(term, [0, 0]).get(term)!)[0]++;
      for (const term of b) (counts.get(term) ?? counts.set(term, [0, 0]).get(term)!)[1]++;
      idx.lenTitle[i] = t.length;
      idx.lenBody[i] = b.length;
      for (const [term, [tt, tb]] of counts) {
        let p = idx.postings.get(term);
        if (!p) idx.postings.set(term, (p = { docs: [], tfTitle: [], tfBody: [] }));
        p.docs.push(i);
        p.tfTitle.push(tt);
        p.tfBody.push(tb);
      }
    });
    idx.computeAverages();
    return idx;
  }

  private computeAverages(): void {
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    this.avgTitle = this.n ? Math.max(sum(this.lenTitle) / this.n, 1) : 1;
    this.avgBody = this.n ? Math.max(sum(this.lenBody) / this.n, 1) : 1;
  }

  idf(term: string): number {
    const df = this.postings.get(term)?.docs.length ?? 0;
    return Math.log(1 + (this.n - df + 0.5) / (df + 0.5));
  }

  /** Scores for every matching doc (sparse), optionally weighting query terms. */
  scoreTerms(terms: Map<string, number>): Map<number, number> {
    const { k1, titleWeight, bodyWeight, bTitle, bBody } = this.params;
    const scores = new Map<number, number>();
    for (const [term, qWeight] of terms) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = Math.log(1 + (this.n - p.docs.length + 0.5) / (p.docs.length + 0.5));
      for (let j = 0; j < p.docs.length; j++) {
        const d = p.docs[j];
        const tf =
          (titleWeight * p.tfTitle[j]) / (1 - bTitle + (bTitle * this.lenTitle[d]) / this.avgTitle) +
          (bodyWeight * p.tfBody[j]) / (1 - bBody + (bBody * this.lenBody[d]) / this.avgBody);
        const s = qWeight * idf * ((tf * (k1 + 1)) / (tf + k1));
        scores.set(d, (scores.get(d) ?? 0) + s);
      }
    }
    return scores;
  }

  search(query: string, k = 10): LexicalHit[] {
    return topK(this.scoreTerms(queryTerms(query)), k);
  }

  toJSON(): SerializedLexicalIndex {
    const terms = [...this.postings.keys()];
    return {
      version: 1,
      n: this.n,
      params: this.params,
      lenTitle: [...this.lenTitle],
      lenBody: [...this.lenBody],
      terms,
      postings: terms.map((t) => {
        const p = this.postings.get(t)!;
        const flat: number[] = new Array(p.docs.length * 3);
        for (let j = 0; j < p.docs.length; j++) {
          flat[3 * j] = p.docs[j];
          flat[3 * j + 1] = p.tfTitle[j];
          flat[3 * j + 2] = p.tfBody[j];
        }
        return flat;
      }),
    };
  }

  static fromJSON(data: SerializedLexicalIndex, params?: Partial<LexicalParams>): LexicalIndex {
    if (data.version !== 1) throw new Error(`unsupported lexical index version ${String(data.version)}`);
    const idx = new LexicalIndex({ ...data.params, ...params });
    idx.n = data.n;
    idx.lenTitle = Float64Array.from(data.lenTitle);
    idx.lenBody = Float64Array.from(data.lenBody);
    data.terms.forEach((term, i) => {
      const flat = data.postings[i];
      const m = flat.length / 3;
      const p: Posting = { docs: new Array(m), tfTitle: new Array(m), tfBody: new Array(m) };
      for (let j = 0; j < m; j++) {
        p.docs[j] = flat[3 * j];
        p.tfTitle[j] = flat[3 * j + 1];
        p.tfBody[j] = flat[3 * j + 2];
      }
      idx.postings.set(term, p);
    });
    idx.computeAverages();
    return idx;
  }
}

export function queryTerms(query: string): Map<string, number> {
  const terms = new Map<string, number>();
  for (const t of tokenize(query)) terms.set(t, (terms.get(t) ?? 0) + 1);
  return terms;
}

export function topK(scores: Map<number, number>, k: number): LexicalHit[] {
  const hits: LexicalHit[] = [];
  for (const [doc, score] of scores) hits.push({ doc, score });
  hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
  return hits.slice(0, k);
}
