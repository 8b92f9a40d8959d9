/**
 * Paper-level retrieval over the index: BM25F on chunks (always), plus vectors when the index has
 * them, fused by reciprocal rank. Chunks are grouped by paper so a paper appears once, with its
 * best chunks.
 */
import type { Paper } from '../corpus/types.js';
import { isAppError } from '../errors.js';
import type { Chunk } from './chunk.js';
import type { EmbeddingsModel } from './embeddings.js';
import { filterDate } from '../search-filter.js';
import { readQuestion } from './read-question.js';
import type { Correction } from './spelling.js';
import { queryTerms } from './lexical.js';
import { type DocHit, GenerationGoneError, type PinnedGeneration, type SearchStore } from './search-store.js';

export interface SearchFilter {
  /** Inclusive ISO dates compared with filterDate (the paper's date, else its first-seen day); papers with neither are excluded. */
  from?: string;
  to?: string;
  /** Substring of a corpus file name the paper must come from. */
  source?: string;
  paperIds?: string[];
}

export interface ChunkHit {
  chunk: Chunk;
  index: number;
  score: number;
}

export interface PaperHit {
  paper: Paper;
  rank: number;
  /** Fused score used for ranking (RRF when hybrid, BM25 otherwise). */
  score: number;
  lexicalScore: number;
  vectorScore?: number;
  chunks: ChunkHit[];
}

export interface SearchOptions {
  k?: number;
  filter?: SearchFilter;
  /** Override the embedder (tests, benchmarks); defaults to the retriever's. */
  queryVector?: number[];
  /** Cancels embedding the query (the search then runs lexically). */
  signal?: AbortSignal;
  /** Epoch ms by which the query must be embedded, if sooner than the retriever's own bound. */
  deadline?: number;
  /** The query is read already (readQuestion's core): searched as it is, its typos and frame not read again. */
  read?: boolean;
}

export interface SearchResult {
  hits: PaperHit[];
  /** How this search actually ran. */
  retrieval: 'hybrid' | 'lexical';
  /** Why a hybrid index was searched lexically (the embedding endpoint failed or timed out). */
  degraded?: string;
  /** Typos searched as the corpus word they miss by one edit (spelling.ts). */
  corrections?: Correction[];
}

/** After the embedding endpoint fails, questions skip it this long, so an outage costs one wait, not one per question. */
export const EMBEDDING_COOLOFF_MS = 30_000;

export const MAX_QUERY_CHARS = 2000;
const RRF_K = 60;
/** Chunks the dense list ranks for fusion, for k results (the bench measures the int8 shortlist's recall at this depth). */
export function denseDepth(k: number): number {
  return Math.max(100, k * 10);
}
/** Lexical chunks ranked for fusion (at least 20 per result asked for); both stores fuse through Retriever. */
const LEXICAL_FUSION_DEPTH = 1000;

/** Whether a paper passes a search filter (exported so the fusion test's reference applies the same rule). */
export function passesFilter(paper: Paper, f: SearchFilter | undefined): boolean {
  if (!f) return true;
  if (f.paperIds && !f.paperIds.includes(paper.id)) return false;
  if (f.source && !paper.sources.some((s) => s.toLowerCase().includes(f.source!.toLowerCase()))) return false;
  if (f.from || f.to) {
    const day = filterDate(paper);
    if (!day) return false;
    if (f.from && day < f.from) return false;
    if (f.to && day > f.to) return false;
  }
  return true;
}

/** Whether the embedding endpoint is usable, shared by a retriever and the per-answer copies it pins. */
interface EmbeddingHealth {
  down?: { until: number; reason: string };
}

export class Retriever {
  private readonly queryTimeoutMs: number;
  private readonly health: EmbeddingHealth;
  /** The one generation every search of this retriever uses (see pinned()), if pinned. */
  private pinnedGeneration?: PinnedGeneration;

  constructor(
    readonly store: SearchStore,
    readonly embedder?: EmbeddingsModel,
    opts: { queryTimeoutMs?: number; pinned?: PinnedGeneration; health?: EmbeddingHealth } = {},
  ) {
    if (embedder) store.checkEmbeddingModel(embedder.model);
    this.queryTimeoutMs = opts.queryTimeoutMs ?? 5000;
    this.pinnedGeneration = opts.pinned;
    this.health = opts.health ?? {};
  }

