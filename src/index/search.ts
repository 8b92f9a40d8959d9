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
}

export interface SearchResult {
  hits: PaperHit[];
  /** How this search actually ran. */
  retrieval: 'hybrid' | 'lexical';
  /** Why a hybrid index was searched lexically (the embedding endpoint failed or timed out). */
  degraded?: string;
}

/** After the embedding endpoint fails, questions skip it this long, so an outage costs one wait, not one per question. */
export const EMBEDDING_COOLOFF_MS = 30_000;

/** A paper's best chunks from one retrieval path. */
export interface PaperEntry {
  paper: Paper;
  score: number;
  chunks: ChunkHit[];
}

export const MAX_QUERY_CHARS = 2000;
const RRF_K = 60;

function passes(paper: Paper, f: SearchFilter | undefined): boolean {
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

  /**
   * Lexical chunk scores grouped by paper, from the best `depth` chunks (all of them with a
   * filter, so filtered-out papers cannot starve the list).
   */
  private async lexicalPapers(g: PinnedGeneration, query: string, filter: SearchFilter | undefined, depth: number) {
    const terms = queryTerms(query.slice(0, MAX_QUERY_CHARS));
    const hits = await g.lexicalSearch(terms, filter ? g.chunks.length : depth);
    return groupByPaper(g, hits, filter);
  }

  private async vectorPapers(g: PinnedGeneration, vector: number[], filter: SearchFilter | undefined, depth: number) {
    if (!g.hasVectors) return new Map<string, PaperEntry>();
    return groupByPaper(g, await g.vectorSearch(vector, depth), filter);
  }

  async search(query: string, opts: SearchOptions = {}): Promise<PaperHit[]> {
    return (await this.searchWithMode(query, opts)).hits;
  }

  async searchWithMode(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    for (let attempt = 0; ; attempt++) {
      // One generation for both halves: the lexical and vector hits index the same chunks.
      const g = this.pinnedGeneration ?? (await this.store.pin());
      try {
        return await this.searchIn(g, query, opts);
      } catch (err) {
        if (!(err instanceof GenerationGoneError) || attempt >= 2) throw err;
        // Superseded under us (the store has switched): start over on the live generation.
        if (this.pinnedGeneration) this.pinnedGeneration = await this.store.pin();
      }
    }
  }

  private async searchIn(g: PinnedGeneration, query: string, opts: SearchOptions): Promise<SearchResult> {
    const k = opts.k ?? 10;
    const { vector, degraded } = await this.queryVectorOrReason(g, query, opts);
    // Fusion ranks every paper of a deep lexical list; alone, with one chunk per paper, the k
    // best chunks are the k best papers (and a shallow top-k skips most postings: lexical.ts).
    const onePerPaper = g.chunks.length === g.papers.length;
    const lexical = await this.lexicalPapers(g, query, opts.filter, !vector && onePerPaper ? k : Math.max(1000, k * 20));
    const lexRanked = [...lexical.entries()].sort((a, b) => b[1].score - a[1].score);
    if (!vector) {
      const hits = lexRanked.slice(0, k).map(([, e], i) => ({
        paper: e.paper,
        rank: i + 1,
        score: e.score,
        lexicalScore: e.score,
        chunks: e.chunks.sort((a, b) => b.score - a.score),
      }));
      return { hits, retrieval: 'lexical', ...(degraded ? { degraded } : {}) };
    }
    // With a filter, scan deeper so filtered-out papers cannot starve the dense list.
    const depth = opts.filter ? g.chunks.length : Math.max(100, k * 10);
    const dense = await this.vectorPapers(g, vector, opts.filter, depth);
    const vecRanked = [...dense.entries()].sort((a, b) => b[1].score - a[1].score);
    const fused = new Map<string, number>();
    lexRanked.forEach(([id], i) => {
      fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + i + 1));
    });
    vecRanked.forEach(([id], i) => {
      fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + i + 1));
    });
    const hits = [...fused.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([id, score], i) => {
        const lex = lexical.get(id);
        const vec = dense.get(id);
        const chunks = new Map<number, ChunkHit>();
        for (const c of [...(lex?.chunks ?? []), ...(vec?.chunks ?? [])]) if (!chunks.has(c.index)) chunks.set(c.index, c);
        return {
          paper: (lex ?? vec)!.paper,
          rank: i + 1,
          score,
          lexicalScore: lex?.score ?? 0,
          vectorScore: vec?.score,
          chunks: [...chunks.values()].sort((a, b) => b.score - a.score),
        };
      });
    return { hits, retrieval: 'hybrid' };
  }
}

/** Chunk hits grouped by paper (filtered): a paper's score is its best chunk's. */
function groupByPaper(g: PinnedGeneration, hits: DocHit[], filter: SearchFilter | undefined): Map<string, PaperEntry> {
  const byPaper = new Map<string, PaperEntry>();
  for (const { doc: index, score } of hits) {
    const chunk = g.chunks[index];
    if (!chunk) continue;
    const paper = g.paperById.get(chunk.paperId);
    if (!paper || !passes(paper, filter)) continue;
    const entry = byPaper.get(chunk.paperId);
    if (!entry) byPaper.set(chunk.paperId, { paper, score, chunks: [{ chunk, index, score }] });
    else {
      entry.chunks.push({ chunk, index, score });
      if (score > entry.score) entry.score = score;
    }
  }
  return byPaper;
}
