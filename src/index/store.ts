/**
 * On-disk index layout. Each ingest writes a complete generation directory and then atomically
 * repoints CURRENT at it, so a reader (or a killed ingest) only ever sees a whole index:
 *
 *   <indexDir>/CURRENT              name of the live generation
 *   <indexDir>/gen-<stamp>/         manifest.json, papers.jsonl, chunks.json, lexical.json + lexical.bin,
 *                                   vectors/ (vectra LocalIndex, protobuf codec) + vectors.f32 (read path);
 *                                   the manifest records every other file's size and SHA-256
 *   <indexDir>/embeddings/<model>.jsonl  append-only embedding cache (resume without re-embedding)
 *   <indexDir>/.lock                held while an ingest runs
 */
import { createReadStream, existsSync } from 'node:fs';
import { readFile, rename, open, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { LocalIndex } from 'vectra';
import type { DocHit, PinnedGeneration, SearchStore } from './search-store.js';
import { DEFAULT_INT8_MIN_ROWS, VectorMatrix } from './vector-matrix.js';
import { checksumOf, FileDigest, type FileChecksum, writeAll } from './write-all.js';
import type { Paper } from '../corpus/types.js';
import { checkEmbeddingModel, checkQueryVector, type Manifest } from './manifest.js';
import { AppError } from '../errors.js';
import type { Chunk } from './chunk.js';
import type { LexicalIndex } from './lexical.js';
import { readLexicalFile } from './lexical-file.js';
import { AcronymMiner, acronymSource, rememberAcronyms } from './acronyms.js';
import { chunkOfAbstract, type PaperTextFile, readLazyPapers } from './paper-text.js';

export const INDEX_FORMAT_VERSION = 3;

/** The files every generation has (vectors.f32 and vectors/ only with embeddings). */
export const GENERATION_FILES = ['papers.jsonl', 'chunks.json', 'lexical.json', 'lexical.bin'] as const;

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
  try {
    const fh = await open(tmp, 'w');
    try {
      await writeAll(fh, Buffer.from(data, 'utf8'));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A full disk must not also keep the half-written copy that fills it.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw withPath(err, path);
  }
}

/** A file of the generation by its manifest name; a name that would leave the directory is damage. */
function generationFile(dir: string, name: string): string {
  if (isAbsolute(name) || name.split(/[\\/]/).includes('..'))
    throw new Error(`the manifest names a file outside its generation: ${name.slice(0, 60)}`);
  return join(dir, name);
}

/** fs errors from a FileHandle carry no path; the operator needs it to act on ENOSPC or EROFS. */
function withPath(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && e.code && !e.path) e.path = path;
  return err;
}

/**
 * Why the files of a generation do not match its manifest's checksums, or undefined when they do.
 * Reads every file once (streamed). Used by ingest before it declares an index up to date.
 */