  /** The corpus this retriever searches: its pinned generation, or the store's current one. */
  get corpus(): PinnedGeneration {
    return this.pinnedGeneration ?? this.store;
  }

  /** A retriever whose every search uses the generation served now: one answer, one generation. */
  async pinned(): Promise<Retriever> {
    if (this.pinnedGeneration) return this;
    return new Retriever(this.store, this.embedder, {
      queryTimeoutMs: this.queryTimeoutMs,
      pinned: await this.store.pin(),
      health: this.health,
    });
  }

  get mode(): 'hybrid' | 'lexical' {
    return this.embedder && this.corpus.hasVectors ? 'hybrid' : 'lexical';
  }

  async embedQuery(
    query: string,
    opts: { signal?: AbortSignal; deadline?: number } = {},
    generation: PinnedGeneration = this.corpus,
  ): Promise<number[] | undefined> {
    if (!this.embedder || !generation.hasVectors) return undefined;
    const deadline = Math.min(Date.now() + this.queryTimeoutMs, opts.deadline ?? Number.POSITIVE_INFINITY);
    const [v] = await this.embedder.createEmbeddings([query.slice(0, MAX_QUERY_CHARS)], { signal: opts.signal, deadline });
    generation.checkQueryVector(v);
    return v;
  }

  /**
   * The query's vector, or why there is none: the lexical index is in memory, so an embedding
   * outage (EMBEDDING_FAILED: down, slow, rate limited) degrades a search instead of failing it.
   */
  private async queryVectorOrReason(
    g: PinnedGeneration,
    query: string,
    opts: SearchOptions,
  ): Promise<{ vector?: number[]; degraded?: string }> {
    if (opts.queryVector) return { vector: opts.queryVector };
    if (!this.embedder || !g.hasVectors) return {};
    const down = this.health.down;
    if (down && Date.now() < down.until) return { degraded: down.reason };
    try {
      const vector = await this.embedQuery(query, opts, g);
      this.health.down = undefined;
      return { vector };
    } catch (err) {
      if (!isAppError(err) || err.code !== 'EMBEDDING_FAILED') throw err;
      const reason = err.userMessage.replace(/^The embedding endpoint/, 'the embedding endpoint').replace(/\.$/, '');
      this.health.down = { until: Date.now() + EMBEDDING_COOLOFF_MS, reason };
      return { degraded: reason };
    }
  }

  private async lexicalHits(g: PinnedGeneration, query: string, filter: SearchFilter | undefined, depth: number): Promise<DocHit[]> {
    // With a filter, every match: filtered-out papers cannot starve the list.
    return g.lexicalSearch(queryTerms(query.slice(0, MAX_QUERY_CHARS)), filter ? g.chunks.length : depth);
  }

  async search(query: string, opts: SearchOptions = {}): Promise<PaperHit[]> {
    return (await this.searchWithMode(query, opts)).hits;
  }

  async searchWithMode(typed: string, opts: SearchOptions = {}): Promise<SearchResult> {
    for (let attempt = 0; ; attempt++) {
      // One generation for both halves: the lexical and vector hits index the same chunks.
      const g = this.pinnedGeneration ?? (await this.store.pin());
      try {
        return await this.searchIn(g, typed, opts);
      } catch (err) {
        if (!(err instanceof GenerationGoneError) || attempt >= 2) throw err;
        // Superseded under us (the store has switched): start over on the live generation.
        if (this.pinnedGeneration) this.pinnedGeneration = await this.store.pin();
      }
    }
  }

