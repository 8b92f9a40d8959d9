/** Wiring shared by the CLI and the bot: open the index (building it on first use) and a retriever. */
import type { Config } from './config.js';
import { createEmbedder, type EmbeddingsModel } from './index/embeddings.js';
import { ingest, type IngestSummary } from './index/ingest.js';
import { noProgress, type Progress } from './index/progress.js';
import { Retriever } from './index/search.js';
import { IndexStore, indexExists } from './index/store.js';
import { silentLogger, type Logger } from './logger.js';

export interface OpenOptions {
  logger?: Logger;
  progress?: Progress;
  /** Build the index from the corpus if none exists yet. */
  autoIngest?: boolean;
  embedder?: EmbeddingsModel | null;
}

export async function runIngest(config: Config, opts: OpenOptions & { force?: boolean; corpusDir?: string; indexDir?: string } = {}): Promise<IngestSummary> {
  return ingest({
    corpusDir: opts.corpusDir ?? config.corpusDir,
    indexDir: opts.indexDir ?? config.indexDir,
    chunkStrategy: config.chunkStrategy,
    embedder: opts.embedder === null ? undefined : (opts.embedder ?? createEmbedder(config)),
    maxFileBytes: config.maxCorpusFileBytes,
    force: opts.force,
    progress: opts.progress ?? noProgress,
    logger: opts.logger ?? silentLogger,
  });
}

export async function openRetriever(config: Config, opts: OpenOptions = {}): Promise<Retriever> {
  const logger = opts.logger ?? silentLogger;
  if (opts.autoIngest && !(await indexExists(config.indexDir))) {
    logger.info('no index yet: building it from the corpus', { corpusDir: config.corpusDir, indexDir: config.indexDir });
    await runIngest(config, opts);
  }
  const store = await IndexStore.open(config.indexDir);
  const embedder = opts.embedder === null ? undefined : (opts.embedder ?? createEmbedder(config));
  return new Retriever(store, embedder);
}
