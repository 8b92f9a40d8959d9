/**
 * The contract every index backend implements: `vectra` (embedded, files under INDEX_DIR) and
 * `postgres` (pgvector + full-text search, shared by several bot processes).
 *
 * Reading: a store is an open, immutable view of one index generation. Papers and chunks are
 * held in memory (the answer engine needs them synchronously); lexical and vector search may
 * run in the backend.
 * Writing: ingest computes papers, chunks, embeddings and the BM25F index, then hands them to a
 * GenerationWriter, which makes them live atomically (readers see the old or the new
 * generation, never a mix) and leaves the previous generation served if it fails half-way.
 */
import type { Paper } from '../corpus/types.js';
import type { Chunk } from './chunk.js';
import type { LexicalIndex } from './lexical.js';
import type { Manifest } from './store.js';

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

export interface SearchStore {
  readonly kind: 'vectra' | 'postgres';
  readonly manifest: Manifest;
  readonly generation: string;
  readonly papers: Paper[];
  readonly paperById: Map<string, Paper>;
  readonly chunks: Chunk[];
  readonly lexical: TermStats;
  readonly hasVectors: boolean;
  /** Best `depth` chunks by BM25F for weighted query terms, best first. */
  lexicalSearch(terms: Map<string, number>, depth: number): Promise<DocHit[]>;
  /** Best `depth` chunks by cosine similarity, best first. */
  vectorSearch(vector: number[], depth: number): Promise<DocHit[]>;
  /**
   * The generation currently live in the backend, which another process (a /reindex in another
   * shard) may have switched since this store was opened; callers reopen when it differs.
   */
  latestGeneration(): Promise<string | undefined>;
  checkEmbeddingModel(model: string | undefined): void;
  checkQueryVector(vector: number[]): void;
  close(): Promise<void>;
}

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
  /** Write a complete generation and make it live atomically. */
  commit(data: GenerationData, hooks?: { onWritten?: () => void | Promise<void> }): Promise<void>;
  /** Remove leftovers of failed or superseded generations. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}