export async function verifyGeneration(dir: string, manifest: Manifest): Promise<string | undefined> {
  const checksums = manifest.checksums;
  if (!checksums) return 'its manifest has no checksums (written by an older version)';
  for (const name of GENERATION_FILES) if (!checksums[name]) return `its manifest has no checksum for ${name}`;
  for (const [name, want] of Object.entries(checksums)) {
    const hash = new FileDigest();
    try {
      for await (const chunk of createReadStream(generationFile(dir, name))) hash.update(chunk as Buffer);
    } catch (err) {
      return `${name.slice(0, 60)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    const got = hash.result();
    if (got.size !== want.size) return `${name} is ${got.size} bytes, the manifest says ${want.size}`;
    if (got.sha256 !== want.sha256) return `${name} does not match its checksum`;
  }
  return undefined;
}

/**
 * Compare the files a load has already read with the manifest: sizes always (free), SHA-256 of
 * each buffer (about 0.3 s per 250 MB), and the size of any listed file that is not read.
 */
async function checkLoadedFiles(
  dir: string,
  checksums: Record<string, FileChecksum>,
  read: Record<string, Buffer | FileChecksum>,
): Promise<void> {
  for (const name of GENERATION_FILES) if (!checksums[name]) throw new Error(`the manifest has no checksum for ${name}`);
  for (const [name, want] of Object.entries(checksums)) {
    const got = read[name];
    const sum = Buffer.isBuffer(got) ? checksumOf(got) : got;
    const size = sum ? sum.size : await stat(generationFile(dir, name)).then((st) => st.size);
    if (size !== want.size) throw new Error(`${name} is ${size} bytes, the manifest says ${want.size}`);
    if (sum && sum.sha256 !== want.sha256) throw new Error(`${name} does not match its checksum`);
  }
}

export async function indexExists(indexDir: string): Promise<boolean> {
  const gen = await readCurrentGeneration(indexDir);
  return Boolean(gen && existsSync(join(indexDir, gen, 'manifest.json')));
}

/** The embedded backend: one generation directory under INDEX_DIR, held in memory. */
export class IndexStore implements SearchStore {
  readonly kind = 'vectra' as const;

  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    readonly papers: Paper[],
    readonly paperById: Map<string, Paper>,
    readonly chunks: Chunk[],
    readonly lexical: LexicalIndex,
    readonly vectors: VectorMatrix | undefined,
  ) {}

  get generation(): string {
    return this.manifest.generation;
  }

  get hasVectors(): boolean {
    return this.vectors !== undefined;
  }

  get termStats(): LexicalIndex {
    return this.lexical;
  }

  /** An IndexStore never changes generation (a new one is opened instead): it is its own pin. */
  async pin(): Promise<PinnedGeneration> {
    return this;
  }

  async lexicalSearch(terms: Map<string, number>, depth: number, signal?: AbortSignal): Promise<DocHit[]> {
    signal?.throwIfAborted();
    return this.lexical.topDocs(terms, depth);
  }

  async vectorSearch(vector: number[], depth: number, signal?: AbortSignal): Promise<DocHit[]> {
    signal?.throwIfAborted();
    if (!this.vectors) return [];
    return this.vectors.search(vector, depth).map((h) => ({ doc: this.vectors!.chunkOf[h.row], score: h.score }));
  }

  async close(): Promise<void> {
    // Papers read their abstracts from papers.jsonl (paper-text.ts): the file is released when
    // the last paper of this generation is collected, since a thread may still hold one.
  }

  latestGeneration(): Promise<string | undefined> {
    return readCurrentGeneration(dirname(this.dir));
  }

  /** int8MinRows: vector rows from which searches use the int8 shortlist (VECTOR_INT8_MIN_ROWS). */
  static async open(indexDir: string, opts: { int8MinRows?: number } = {}): Promise<IndexStore> {
    const gen = await readCurrentGeneration(indexDir);
    if (!gen) throw new AppError('INDEX_MISSING', `No index in ${indexDir}. Run \`research-bot ingest\` first.`);
    const dir = join(indexDir, gen);
    let text: PaperTextFile | undefined;
    const acronyms = new AcronymMiner();
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
        throw new AppError(
          'INDEX_CORRUPT',
          `The index in ${indexDir} has format ${manifest.formatVersion}; this version reads ${INDEX_FORMAT_VERSION}. Run \`research-bot ingest\`.`,
        );
      }
      const [papersRead, chunksBuf, [lexicalHead, lexicalRead]] = await Promise.all([
        readLazyPapers(join(dir, 'papers.jsonl'), (p) => acronyms.add(acronymSource(p))).then((r) => {
          text = r.text;
          return r;
        }),
        readFile(join(dir, 'chunks.json')),
        readFile(join(dir, 'lexical.json')).then(async (head) => [head, await readLexicalFile(join(dir, 'lexical.bin'), head)] as const),
      ]);
      const f32Path = join(dir, 'vectors.f32');
      const f32 = manifest.embedding && existsSync(f32Path) ? await readFile(f32Path) : undefined;
      if (manifest.checksums) {
        const read = {
          'papers.jsonl': papersRead.checksum,
          'chunks.json': chunksBuf,
          'lexical.json': lexicalHead,
          'lexical.bin': lexicalRead.checksum,
        };
        await checkLoadedFiles(dir, manifest.checksums, f32 ? { ...read, 'vectors.f32': f32 } : read);
      }
      // A damaged file reports its checksum first (above), its parse error only when it has none.
      if (papersRead.error) throw papersRead.error;
      if (lexicalRead.error) throw lexicalRead.error;
      const papers = papersRead.papers;
      rememberAcronyms(papers, acronyms.table());
      const byId = new Map<string, Paper>();
      for (const p of papers) byId.set(p.id, p);
      const chunks = (JSON.parse(chunksBuf.toString('utf8')) as StoredChunk[]).map((c) => inflateChunk(c, byId));
      const lexical = lexicalRead.index!;
      let vectors: VectorMatrix | undefined;
      if (manifest.embedding) {
        vectors = f32 ? VectorMatrix.fromBuffer(f32) : await matrixFromVectra(join(dir, 'vectors'), manifest.embedding.dimensions);
        if (vectors.count !== chunks.length) throw new Error(`vector index has ${vectors.count} items for ${chunks.length} chunks`);
        if (vectors.chunkOf.some((c) => c >= chunks.length)) throw new Error('vector index names a chunk that does not exist');
        vectors.useQuantisedScan(opts.int8MinRows ?? DEFAULT_INT8_MIN_ROWS);
      }
      if (lexical.size !== chunks.length) throw new Error(`lexical index has ${lexical.size} docs for ${chunks.length} chunks`);
      return new IndexStore(dir, manifest, papers, byId, chunks, lexical, vectors);
    } catch (err) {
      text?.close();
      if (err instanceof AppError) throw err;
      throw new AppError(
        'INDEX_CORRUPT',
        `The index in ${indexDir} could not be read (${(err as Error).message.slice(0, 120)}). Run \`research-bot ingest\` to rebuild it.`,
        { cause: err },
      );
    }
  }

  checkEmbeddingModel(model: string | undefined): void {
    checkEmbeddingModel(this.manifest, model);
  }

  checkQueryVector(vector: number[]): void {
    checkQueryVector(this.manifest, vector);
  }
}

