/**
 * The manifest of one index generation, the same for both stores (a file in the generation
 * directory, a row in Postgres), and the checks a query makes against it.
 */
import type { CorpusReport } from '../corpus/types.js';
import { AppError } from '../errors.js';
import type { ChunkStrategy } from './chunk.js';
import type { FileChecksum } from './write-all.js';

export interface Manifest {
  formatVersion: number;
  generation: string;
  createdAt: string;
  chunkStrategy: ChunkStrategy;
  /** TOKENIZER_VERSION of the build; absent in indexes built before it was recorded (version 1). */
  tokenizer?: number;
  /** The file size limit in force: files skipped as too large may fit under a new limit. */
  maxFileBytes: number | null;
  embedding: { model: string; dimensions: number } | null;
  files: Array<{ name: string; size: number; sha1: string }>;
  counts: { papers: number; chunks: number; vectors: number };
  report: CorpusReport;
  /**
   * Size and SHA-256 of every file of the generation, by path inside it, computed while writing.
   * Absent in manifests written before checksums existed: those load with the structural checks
   * only, and the next ingest rebuilds them (it cannot tell a damaged file from a good one).
   */
  checksums?: Record<string, FileChecksum>;
}

export function checkEmbeddingModel(manifest: Manifest, model: string | undefined): void {
  const built = manifest.embedding;
  if (!model) return;
  if (!built) {
    throw new AppError(
      'INDEX_MODEL_MISMATCH',
      `The index was built without embeddings, but EMBEDDING_MODEL=${model} is set. Re-run \`research-bot ingest\` to add vectors (or unset EMBEDDING_MODEL).`,
    );
  }
  if (built.model !== model) {
    throw new AppError(
      'INDEX_MODEL_MISMATCH',
      `The index was built with embedding model "${built.model}" (${built.dimensions} dimensions) but ` +
        `EMBEDDING_MODEL is "${model}". Re-run \`research-bot ingest\` to rebuild it.`,
    );
  }
}

export function checkQueryVector(manifest: Manifest, vector: number[]): void {
  const dims = manifest.embedding?.dimensions;
  if (dims && vector.length !== dims) {
    throw new AppError(
      'INDEX_MODEL_MISMATCH',
      `The embedding endpoint returned ${vector.length}-dimension vectors but the index holds ${dims}-dimension vectors. Re-run \`research-bot ingest\`.`,
    );
  }
}
