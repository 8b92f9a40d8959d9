/**
 * Paper abstracts of a loaded generation stay in its papers.jsonl and are read back by byte
 * offset when something asks for them: at 100k papers the abstracts are ~120 MB of JS strings
 * that a search never touches (it needs ids, titles and the index), while an answer reads a few
 * dozen. Papers and chunks keep their plain shape: `abstract` (and an abstract-sized chunk's
 * `text`) is an own, enumerable accessor, so JSON.stringify, spreads, structured clones and deep
 * equality see the same object as before.
 *
 * The file stays open (one descriptor) for as long as any of its papers can be reached, not just
 * until the store is closed: a generation that a newer ingest deletes while this process still
 * serves it, or a paper a thread or button kept from it, keeps its text (an unlinked file stays
 * readable through an open descriptor). The descriptor is closed when the papers are collected.
 */
import { closeSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Paper } from '../corpus/types.js';
import { AppError } from '../errors.js';
import type { Chunk } from './chunk.js';
import { FileDigest, type FileChecksum } from './write-all.js';

/** Line number of a paper in its papers.jsonl (not enumerable: invisible to JSON and spreads). */
const LINE = Symbol('paperLine');
/** The paper whose abstract a chunk's text is. */
const PAPER = Symbol('chunkPaper');

/** Abstracts kept parsed: an answer reads each of its papers' abstracts several times. */
const CACHE_SIZE = 256;
/** Bytes of papers.jsonl read at a time while loading. */
const READ_PIECE = 1 << 20;

const readInto = promisify(read);
/** Read up to `length` bytes at `position` into `buf` at `offset`; how many were read (0 at the end). */
async function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return (await readInto(fd, buf, offset, length, position)).bytesRead;
}

/** Bytes read ahead when lines are read in order (a scan of every abstract, such as the acronym table). */
const READ_AHEAD = 1 << 20;

const closeFd = new FinalizationRegistry<{ fd?: number }>((h) => {
  if (h.fd !== undefined) closeSync(h.fd);
});

export class PaperTextFile {
  private readonly handle: { fd?: number };
  private readonly cache = new Map<number, string>();
  private block?: { start: number; bytes: Buffer };
  private lastLine = -2;

  constructor(
    readonly path: string,
    fd: number,
    /** Byte offset and length (without the newline) of each paper's line. */
    private readonly starts: Float64Array,
    private readonly lengths: Uint32Array,
  ) {
    this.handle = { fd };
    closeFd.register(this, this.handle, this);
  }

  get lines(): number {
    return this.starts.length;
  }

