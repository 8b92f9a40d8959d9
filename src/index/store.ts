/**
 * On-disk index layout. Each ingest writes a complete generation directory and then atomically
 * repoints CURRENT at it, so a reader (or a killed ingest) only ever sees a whole index:
 *
 *   <indexDir>/CURRENT              name of the live generation
 *   <indexDir>/gen-<stamp>/         manifest.json, papers.json, chunks.json, lexical.json, vectors/ (vectra)
 *   <indexDir>/embeddings/<model>.jsonl  append-only embedding cache (resume without re-embedding)
 *   <indexDir>/.lock                held while an ingest runs
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalIndex } from 'vectra';
import type { CorpusReport, Paper } from '../corpus/types.js';
import { AppError } from '../errors.js';
import type { Chunk, ChunkStrategy } from './chunk.js';
import { LexicalIndex, type SerializedLexicalIndex } from './lexical.js';

export const INDEX_FORMAT_VERSION = 1;

export interface Manifest {
  formatVersion: number;
  generation: string;
  createdAt: string;
  chunkStrategy: ChunkStrategy;
  embedding: { model: string; dimensions: number } | null;
  files: Array<{ name: string; size: number; sha1: string }>;
  counts: { papers: number; chunks: number; vectors: number };
  report: CorpusReport;
}

export type VectorMetadata = { chunk: number };

export async function readCurrentGeneration(indexDir: string): Promise<string | undefined> {
  try {
    const name = (await readFile(join(indexDir, 'CURRENT'), 'utf8')).trim();
    return /^gen-[\w-]+$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Write a file so that readers see either the old or the new content, never a torn one. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

export async function indexExists(indexDir: string): Promise<boolean> {
  const gen = await readCurrentGeneration(indexDir);
  return Boolean(gen && existsSync(join(indexDir, gen, 'manifest.json')));
}

export class IndexStore {
  readonly paperById = new Map<string, Paper>();
  readonly chunksByPaper = new Map<string, number[]>();

  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    readonly papers: Paper[],
    readonly chunks: Chunk[],
    readonly lexical: LexicalIndex,
    readonly vectors: LocalIndex<VectorMetadata> | undefined,
  ) {
    for (const p of papers) this.paperById.set(p.id, p);
    chunks.forEach((c, i) => {
      const list = this.chunksByPaper.get(c.paperId);
      if (list) list.push(i);
      else this.chunksByPaper.set(c.paperId, [i]);
    });
  }

  get generation(): string {
    return this.manifest.generation;
  }

  static async open(indexDir: string): Promise<IndexStore> {
    const gen = await readCurrentGeneration(indexDir);
    if (!gen) throw new AppError('INDEX_MISSING', `No index in ${indexDir}. Run \`research-bot ingest\` first.`);
    const dir = join(indexDir, gen);
    try {
      const [manifestText, papersText, chunksText, lexicalText] = await Promise.all(
        ['manifest.json', 'papers.json', 'chunks.json', 'lexical.json'].map((f) => readFile(join(dir, f), 'utf8')),
      );
      const manifest = JSON.parse(manifestText) as Manifest;
      if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
        throw new AppError('INDEX_CORRUPT', `The index in ${indexDir} has format ${manifest.formatVersion}; this version reads ${INDEX_FORMAT_VERSION}. Run \`research-bot ingest\`.`);
      }
      const papers = JSON.parse(papersText) as Paper[];
      const chunks = JSON.parse(chunksText) as Chunk[];
      const lexical = LexicalIndex.fromJSON(JSON.parse(lexicalText) as SerializedLexicalIndex);
      let vectors: LocalIndex<VectorMetadata> | undefined;
      if (manifest.embedding) {
        // vectra pulls in gRPC and friends (~0.6 s to import): load it only for indexes with vectors.
        const { LocalIndex } = await import('vectra');
        vectors = new LocalIndex<VectorMetadata>(join(dir, 'vectors'));
        // vectra loads lazily; load now so the first query pays nothing and a broken file fails here.
        await vectors.listItems();
      }
      if (lexical.size !== chunks.length) throw new Error(`lexical index has ${lexical.size} docs for ${chunks.length} chunks`);
      return new IndexStore(dir, manifest, papers, chunks, lexical, vectors);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('INDEX_CORRUPT', `The index in ${indexDir} could not be read (${(err as Error).message.slice(0, 120)}). Run \`research-bot ingest\` to rebuild it.`, { cause: err });
    }
  }

  /** Refuse to mix query vectors from one model with an index built by another. */
  checkEmbeddingModel(model: string | undefined): void {
    const built = this.manifest.embedding;
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
        `The index was built with embedding model "${built.model}" (${built.dimensions} dimensions) but EMBEDDING_MODEL is "${model}". Re-run \`research-bot ingest\` to rebuild it.`,
      );
    }
  }

  checkQueryVector(vector: number[]): void {
    const dims = this.manifest.embedding?.dimensions;
    if (dims && vector.length !== dims) {
      throw new AppError(
        'INDEX_MODEL_MISMATCH',
        `The embedding endpoint returned ${vector.length}-dimension vectors but the index holds ${dims}-dimension vectors. Re-run \`research-bot ingest\`.`,
      );
    }
  }
}

export async function writeGenerationFiles(
  dir: string,
  data: { manifest: Manifest; papers: Paper[]; chunks: Chunk[]; lexical: LexicalIndex },
): Promise<void> {
  await writeFile(join(dir, 'papers.json'), JSON.stringify(data.papers));
  await writeFile(join(dir, 'chunks.json'), JSON.stringify(data.chunks));
  await writeFile(join(dir, 'lexical.json'), JSON.stringify(data.lexical.toJSON()));
  // The manifest goes last: a generation without one is incomplete by definition.
  await writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(data.manifest, null, 1));
}
