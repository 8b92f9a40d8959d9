/**
 * Copy the live generation from one store to the other as a new generation, and make it live:
 * papers, chunks, BM25F statistics and the stored vectors (never re-embedded).
 *   vectra -> postgres: vectors are read back from the generation's vectra index.
 *   postgres -> vectra: vectors are read back from rb_chunks; BM25F is rebuilt from the chunks
 *                       (deterministic: the same tokens give the same index).
 */
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { newGenerationName, VectraWriter } from './ingest.js';
import { LexicalIndex } from './lexical.js';
import { PostgresStore } from './postgres/store.js';
import { PostgresWriter } from './postgres/writer.js';
import type { GenerationData, GenerationWriter } from './search-store.js';
import type { Manifest } from './manifest.js';
import { IndexStore, openVectorIndex } from './store.js';

export type StoreKind = 'vectra' | 'postgres';

export interface MigrateOptions {
  from: StoreKind;
  to: StoreKind;
  /** The vectra index folder (INDEX_DIR). */
  indexDir: string;
  databaseUrl: string;
  logger?: Logger;
}

export interface MigrateSummary {
  from: StoreKind;
  to: StoreKind;
  sourceGeneration: string;
  generation: string;
  papers: number;
  chunks: number;
  vectors: number;
  embedding: Manifest['embedding'];
  durationMs: number;
}

/** The raw vectors of an open vectra generation, in chunk order. */
export async function readVectraVectors(store: IndexStore): Promise<Float32Array[] | undefined> {
  if (!store.manifest.embedding) return undefined;
  const items = await (await openVectorIndex(join(store.dir, 'vectors'), false)).listItems();
  const out: Float32Array[] = new Array(store.chunks.length);
  for (const it of items) out[it.metadata.chunk] = Float32Array.from(it.vector);
  for (let i = 0; i < out.length; i++)
    if (!out[i]) throw new AppError('INDEX_CORRUPT', `The vectra index has no vector for chunk ${i}. Run \`research-bot ingest --force\`.`);
  return out;
}

async function readSource(opts: MigrateOptions): Promise<GenerationData> {
  if (opts.from === 'vectra') {
    const store = await IndexStore.open(opts.indexDir);
    return {
      manifest: store.manifest,
      papers: store.papers,
      chunks: store.chunks,
      lexical: store.lexical,
      vectors: await readVectraVectors(store),
    };
  }
  // It only reads the rows (readVectors): no search, so no second copy of the vectors in memory.
  const store = await PostgresStore.open({
    databaseUrl: opts.databaseUrl,
    logger: opts.logger,
    refreshIntervalMs: 0,
    vectorSearch: 'hnsw',
  });
  try {
    const chunks = store.chunks;
    const lexical = LexicalIndex.build(chunks.map((c) => ({ title: c.title, body: c.text })));
    return { manifest: store.manifest, papers: store.papers, chunks, lexical, vectors: await store.readVectors() };
  } finally {
    await store.close();
  }
}

export async function migrateStore(opts: MigrateOptions): Promise<MigrateSummary> {
  const started = Date.now();
  const logger = opts.logger ?? silentLogger;
  if (opts.from === opts.to) throw new AppError('QUESTION_INVALID', `--from and --to are both ${opts.from}; nothing to copy.`);
  const source = await readSource(opts);
  const manifest: Manifest = { ...source.manifest, generation: newGenerationName(), createdAt: new Date().toISOString() };
  const writer: GenerationWriter =
    opts.to === 'postgres' ? new PostgresWriter(opts.databaseUrl, { logger }) : new VectraWriter(opts.indexDir, logger);
  try {
    const release = await writer.lock();
    try {
      await writer.commit({ ...source, manifest });
      await writer.cleanup();
    } finally {
      await release();
    }
  } finally {
    await writer.close();
  }
  const summary: MigrateSummary = {
    from: opts.from,
    to: opts.to,
    sourceGeneration: source.manifest.generation,
    generation: manifest.generation,
    papers: source.papers.length,
    chunks: source.chunks.length,
    vectors: source.vectors?.length ?? 0,
    embedding: manifest.embedding,
    durationMs: Date.now() - started,
  };
  logger.info('store migrated', { ...summary });
  return summary;
}