  private async searchIn(g: PinnedGeneration, typed: string, opts: SearchOptions): Promise<SearchResult> {
    // Typos first ("pretarining" is read as "pretraining"), then the chat frame, which is not what to
    // search for ("tldr: …", "can someone explain …": read-question.ts).
    const { core: query, corrections } = opts.read ? { core: typed, corrections: [] } : readQuestion(typed, g.termStats);
    const read = corrections.length ? { corrections } : {};
    const k = opts.k ?? 10;
    const { vector, degraded } = await this.queryVectorOrReason(g, query, opts);
    // Fusion ranks every paper of a deep lexical list; alone, with one chunk per paper, the k
    // best chunks are the k best papers (and a shallow top-k skips most postings: lexical.ts).
    // A shallower list changes the fused top 5 of 15% of the bench and eval questions even at 500
    // chunks (100k papers): reciprocal ranks far down the list still break near-ties at the top.
    const onePerPaper = g.chunks.length === g.papers.length;
    const lexDepth = !vector && onePerPaper ? k : Math.max(LEXICAL_FUSION_DEPTH, k * 20);
    // With a filter, scan every vector so filtered-out papers cannot starve the dense list.
    const vecDepth = opts.filter ? g.chunks.length : denseDepth(k);
    // Both halves at once: a backend in another process (Postgres) answers them in parallel.
    const [lexHits, vecHits] = await Promise.all([
      this.lexicalHits(g, query, opts.filter, lexDepth),
      vector && g.hasVectors ? g.vectorSearch(vector, vecDepth) : undefined,
    ]);
    const papers = paperIndex(g);
    const lexical = rankPapers(papers, lexHits, opts.filter);
    if (!vector) {
      const top = lexical.slots.slice(0, k);
      const chunks = chunksOf(g, papers, top, [lexHits]);
      const hits = top.map((slot, i) => ({
        paper: papers.paper[slot],
        rank: i + 1,
        score: lexical.scores[i],
        lexicalScore: lexical.scores[i],
        chunks: chunks[i],
      }));
      return { hits, retrieval: 'lexical', ...(degraded ? { degraded } : {}), ...read };
    }
    const dense = rankPapers(papers, vecHits ?? [], opts.filter);
    const fused = fuse(papers, lexical, dense, k);
    const chunks = chunksOf(g, papers, fused.slots, [lexHits, vecHits ?? []]);
    const hits = fused.slots.map((slot, i) => ({
      paper: papers.paper[slot],
      rank: i + 1,
      score: fused.scores[i],
      lexicalScore: fused.lexicalScores[i] ?? 0,
      vectorScore: fused.vectorScores[i],
      chunks: chunks[i],
    }));
    return { hits, retrieval: 'hybrid', ...read };
  }
}

/**
 * Each chunk's paper as a small integer (a slot), per generation: grouping a thousand hits by
 * paper id through Maps of strings cost ~3 ms of a 12 ms hybrid search at 100k papers.
 */
interface PaperIndex {
  /** Slot of chunk i's paper, or -1 if the snapshot has no such paper. */
  readonly slotOf: Int32Array;
  /** The paper in each slot (g.paperById's). */
  readonly paper: Paper[];
  /** Per-slot scratch, all zero between calls: rankPapers and chunksOf use it synchronously. */
  readonly mark: Int32Array;
}

/** Keyed by the generation's chunks array, which a generation never replaces (a new generation is a new array). */
const paperIndexes = new WeakMap<readonly Chunk[], PaperIndex>();

function paperIndex(g: PinnedGeneration): PaperIndex {
  let index = paperIndexes.get(g.chunks);
  if (!index) {
    const slotOf = new Int32Array(g.chunks.length);
    const paper: Paper[] = [];
    const slotById = new Map<string, number>();
    g.chunks.forEach((chunk, i) => {
      let slot = slotById.get(chunk.paperId);
      if (slot === undefined) {
        const p = g.paperById.get(chunk.paperId);
        slot = p ? paper.push(p) - 1 : -1;
        slotById.set(chunk.paperId, slot);
      }
      slotOf[i] = slot;
    });
    index = { slotOf, paper, mark: new Int32Array(paper.length) };
    paperIndexes.set(g.chunks, index);
  }
  return index;
}

/** Papers of one retrieval path, best first: a paper's score is its best chunk's. */
interface RankedPapers {
  slots: number[];
  scores: number[];
}

/**
 * Chunk hits grouped by paper (filtered), ranked by best chunk, ties in order of first hit (the
 * order a Map of papers built from the hits, stably sorted, gives).
 */