/** Chunks on disk omit title and sources (the paper has them) and text equal to the abstract. */
type StoredChunk = Omit<Chunk, 'title' | 'sources' | 'text'> & { text?: string };

function deflateChunk(c: Chunk, paper: Paper | undefined): StoredChunk {
  const { title: _t, sources: _s, text, ...rest } = c;
  return paper && paper.abstract === text ? rest : { ...rest, text };
}

function inflateChunk(c: StoredChunk, byId: Map<string, Paper>): Chunk {
  const paper = byId.get(c.paperId);
  if (!paper) throw new Error(`chunk ${c.id} names unknown paper ${c.paperId}`);
  // Built field by field, in the order a spread of `c` gave: the parsed chunk and a spread copy of
  // it were garbage the load left in the old generation (peak RSS at 100k papers), and `paperId`
  // is the paper's own string rather than a parsed copy of it.
  const { id, position, text } = c;
  if (text === undefined) return chunkOfAbstract({ id, paperId: paper.id, position, title: paper.title, sources: paper.sources }, paper);
  return { id, paperId: paper.id, position, text, title: paper.title, sources: paper.sources };
}

/**
 * vectra with its protobuf codec: packed float32 vectors. Its default JSON codec cannot hold
 * 100k x 384 vectors at all (the file exceeds V8's maximum string length).
 */
export async function openVectorIndex(folder: string, load: boolean): Promise<LocalIndex<VectorMetadata>> {
  // vectra pulls in gRPC and friends (~0.6 s to import): load it only for indexes with vectors.
  const { LocalIndex, ProtobufCodec } = await import('vectra');
  const index = new LocalIndex<VectorMetadata>(folder, undefined, undefined, new ProtobufCodec());
  // vectra loads lazily; load now so the first query pays nothing and a broken file fails here.
  if (load) await index.listItems();
  return index;
}

/** Rebuild the matrix from the vectra index itself (slower, more memory): used when vectors.f32 is absent. */
export async function matrixFromVectra(folder: string, dims: number): Promise<VectorMatrix> {
  const vindex = await openVectorIndex(folder, false);
  const items = await vindex.listItems();
  return VectorMatrix.fromRows(
    items.map((it) => ({ vector: it.vector, chunk: it.metadata.chunk })),
    dims,
  );
}

/** Write `render(item)` for every item, then `tail`, about 1 MB per write; returns the file's checksum. */
async function writeJoined<T>(path: string, items: readonly T[], render: (item: T, i: number) => string, tail = ''): Promise<FileChecksum> {
  const digest = new FileDigest();
  const fh = await open(path, 'w');
  try {
    let parts: string[] = [];
    let size = 0;
    for (let i = 0; i < items.length; i++) {
      const part = render(items[i], i);
      parts.push(part);
      size += part.length;
      if (size >= 1 << 20) {
        await writeAll(fh, Buffer.from(parts.join(''), 'utf8'), digest);
        parts = [];
        size = 0;
      }
    }
    parts.push(tail);
    await writeAll(fh, Buffer.from(parts.join(''), 'utf8'), digest);
  } catch (err) {
    throw withPath(err, path);
  } finally {
    await fh.close();
  }
  return digest.result();
}

async function writeBytes(path: string, bytes: Uint8Array): Promise<FileChecksum> {
  const digest = new FileDigest();
  const fh = await open(path, 'w');
  try {
    await writeAll(fh, bytes, digest);
  } catch (err) {
    throw withPath(err, path);
  } finally {
    await fh.close();
  }
  return digest.result();
}

/**
 * The generation's own files, then its manifest with the checksums of those and of `written`
 * (files the caller already wrote into `dir`, such as the vectors).
 */
export async function writeGenerationFiles(
  dir: string,
  data: { manifest: Manifest; papers: Paper[]; chunks: Chunk[]; lexical: LexicalIndex },
  written: Record<string, FileChecksum> = {},
): Promise<void> {
  const checksums: Record<string, FileChecksum> = { ...written };
  // JSON lines: read back line by line, so loading never holds the whole file as one string.
  // Both written in batches: one joined string of 100k papers is hundreds of MB at ingest's peak.
  checksums['papers.jsonl'] = await writeJoined(join(dir, 'papers.jsonl'), data.papers, (p) => `${JSON.stringify(p)}\n`);
  const byId = new Map(data.papers.map((p) => [p.id, p]));
  // The same bytes as JSON.stringify(array): '[' + elements joined by ',' + ']'.
  checksums['chunks.json'] = await writeJoined(
    join(dir, 'chunks.json'),
    data.chunks,
    (c, i) => (i === 0 ? '[' : ',') + JSON.stringify(deflateChunk(c, byId.get(c.paperId))),
    data.chunks.length ? ']' : '[]',
  );
  const { header, body } = data.lexical.serialize();
  checksums['lexical.json'] = await writeBytes(join(dir, 'lexical.json'), Buffer.from(JSON.stringify(header), 'utf8'));
  checksums['lexical.bin'] = await writeBytes(join(dir, 'lexical.bin'), body);
  // The manifest goes last: a generation without one is incomplete by definition.
  await writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify({ ...data.manifest, checksums }, null, 1));
}
