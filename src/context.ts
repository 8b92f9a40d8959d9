/** Wiring shared by the CLI and the bot: open the index (building it on first use) and a retriever. */
import type { Config } from './config.js';
import { addPapers, type AddPapersResult, type IncomingFile } from './corpus/add-papers.js';
import { AppError } from './errors.js';
import { acronymsOf } from './index/acronyms.js';
import { createEmbedder, type EmbeddingsModel } from './index/embeddings.js';
import { ingest, type IngestOptions, type IngestSummary } from './index/ingest.js';
import { noProgress, type Progress } from './index/progress.js';
import type { GenerationWriter, SearchStore } from './index/search-store.js';
import { Retriever } from './index/search.js';
import { IndexStore, indexExists } from './index/store.js';
import { silentLogger, type Logger } from './logger.js';
import { noteIngest } from './radar/note.js';

export interface OpenOptions {
  logger?: Logger;
  progress?: Progress;
  /** Build the index from the corpus if none exists yet. */
  autoIngest?: boolean;
  embedder?: EmbeddingsModel | null;
}

/** DATABASE_URL, or a CONFIG_INVALID naming it. */
export function requireDatabaseUrl(config: Config, why = 'STORE=postgres'): string {
  if (!config.databaseUrl)
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  DATABASE_URL: required for ${why} (e.g. postgres://bot:password@db.example.com:5432/research)`,
    );
  return config.databaseUrl;
}

/**
 * Where ingest writes: a PostgresWriter for STORE=postgres, else undefined (ingest's own vectra
 * writer). The caller closes it. The postgres modules load only when used.
 */
async function createWriter(config: Config, logger: Logger): Promise<GenerationWriter | undefined> {
  if (config.store !== 'postgres') return undefined;
  const { PostgresWriter } = await import('./index/postgres/writer.js');
  return new PostgresWriter(requireDatabaseUrl(config), { logger });
}

/** Build or update the index. With STORE=postgres, indexDir still holds the embedding cache. */
export async function runIngest(
  config: Config,
  opts: OpenOptions & { force?: boolean; corpusDir?: string; indexDir?: string; onPapers?: IngestOptions['onPapers'] } = {},
): Promise<IngestSummary> {
  const logger = opts.logger ?? silentLogger;
  const writer = await createWriter(config, logger);
  try {
    const summary = await ingest({
      corpusDir: opts.corpusDir ?? config.corpusDir,
      indexDir: opts.indexDir ?? config.indexDir,
      chunkStrategy: config.chunkStrategy,
      embedder: opts.embedder === null ? undefined : (opts.embedder ?? createEmbedder(config)),
      maxFileBytes: config.maxCorpusFileBytes,
      force: opts.force,
      writer,
      progress: opts.progress ?? noProgress,
      logger,
      onPapers: opts.onPapers,
    });
    await noteIngest(config, opts.indexDir ?? config.indexDir, logger);
    return summary;
  } finally {
    await writer?.close();
  }
}

/** Add paper files to the corpus folder and ingest them (see corpus/add-papers.ts). */
export function runAddPapers(config: Config, files: IncomingFile[], opts: OpenOptions = {}): Promise<AddPapersResult> {
  return addPapers({ corpusDir: config.corpusDir, files, maxFileBytes: config.maxCorpusFileBytes }, (onPapers) =>
    runIngest(config, { ...opts, onPapers }),
  );
}

/** Whether the configured store holds an index. */
export async function storeHasIndex(config: Config, logger: Logger = silentLogger): Promise<boolean> {
  if (config.store !== 'postgres') return indexExists(config.indexDir);
  const { postgresIndexExists } = await import('./index/postgres/store.js');
  return postgresIndexExists(requireDatabaseUrl(config), logger);
}

/** Open the configured store's live generation. */
export async function openStore(config: Config, opts: { logger?: Logger } = {}): Promise<SearchStore> {
  if (config.store !== 'postgres') return IndexStore.open(config.indexDir, { int8MinRows: config.vectorInt8MinRows });
  const { PostgresStore } = await import('./index/postgres/store.js');
  return PostgresStore.open({
    databaseUrl: requireDatabaseUrl(config),
    logger: opts.logger,
    vectorSearch: config.pgVectorSearch,
    int8MinRows: config.vectorInt8MinRows,
  });
}

export async function openRetriever(config: Config, opts: OpenOptions = {}): Promise<Retriever> {
  const logger = opts.logger ?? silentLogger;
  if (opts.autoIngest && !(await storeHasIndex(config, logger))) {
    logger.info('no index yet: building it from the corpus', {
      corpusDir: config.corpusDir,
      store: config.store,
      indexDir: config.indexDir,
    });
    await runIngest(config, opts);
  }
  const store = await openStore(config, { logger });
  const embedder = opts.embedder === null ? undefined : (opts.embedder ?? createEmbedder(config));
  try {
    const retriever = new Retriever(store, embedder, { queryTimeoutMs: config.embedding.queryTimeoutMs });
    // Mined at load (about 15 µs a paper), so the first question does not pay for it.
    acronymsOf((await store.pin()).papers);
    return retriever;
  } catch (err) {
    await store.close();
    throw err;
  }
}