function rankPapers(index: PaperIndex, hits: DocHit[], filter: SearchFilter | undefined): RankedPapers {
  const { slotOf, mark } = index;
  const slots: number[] = [];
  const scores: number[] = [];
  const rejected: number[] = [];
  for (const { doc, score } of hits) {
    const slot = slotOf[doc] ?? -1;
    if (slot < 0) continue;
    const m = mark[slot];
    if (m === 0) {
      if (filter && !passesFilter(index.paper[slot], filter)) {
        mark[slot] = -1;
        rejected.push(slot);
        continue;
      }
      mark[slot] = slots.push(slot);
      scores.push(score);
    } else if (m > 0 && score > scores[m - 1]) scores[m - 1] = score;
  }
  for (const slot of slots) mark[slot] = 0;
  for (const slot of rejected) mark[slot] = 0;
  // Backends return hits best first, so this is nearly always already in order.
  let sorted = true;
  for (let i = 1; i < scores.length && sorted; i++) sorted = scores[i] <= scores[i - 1];
  if (sorted) return { slots, scores };
  const order = slots.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  return { slots: order.map((i) => slots[i]), scores: order.map((i) => scores[i]) };
}

interface FusedPapers extends RankedPapers {
  lexicalScores: Array<number | undefined>;
  vectorScores: Array<number | undefined>;
}

/**
 * The k best papers by reciprocal rank fusion (each list adds 1/(RRF_K + rank)), ties in order of
 * first appearance: the lexical list, then papers only the dense list has.
 */
function fuse(index: PaperIndex, lexical: RankedPapers, dense: RankedPapers, k: number): FusedPapers {
  const { mark } = index;
  const slots = [...lexical.slots];
  const fused = lexical.slots.map((_, i) => 1 / (RRF_K + i + 1));
  const lexicalScores: Array<number | undefined> = [...lexical.scores];
  const vectorScores: Array<number | undefined> = new Array(slots.length);
  slots.forEach((slot, i) => {
    mark[slot] = i + 1;
  });
  dense.slots.forEach((slot, i) => {
    const at = mark[slot] - 1;
    if (at >= 0) {
      fused[at] += 1 / (RRF_K + i + 1);
      vectorScores[at] = dense.scores[i];
    } else {
      slots.push(slot);
      fused.push(1 / (RRF_K + i + 1));
      lexicalScores.push(undefined);
      vectorScores.push(dense.scores[i]);
    }
  });
  for (const slot of lexical.slots) mark[slot] = 0;
  // The k best in a small sorted list; a later candidate never passes an equal earlier one.
  const best: number[] = [];
  for (let c = 0; c < slots.length; c++) {
    const s = fused[c];
    if (best.length === k && !(s > fused[best[k - 1]])) continue;
    let p = best.length < k ? best.length : k - 1;
    while (p > 0 && fused[best[p - 1]] < s) p--;
    if (best.length < k) best.push(c);
    best.copyWithin(p + 1, p, best.length - 1);
    best[p] = c;
  }
  return {
    slots: best.map((c) => slots[c]),
    scores: best.map((c) => fused[c]),
    lexicalScores: best.map((c) => lexicalScores[c]),
    vectorScores: best.map((c) => vectorScores[c]),
  };
}

/**
 * Each chosen paper's chunks among the hits, first list first (a chunk in several lists keeps its
 * first score), best score first (ties in that order).
 */
function chunksOf(g: PinnedGeneration, index: PaperIndex, chosen: number[], lists: DocHit[][]): ChunkHit[][] {
  const { slotOf, mark } = index;
  const out: ChunkHit[][] = chosen.map(() => []);
  chosen.forEach((slot, i) => {
    mark[slot] = i + 1;
  });
  const seen = new Set<number>();
  for (const hits of lists) {
    for (const { doc, score } of hits) {
      const slot = slotOf[doc] ?? -1;
      if (slot < 0 || mark[slot] === 0 || seen.has(doc)) continue;
      seen.add(doc);
      out[mark[slot] - 1].push({ chunk: g.chunks[doc], index: doc, score });
    }
  }
  for (const slot of chosen) mark[slot] = 0;
  for (const chunks of out) chunks.sort((a, b) => b.score - a.score);
  return out;
}
