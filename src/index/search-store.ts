/**
 * The contract every index backend implements: `vectra` (embedded, files under INDEX_DIR) and
 * `postgres` (pgvector + full-text search, shared by several bot processes).
 *
 * Reading is three narrow interfaces: a CorpusSnapshot (papers, chunks and term statistics of one
 * generation, held in memory because the answer engine needs them synchronously), ChunkSearch
 * (lexical and vector search over that generation, possibly run in the backend), and the
 * GenerationLifecycle (which generation is live, pinning one, closing). A search or a whole answer
 * pins one generation and uses it throughout, so its lexical and vector halves can never come
 * from two generations (the Postgres store switches generation in place).
 * Writing: ingest computes papers, chunks, embeddings and the BM25F index, then hands them to a
 * GenerationWriter, which makes them live atomically (readers see the old or the new
 * generation, never a mix) and leaves the previous generation served if it fails half-way.
 */
import type { Paper } from '../corpus/types.js';
import type { Chunk } from './chunk.js';
import type { LexicalIndex } from './lexical.js';
import type { Manifest } from './manifest.js';

/** Corpus statistics the answer engine needs synchronously (abstention, digests). */
export interface TermStats {
  readonly size: number;
  idf(term: string): number;
}

/** A hit on chunk number `doc` (an index into `chunks`). */
export interface DocHit {
  doc: number;
  score: number;
}

/** One generation's corpus, read-only. */
export interface CorpusSnapshot {
  readonly generation: string;
  readonly manifest: Manifest;
  readonly papers: Paper[];
  readonly paperById: Map<string, Paper>;
  readonly chunks: Chunk[];
  readonly termStats: TermStats;
  readonly hasVectors: boolean;
}

/** Chunk search over one generation; `doc` in every hit indexes that generation's `chunks`. */
export interface ChunkSearch {
  /** Best `depth` chunks by BM25F for weighted query terms, best first. */
  lexicalSearch(terms: Map<string, number>, depth: number, signal?: AbortSignal): Promise<DocHit[]>;
  /** Best `depth` chunks by cosine similarity, best first. */
  vectorSearch(vector: number[], depth: number, signal?: AbortSignal): Promise<DocHit[]>;
  /** Throws EMBEDDING_MISMATCH-style errors for a query vector of the wrong size or with non-numbers. */
  checkQueryVector(vector: number[]): void;
}

/**
 * Thrown by a pinned generation's search when that generation's rows were removed under it (a
 * later ingest superseded it); the store has already switched, so the caller pins again.
 */
export class GenerationGoneError extends Error {
  constructor(readonly generation: string) {
    super(`index generation ${generation} is no longer stored`);
  }
}

/** A generation fixed for the holder's whole search or answer. */
export interface PinnedGeneration extends CorpusSnapshot, ChunkSearch {}

export interface GenerationLifecycle {
  readonly kind: 'vectra' | 'postgres';
  /**
   * The generation served now (after any due check for a newer one), fixed: later switches do
   * not affect the returned object.
   */
  pin(): Promise<PinnedGeneration>;
  /**
   * The generation currently live in the backend, which another process (a /reindex in another
   * shard) may have switched since this store was opened; callers reopen when it differs.
   */
  latestGeneration(): Promise<string | undefined>;
  checkEmbeddingModel(model: string | undefined): void;
  close(): Promise<void>;
}

/**
 * What a backend implements: the lifecycle, plus the served generation's snapshot and search
 * (which may switch between two calls; pin() for anything that spans several).
 */
export interface SearchStore extends GenerationLifecycle, PinnedGeneration {}

export interface GenerationData {
  manifest: Manifest;
  papers: Paper[];
  chunks: Chunk[];
  lexical: LexicalIndex;
  /** One vector per chunk, same order, when embeddings are on. */
  vectors?: Float32Array[];
}

export interface GenerationWriter {
  readonly kind: 'vectra' | 'postgres';
  /** Exclusive lock for one ingest at a time; resolves to a release function. */
  lock(): Promise<() => Promise<void>>;
  /** Manifest of the live generation, if any. */
  currentManifest(): Promise<Manifest | undefined>;
  /**
   * Why the live generation's stored files no longer match what was written (truncated, changed,
   * missing), or undefined when they match. Ingest rebuilds instead of reporting "up to date" when
   * this finds damage. Backends whose storage guarantees this by itself (Postgres) omit it.
   */
  verifyLive?(manifest: Manifest): Promise<string | undefined>;
  /**
   * When each paper of the live generation `manifest` names first entered the index, by paper id
   * (undefined for papers indexed before first-seen dates were recorded).
   */
  firstSeen(manifest: Manifest): Promise<Map<string, string | undefined>>;
  /** Write a complete generation and make it live atomically. */
  commit(data: GenerationData, hooks?: { onWritten?: () => void | Promise<void> }): Promise<void>;
  /** Remove leftovers of failed or superseded generations. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}