  /** The abstract on line `line`, read from the file (or the small cache of recent ones). */
  abstractOf(line: number): string {
    const hit = this.cache.get(line);
    if (hit !== undefined) {
      this.cache.delete(line);
      this.cache.set(line, hit);
      return hit;
    }
    const text = this.parse(line).abstract;
    if (typeof text !== 'string') throw this.damaged(`line ${line + 1} has no abstract`);
    this.cache.set(line, text);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number);
    return text;
  }

  private parse(line: number): Paper {
    const bytes = this.lineBytes(line);
    try {
      return JSON.parse(bytes.toString('utf8')) as Paper;
    } catch (err) {
      throw this.damaged(`line ${line + 1} no longer parses`, err);
    }
  }

  private lineBytes(line: number): Buffer {
    if (this.handle.fd === undefined) throw new AppError('INTERNAL', undefined, { detail: { reason: `${this.path} was closed` } });
    const start = this.starts[line];
    const length = this.lengths[line];
    const b = this.block;
    if (b && start >= b.start && start + length <= b.start + b.bytes.length) {
      this.lastLine = line;
      return b.bytes.subarray(start - b.start, start - b.start + length);
    }
    const sequential = line === this.lastLine + 1;
    this.lastLine = line;
    const size = sequential ? Math.max(length, READ_AHEAD) : length;
    const bytes = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(this.handle.fd, bytes, got, size - got, start + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) throw this.damaged(`line ${line + 1} is cut short`);
    if (sequential) this.block = { start, bytes: bytes.subarray(0, got) };
    return bytes.subarray(0, length);
  }

  private damaged(what: string, cause?: unknown): AppError {
    return new AppError(
      'INDEX_CORRUPT',
      `The index file ${this.path} changed after it was loaded (${what}). Run \`research-bot ingest\`.`,
      {
        cause,
      },
    );
  }

  /** Release the descriptor now (a load that failed; otherwise it goes with the papers); later reads fail. */
  close(): void {
    const fd = this.handle.fd;
    this.handle.fd = undefined;
    this.cache.clear();
    this.block = undefined;
    closeFd.unregister(this);
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Parse papers.jsonl as it streams in (1 MiB at a time) into papers whose abstracts are read back
 * from the file on access, with the file's checksum. A line that does not parse stops the parsing,
 * not the reading, so the checksum still covers the whole file and a damaged file is reported as
 * such.
 */
export async function readLazyPapers(
  path: string,
  /** Called with each paper as parsed, abstract included (the one moment it is in memory anyway). */
  onPaper?: (paper: Paper) => void,
  /** Bytes read at a time (the buffer grows for a longer line). */
  pieceBytes = READ_PIECE,
): Promise<{ papers: Paper[]; text: PaperTextFile; checksum: FileChecksum; error?: Error }> {
  const fd = openSync(path, 'r');
  try {
    const papers: Paper[] = [];
    let starts = new Float64Array(1024);
    let lengths = new Uint32Array(1024);
    const digest = new FileDigest();
    let error: Error | undefined;
    let text: PaperTextFile | undefined;
    // Most papers come from one of a few corpus files and have no links: one array each, not one a
    // paper (store papers are read-only).
    const arrays = new Map<string, unknown>();
    const shared = (value: unknown) => {
      if (!Array.isArray(value) || value.length > 1) return value;
      const key = JSON.stringify(value);
      const seen = arrays.get(key);
      if (seen) return seen;
      arrays.set(key, value);
      return value;
    };
    // The times papers entered the index and their dates repeat across papers (one time per ingest that added some):
    // one string each, not one a paper (4 MB at 100k papers).
    const strings = new Map<string, string>();
    const sharedString = (value: unknown) => {
      if (typeof value !== 'string') return value;
      const seen = strings.get(value);
      if (seen !== undefined) return seen;
      strings.set(value, value);
      return value;
    };
    const abstract: PropertyDescriptor = {
      get(this: Paper & { [LINE]: number }) {
        return text!.abstractOf(this[LINE]);
      },
      set(this: Paper, value: string) {
        Object.defineProperty(this, 'abstract', { value, writable: true, enumerable: true, configurable: true });
      },
      enumerable: true,
      configurable: true,
    };
    const parseLine = (buf: Buffer, start: number, end: number, fileOffset: number) => {
      if (error || end <= start) return;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(buf.toString('utf8', start, end)) as Record<string, unknown>;
        if (typeof parsed.abstract !== 'string') throw new Error(`papers.jsonl line ${papers.length + 1} has no abstract`);
      } catch (err) {
        error = err as Error;
        return;
      }
      onPaper?.(parsed as unknown as Paper);
      const line = papers.length;
      if (line === starts.length) {
        const s = new Float64Array(line * 2);
        s.set(starts);
        starts = s;
        const l = new Uint32Array(line * 2);
        l.set(lengths);
        lengths = l;
      }
      starts[line] = fileOffset;
      lengths[line] = end - start;
      // A new object in the parsed key order (deleting a key would leave a slower, larger object).
      const paper: Record<string | symbol, unknown> = {};
      for (const key in parsed) {
        if (key === 'abstract') Object.defineProperty(paper, 'abstract', abstract);
        else if (key === 'sources' || key === 'links') paper[key] = shared(parsed[key]);
        else if (key === 'firstSeen' || key === 'date') paper[key] = sharedString(parsed[key]);
        else paper[key] = parsed[key];
      }
      Object.defineProperty(paper, LINE, { value: line });
      papers.push(paper as unknown as Paper);
    };
    // One buffer, read into again and again: a fresh 1 MiB buffer per read (a read stream's), freed by the collector
    // later, raised glibc's mmap threshold and left its heap fragmented: 12 MB more peak RSS at 100k papers (mean of 20).
    let buf = Buffer.allocUnsafe(Math.max(1, pieceBytes));
    // buf[0, held) is a partial line carried over from the last read, which starts at file offset `base`.
    let held = 0;
    let base = 0;
    for (;;) {
      if (held === buf.length) {
        // A line longer than the buffer: room for it (rare; an abstract of a megabyte).
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, held);
        buf = bigger;
      }
      const n = await readAt(fd, buf, held, buf.length - held, base + held);
      if (n === 0) break;
      digest.update(buf.subarray(held, held + n));
      const filled = held + n;
      let start = 0;
      for (let end = buf.indexOf(10, held); end !== -1 && end < filled; end = buf.indexOf(10, start)) {
        parseLine(buf, start, end, base + start);
        start = end + 1;
      }
      buf.copy(buf, 0, start, filled);
      held = filled - start;
      base += start;
    }
    if (held > 0) parseLine(buf, 0, held, base);
    text = new PaperTextFile(path, fd, starts.slice(0, papers.length), lengths.slice(0, papers.length));
    return { papers, text, checksum: digest.result(), error };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

const CHUNK_TEXT: PropertyDescriptor = {
  get(this: { [PAPER]: Paper }) {
    return this[PAPER].abstract;
  },
  set(this: Chunk, value: string) {
    Object.defineProperty(this, 'text', { value, writable: true, enumerable: true, configurable: true });
  },
  enumerable: true,
  configurable: true,
};

/**
 * A chunk whose text is its paper's whole abstract (the `abstract` chunk strategy): the text is
 * read through the paper, so the abstract is never held twice, or at all until asked for.
 * `fields` becomes the chunk (not copied: a load makes one per paper, and each copy was garbage).
 */
export function chunkOfAbstract(fields: Omit<Chunk, 'text'>, paper: Paper): Chunk {
  const chunk = fields as Record<string | symbol, unknown>;
  Object.defineProperty(chunk, 'text', CHUNK_TEXT);
  Object.defineProperty(chunk, PAPER, { value: paper });
  return chunk as unknown as Chunk;
}
