/**
 * The BM25F scoring formula, in one place: the embedded index (lexical.ts) and the Postgres store
 * (postgres/store.ts) both score through these functions, so the two return identical scores by
 * construction rather than by keeping copies in step.
 */

export interface Bm25fParams {
  k1: number;
  titleWeight: number;
  bodyWeight: number;
  bTitle: number;
  bBody: number;
}

export const DEFAULT_BM25F_PARAMS: Bm25fParams = { k1: 1.2, titleWeight: 2.0, bodyWeight: 1.0, bTitle: 0.3, bBody: 0.75 };

/** Term frequencies are stored as 16-bit counts: both stores cap at this. */
export const MAX_TF = 65535;

/** Robertson–Spärck Jones idf with +1 inside the log, so it is never negative. */
export function bm25Idf(size: number, df: number): number {
  return Math.log(1 + (size - df + 0.5) / (df + 0.5));
}

/** Length normalisers of one corpus: b / average field length, per field. */
export interface FieldNorms {
  titleNorm: number;
  bodyNorm: number;
}

export function fieldNorms(params: Bm25fParams, avgTitle: number, avgBody: number): FieldNorms {
  return { titleNorm: params.bTitle / avgTitle, bodyNorm: params.bBody / avgBody };
}

/** A document's length divisors (title, body): depend on the document only, so an index may precompute them. */
export function titleDivisor(params: Bm25fParams, norms: FieldNorms, lenTitle: number): number {
  return 1 - params.bTitle + norms.titleNorm * lenTitle;
}

export function bodyDivisor(params: Bm25fParams, norms: FieldNorms, lenBody: number): number {
  return 1 - params.bBody + norms.bodyNorm * lenBody;
}

/**
 * One term's contribution from the document's precomputed divisors. A zero title tf adds exactly
 * 0 to the weighted tf, so skipping it (most postings) changes no score.
 */
export function bm25fDivisorScore(
  params: Bm25fParams,
  queryWeight: number,
  idf: number,
  tfTitle: number,
  tfBody: number,
  titleDiv: number,
  bodyDiv: number,
): number {
  const body = (params.bodyWeight * tfBody) / bodyDiv;
  const tf = tfTitle === 0 ? body : (params.titleWeight * tfTitle) / titleDiv + body;
  const k1 = params.k1;
  return queryWeight * idf * ((tf * (k1 + 1)) / (tf + k1));
}

/** One term's contribution to a document's score. */
export function bm25fTermScore(
  params: Bm25fParams,
  norms: FieldNorms,
  queryWeight: number,
  idf: number,
  tfTitle: number,
  tfBody: number,
  lenTitle: number,
  lenBody: number,
): number {
  return bm25fDivisorScore(
    params,
    queryWeight,
    idf,
    tfTitle,
    tfBody,
    titleDivisor(params, norms, lenTitle),
    bodyDivisor(params, norms, lenBody),
  );
}

/** The most one term can add to any document's score (tf -> infinity): the MaxScore bound. */
export function bm25fTermBound(params: Bm25fParams, queryWeight: number, idf: number): number {
  return queryWeight * idf * (params.k1 + 1);
}

/** Term statistics as every store exposes them (see TermStats in search-store.ts). */
export interface IdfStats {
  readonly size: number;
  idf(term: string): number;
}

/** Whether any document has the term: its idf is below that of a term in no document (df = 0). */
export function isKnownTerm(stats: IdfStats, term: string): boolean {
  return stats.idf(term) < bm25Idf(stats.size, 0) - 1e-9;
}

/** How many documents have the term, read back from the idf above. */
export function docFreqOf(stats: IdfStats, term: string): number {
  return (stats.size + 1) / Math.exp(stats.idf(term)) - 0.5;
}
