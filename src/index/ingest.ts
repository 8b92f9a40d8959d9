/**
 * Corpus -> papers -> chunks -> (embeddings) -> lexical + vectra index, written as a new
 * generation and swapped in only when complete. Incremental: an unchanged corpus is detected from
 * file hashes and costs no work; embeddings are reused by text hash, so only new text is embedded.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listCorpusFiles, loadCorpus, sha1File, type CorpusFile } from '../corpus/load.js';
import type { Paper, SkippedItem } from '../corpus/types.js';
import { AppError, storageError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { chunkPaper, embeddingText, type ChunkStrategy } from './chunk.js';
import { EmbeddingCache, textHash } from './embedding-cache.js';
import type { EmbeddingsModel } from './embeddings.js';
import { LexicalIndex } from './lexical.js';
import { acquireLock } from './lock.js';
import { TOKENIZER_VERSION } from './tokenize.js';
import { noProgress, type Progress } from './progress.js';
import type { GenerationData, GenerationWriter } from './search-store.js';
import { VectorMatrix } from './vector-matrix.js';
import { VECTRA_INDEX_FILE, writeVectraIndexFile } from './vectra-file.js';
import { INDEX_FORMAT_VERSION, readCurrentGeneration, verifyGeneration, writeFileAtomic, writeGenerationFiles } from './store.js';
import type { Manifest } from './manifest.js';
import { FileDigest, type FileChecksum } from './write-all.js';

export interface IngestOptions {
  corpusDir: string;
  indexDir: string;
  chunkStrategy?: ChunkStrategy;
  embedder?: EmbeddingsModel;
  maxFileBytes?: number;
  /** Rebuild even when nothing changed. */
  force?: boolean;
  /** Where the generation goes; default: vectra files under indexDir. */
  writer?: GenerationWriter;
  progress?: Progress;
  logger?: Logger;
  /** Sees the papers of the generation being built once their first-seen times are set (before anything is written). */
  onPapers?: (papers: readonly Paper[], createdAt: string) => void;
  /** Test hook: called after each phase; throwing simulates a crash at that point. */
  onPhase?: (phase: 'parsed' | 'embedded' | 'written') => void | Promise<void>;
}

export interface IngestSummary {
  upToDate: boolean;
  generation: string;
  papers: number;
  chunks: number;
  blocks: number;
  duplicatesMerged: number;
  files: number;
  filesSkipped: SkippedItem[];
  blocksSkipped: SkippedItem[];
  embedding: { model: string; dimensions: number; reused: number; embedded: number; calls: number } | null;
  /** Papers that were not in the previous generation (their firstSeen is this ingest's time). */
  newPapers: number;
  durationMs: number;
}

/** A fresh, sortable generation name: gen-<UTC stamp>-<random>. */
export function newGenerationName(): string {
  return `gen-${new Date().toISOString().replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** Content hashes of the listed files (the up-to-date check). */
async function hashFiles(files: CorpusFile[]): Promise<Manifest['files']> {
  const out: Manifest['files'] = [];
  for (const f of files) out.push({ name: f.name, size: f.size, sha1: f.skip ? '' : await sha1File(f.path) });
  return out;
}

async function readManifest(indexDir: string): Promise<Manifest | undefined> {
  const gen = await readCurrentGeneration(indexDir);
  if (!gen) return undefined;
  try {
    return JSON.parse(await readFile(join(indexDir, gen, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function sameFiles(a: Manifest['files'], b: Manifest['files']): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i].name && f.sha1 === b[i].sha1);
}

/** Remove generations other than the live one, and anything a killed ingest left half-written. */
async function collectGarbage(indexDir: string, keep: string, logger: Logger): Promise<void> {
  for (const name of await readdir(indexDir)) {
    if ((name.startsWith('gen-') && name !== keep) || name.startsWith('CURRENT.tmp')) {
      await rm(join(indexDir, name), { recursive: true, force: true }).catch((err) =>
        logger.warn('could not remove old index generation', { name, err }),
      );
    }
  }
}

function summaryFrom(manifest: Manifest, extra: Partial<IngestSummary>, started: number): IngestSummary {
  return {
    upToDate: false,
    generation: manifest.generation,
    papers: manifest.counts.papers,
    chunks: manifest.counts.chunks,
    blocks: manifest.report.blocks,
    duplicatesMerged: manifest.report.duplicatesMerged,
    files: manifest.files.length,
    filesSkipped: manifest.report.files.filter((f) => f.error).map((f) => ({ file: f.file, reason: f.error! })),
    blocksSkipped: manifest.report.files.flatMap((f) => f.skipped),
    embedding: manifest.embedding ? { ...manifest.embedding, reused: 0, embedded: 0, calls: 0 } : null,
    newPapers: 0,
    durationMs: Date.now() - started,
    ...extra,
  };
}

/**
 * Give every paper its firstSeen: carried over from the live generation for papers already in it
 * (its creation time for papers indexed before first-seen dates were recorded: they were in the
 * index by then at the latest), `now` for the rest. Returns how many are new.
 */
async function stampFirstSeen(
  papers: Paper[],
  writer: GenerationWriter,
  previous: Manifest | undefined,
  now: string,
  logger: Logger,
): Promise<number> {
  let seen = new Map<string, string | undefined>();
  if (previous) {
    try {
      seen = await writer.firstSeen(previous);
    } catch (err) {
      // A damaged live generation is being replaced: its papers count as new rather than failing the rebuild.
      logger.warn('could not read first-seen dates of the live generation; its papers count as new', { err });
    }
  }
  let fresh = 0;
  for (const p of papers) {
    if (seen.has(p.id)) p.firstSeen = seen.get(p.id) ?? previous!.createdAt;
    else {
      p.firstSeen = now;
      fresh++;
    }
  }
  return fresh;
}

export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  try {
    return await ingestOnce(opts);
  } catch (err) {
    throw storageError(err, opts.indexDir);
  }
}

async function ingestOnce(opts: IngestOptions): Promise<IngestSummary> {
  const started = Date.now();
  const logger = opts.logger ?? silentLogger;
  const progress = opts.progress ?? noProgress;
  const strategy = opts.chunkStrategy ?? 'abstract';
  await mkdir(opts.indexDir, { recursive: true });
  const writer = opts.writer ?? new VectraWriter(opts.indexDir, logger);
  const release = await writer.lock();
  try {
    const listed = await listCorpusFiles(opts.corpusDir);
    const previous = await writer.currentManifest();
    // Files are hashed for this check only when names and sizes all match (an edit usually changes
    // the size); otherwise they are read once, by the parse, and hashed from those same bytes.
    // A changed file-size limit matters only if some file falls between the old and new limits.
    if (
      !opts.force &&
      previous &&
      previous.formatVersion === INDEX_FORMAT_VERSION &&
      previous.chunkStrategy === strategy &&
      (previous.tokenizer ?? 1) === TOKENIZER_VERSION &&
      (previous.embedding?.model ?? null) === (opts.embedder?.model ?? null) &&
      (!opts.embedder?.dimensions || previous.embedding?.dimensions === opts.embedder.dimensions) &&
      !listed.some((f) => f.size > (previous.maxFileBytes ?? Infinity) !== f.size > (opts.maxFileBytes ?? Infinity)) &&
      previous.files.length === listed.length &&
      previous.files.every((f, i) => f.name === listed[i].name && f.size === listed[i].size) &&
      sameFiles(previous.files, await hashFiles(listed))
    ) {
      // The corpus is unchanged, but `search` may be failing on a damaged index: only an index
      // whose files still match what was written is up to date.
      const damage = await writer.verifyLive?.(previous);
      if (!damage) {
        logger.info('index is up to date', { generation: previous.generation });
        // A killed ingest leaves a half-written generation behind even when the corpus is unchanged.
        await writer.cleanup();
        return summaryFrom(previous, { upToDate: true }, started);
      }
      logger.warn('the live index does not match its manifest; rebuilding it', { generation: previous.generation, damage });
    }

    const corpus = await loadCorpus(opts.corpusDir, { maxFileBytes: opts.maxFileBytes });
    const files: Manifest['files'] = corpus.files.map((f) => ({ name: f.name, size: f.size, sha1: f.sha1 }));
    for (const s of corpus.report.skipped) logger.warn('corpus item skipped', { ...s });
    if (corpus.papers.length === 0) {
      throw new AppError(
        'CORPUS_EMPTY',
        `No papers could be read from ${opts.corpusDir} (${corpus.report.files.length} files; ${corpus.report.skipped.length} ` +
          `problems). The live index was left as it was.`,
        { detail: { skipped: corpus.report.skipped.slice(0, 20) } },
      );
    }
    const createdAt = new Date().toISOString();
    const newPapers = await stampFirstSeen(corpus.papers, writer, previous, createdAt, logger);
    opts.onPapers?.(corpus.papers, createdAt);
    const chunks = corpus.papers.flatMap((p) => chunkPaper(p, strategy));
    logger.info('corpus parsed', { papers: corpus.papers.length, chunks: chunks.length, blocks: corpus.report.blocks });
    await opts.onPhase?.('parsed');

    let vectors: Float32Array[] | undefined;
    let embeddingStats: IngestSummary['embedding'] = null;
    if (opts.embedder) {
      const embedder = opts.embedder;
      // Keyed by model and requested size: the same model at another size gives other vectors.
      const cache = await EmbeddingCache.open(
        opts.indexDir,
        embedder.dimensions ? `${embedder.model}@${embedder.dimensions}` : embedder.model,
      );
      const hashes = chunks.map((c) => textHash(embeddingText(c)));
      const missing = [...new Set(hashes.filter((h) => !cache.get(h)))];
      const textByHash = new Map(chunks.map((c, i) => [hashes[i], embeddingText(c)]));
      let calls = 0;
      progress.start('embedding', missing.length);
      for (let i = 0; i < missing.length; i += embedder.batchSize) {
        const batch = missing.slice(i, i + embedder.batchSize);
        const result = await embedder.createEmbeddings(batch.map((h) => textByHash.get(h)!));
        calls++;
        await cache.add(batch.map((hash, j) => ({ hash, vector: result[j] })));
        progress.tick(batch.length);
      }
      progress.done(`${missing.length} embedded, ${chunks.length - missing.length} reused`);
      vectors = hashes.map((h) => cache.get(h)!);
      const dims = vectors[0]?.length ?? 0;
      if (vectors.some((v) => v.length !== dims)) {
        throw new AppError(
          'EMBEDDING_FAILED',
          'The embedding endpoint returned vectors of different sizes; check EMBEDDING_MODEL / EMBEDDING_DIMENSIONS.',
        );
      }
      embeddingStats = { model: embedder.model, dimensions: dims, reused: chunks.length - missing.length, embedded: missing.length, calls };
      await opts.onPhase?.('embedded');
    }

    const lexical = LexicalIndex.build(chunks.map((c) => ({ title: c.title, body: c.text })));
    const generation = newGenerationName();
    const manifest: Manifest = {
      formatVersion: INDEX_FORMAT_VERSION,
      generation,
      createdAt,
      chunkStrategy: strategy,
      tokenizer: TOKENIZER_VERSION,
      maxFileBytes: opts.maxFileBytes ?? null,
      embedding: embeddingStats ? { model: embeddingStats.model, dimensions: embeddingStats.dimensions } : null,
      files,
      counts: { papers: corpus.papers.length, chunks: chunks.length, vectors: vectors?.length ?? 0 },
      report: corpus.report,
    };
    await writer.commit({ manifest, papers: corpus.papers, chunks, lexical, vectors }, { onWritten: () => opts.onPhase?.('written') });
    await writer.cleanup();
    const summary = summaryFrom(manifest, { embedding: embeddingStats, newPapers }, started);
    logger.info('ingest complete', { generation, papers: summary.papers, chunks: summary.chunks, durationMs: summary.durationMs });
    return summary;
  } finally {
    await release();
    if (!opts.writer) await writer.close();
  }
}

/** The embedded backend's writer: a generation directory, then an atomic CURRENT swap. */
export class VectraWriter implements GenerationWriter {
  readonly kind = 'vectra' as const;
  constructor(
    private readonly indexDir: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  lock(): Promise<() => Promise<void>> {
    return acquireLock(this.indexDir);
  }

  currentManifest(): Promise<Manifest | undefined> {
    return readManifest(this.indexDir);
  }

  verifyLive(manifest: Manifest): Promise<string | undefined> {
    return verifyGeneration(join(this.indexDir, manifest.generation), manifest);
  }

  async firstSeen(manifest: Manifest): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    const lines = createInterface({
      input: createReadStream(join(this.indexDir, manifest.generation, 'papers.jsonl')),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (!line) continue;
      const p = JSON.parse(line) as Pick<Paper, 'id' | 'firstSeen'>;
      out.set(p.id, p.firstSeen);
    }
    return out;
  }

  async commit(data: GenerationData, hooks: { onWritten?: () => void | Promise<void> } = {}): Promise<void> {
    const { generation } = data.manifest;
    // We hold the lock, so every partial generation is debris of a failed or killed ingest; on a
    // full disk it may be exactly the space this one needs.
    for (const name of await readdir(this.indexDir)) {
      if (name.startsWith('gen-') && name.endsWith('.partial')) await rm(join(this.indexDir, name), { recursive: true, force: true });
    }
    const partial = join(this.indexDir, `${generation}.partial`);
    let renamed = false;
    try {
      await mkdir(partial, { recursive: true });
      const written: Record<string, FileChecksum> = {};
      if (data.vectors) {
        // vectra's own index file, written item by item (see vectra-file.ts for why not insertItem).
        await mkdir(join(partial, 'vectors'), { recursive: true });
        const vectraFile = `vectors/${VECTRA_INDEX_FILE}`;
        const vectraDigest = new FileDigest();
        await writeVectraIndexFile(
          join(partial, vectraFile),
          data.vectors.map((vector, chunk) => ({ id: data.chunks[chunk].id, chunk, vector })),
          vectraDigest,
        );
        written[vectraFile] = vectraDigest.result();
        // The read path: one normalised float32 matrix, loaded without materialising JS arrays.
        const f32Digest = new FileDigest();
        await VectorMatrix.writeFile(join(partial, 'vectors.f32'), data.vectors, data.manifest.embedding!.dimensions, f32Digest);
        written['vectors.f32'] = f32Digest.result();
      }
      await writeGenerationFiles(partial, data, written);
      await hooks.onWritten?.();
      // The swap: a complete directory gets its final name, then CURRENT is atomically repointed.
      await rename(partial, join(this.indexDir, generation));
      renamed = true;
      await writeFileAtomic(join(this.indexDir, 'CURRENT'), `${generation}\n`);
    } catch (err) {
      // Nothing of a failed attempt is kept: the next try needs the space, and nothing reads it
      // (CURRENT still names the previous generation).
      await rm(renamed ? join(this.indexDir, generation) : partial, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  async cleanup(): Promise<void> {
    const current = await readCurrentGeneration(this.indexDir);
    if (current) await collectGarbage(this.indexDir, current, this.logger);
  }

  async close(): Promise<void> {}
}
