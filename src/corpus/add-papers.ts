/**
 * Adding paper files to the corpus (`/add-papers`, `research-bot add`). Every file is checked on
 * its own (type, size, UTF-8, at least one parsable paper); good ones are stored in the corpus
 * folder under a name derived from their content (so the same content is never stored twice and
 * nothing is overwritten), then one ingest makes the whole batch searchable. A file that is bad,
 * or already in the corpus, changes nothing. No Discord types here: both front ends call this.
 */
import { randomBytes, createHash } from 'node:crypto';
import { link, open, rm } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { AppError } from '../errors.js';
import type { IngestSummary } from '../index/ingest.js';
import { listCorpusFiles, parseCorpusFile, sha1File, sha1Of } from './load.js';
import { paperIdFor } from './normalize.js';
import type { Paper } from './types.js';

/** The most one file may hold (also bounded by MAX_CORPUS_FILE_MB, which the index reads with). */
export const ADD_MAX_FILE_BYTES = 10 * 1024 * 1024;
export const ADD_MAX_FILES = 5;
export const ADD_EXTENSIONS = ['.txt', '.md', '.jsonl', '.json'] as const;

/**
 * A file as received. Front ends read at most `limit + 1` bytes, so a longer file arrives one byte
 * over the limit and is refused without ever being held whole.
 */
export interface IncomingFile {
  name: string;
  bytes: Uint8Array;
  /** Why the file could not be received (a failed download): it is refused with this reason. */
  problem?: string;
}

export interface AddedFile {
  /** The name as given, reduced to a printable base name (never used as a path). */
  file: string;
  status: 'added' | 'duplicate' | 'rejected';
  /** Its name in the corpus folder: where it was stored, or the file that already holds this content. */
  storedAs?: string;
  /** Distinct papers read from it. */
  papers: number;
  /** Papers that were not in the index before. */
  new: number;
  /** Papers the index already had (or an earlier file of this batch brought): merged into those. */
  merged: number;
  /** Blocks or records of the file that were not read as papers, and why. */
  skipped: Array<{ line?: number; reason: string }>;
  /** Why it was refused, or which file already holds it. */
  reason?: string;
}

export interface AddPapersResult {
  files: AddedFile[];
  /** The ingest that made the added files searchable; absent when nothing was added. */
  ingest?: IngestSummary;
}

/** Runs one ingest of the corpus folder, calling `onPapers` with the papers of the new generation. */
export type IngestRun = (onPapers: (papers: readonly Paper[], createdAt: string) => void) => Promise<IngestSummary>;

export interface AddPapersOptions {
  corpusDir: string;
  files: IncomingFile[];
  /** Default ADD_MAX_FILE_BYTES. */
  maxFileBytes?: number;
}

/** The base name of what someone called the file, printable and short: for messages only. */
export function displayName(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .replace(/\p{C}+/gu, '')
    .trim()
    .slice(0, 100);
  return base || '(unnamed)';
}

/** The reason given for a file over the limit, wherever that is noticed. */
export function tooLargeReason(maxBytes = ADD_MAX_FILE_BYTES): string {
  return `file too large (over the ${Math.round((maxBytes / 1048576) * 10) / 10} MB limit)`;
}

interface Candidate {
  result: AddedFile;
  bytes: Buffer;
  sha1: string;
  /** Distinct paper ids, in file order. */
  ids: string[];
}

/** Check one file; a refused file comes back with status 'rejected' and the reason. */
function check(file: IncomingFile, maxBytes: number): Candidate | AddedFile {
  const shown = displayName(file.name);
  const rejected = (reason: string): AddedFile => ({ file: shown, status: 'rejected', papers: 0, new: 0, merged: 0, skipped: [], reason });
  if (file.problem) return rejected(file.problem);
  const ext = extname(shown).toLowerCase();
  if (!(ADD_EXTENSIONS as readonly string[]).includes(ext))
    return rejected(`unsupported file type "${ext || '(none)'}" (expected ${ADD_EXTENSIONS.join(', ')})`);
  if (file.bytes.length > maxBytes) return rejected(tooLargeReason(maxBytes));
  const bytes = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
  const storedAs = `added-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${ext}`;
  const { report, papers } = parseCorpusFile(storedAs, bytes, maxBytes);
  if (report.error) return rejected(report.error);
  const ids = [...new Set(papers.map((p) => paperIdFor(p.title)))];
  return {
    result: {
      file: shown,
      status: 'added',
      storedAs,
      papers: ids.length,
      new: 0,
      merged: 0,
      skipped: report.skipped.map((s) => (s.line === undefined ? { reason: s.reason } : { line: s.line, reason: s.reason })),
    },
    bytes,
    sha1: sha1Of(bytes),
    ids,
  };
}

/**
 * Write `bytes` as `name` in `dir` atomically and without replacing anything: a hidden temporary
 * file (the corpus reader skips dot files), synced, then hard-linked to its name, which fails if
 * the name exists. Returns false when it already existed.
 */
async function storeNew(dir: string, name: string, bytes: Buffer): Promise<boolean> {
  const target = join(dir, name);
  // The name is built from a hash and a fixed extension; this is the last line of defence.
  if (dirname(resolve(target)) !== resolve(dir) || name.startsWith('.')) throw new Error(`refusing to write outside the corpus: ${name}`);
  const tmp = join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await link(tmp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Check, store and ingest `files`; see the module comment. */
export async function addPapers(opts: AddPapersOptions, runIngest: IngestRun): Promise<AddPapersResult> {
  if (opts.files.length === 0) throw new AppError('USAGE', 'Give at least one file to add.');
  if (opts.files.length > ADD_MAX_FILES) throw new AppError('USAGE', `Give at most ${ADD_MAX_FILES} files at a time.`);
  const maxBytes = Math.min(opts.maxFileBytes ?? ADD_MAX_FILE_BYTES, ADD_MAX_FILE_BYTES);
  const checked = opts.files.map((f) => check(f, maxBytes));

  // Content already in the corpus, under any name (only files of the same size can match).
  const sizes = new Set(checked.flatMap((c) => ('bytes' in c ? [c.bytes.length] : [])));
  const existing = new Map<string, string>();
  for (const f of await listCorpusFiles(opts.corpusDir)) {
    if (f.skip || !sizes.has(f.size)) continue;
    const sha1 = await sha1File(f.path);
    if (sha1 && !existing.has(sha1)) existing.set(sha1, f.name);
  }

  const results: AddedFile[] = [];
  const toStore: Candidate[] = [];
  const batch = new Map<string, string>();
  for (const c of checked) {
    if (!('bytes' in c)) {
      results.push(c);
      continue;
    }
    const already = existing.get(c.sha1);
    const earlier = batch.get(c.sha1);
    if (already || earlier) {
      c.result.status = 'duplicate';
      c.result.storedAs = already ?? c.result.storedAs;
      c.result.reason = already ? `already in the corpus as ${already}` : `same content as ${earlier}, earlier in this batch`;
    } else {
      batch.set(c.sha1, c.result.file);
      toStore.push(c);
    }
    results.push(c.result);
  }

  const written: string[] = [];
  for (const c of toStore) {
    if (await storeNew(opts.corpusDir, c.result.storedAs!, c.bytes)) written.push(c.result.storedAs!);
    else {
      // Stored by someone else since the check above (another /add-papers of the same file).
      c.result.status = 'duplicate';
      c.result.reason = `already in the corpus as ${c.result.storedAs}`;
    }
  }
  if (!written.length) return { files: results };

  let firstSeen = new Map<string, string | undefined>();
  let createdAt = '';
  let ingest: IngestSummary;
  try {
    ingest = await runIngest((papers, at) => {
      firstSeen = new Map(papers.map((p) => [p.id, p.firstSeen]));
      createdAt = at;
    });
  } catch (err) {
    // The batch is all or nothing: files the index never took leave the corpus as it was.
    for (const name of written) await rm(join(opts.corpusDir, name), { force: true });
    throw err;
  }
  const claimed = new Set<string>();
  for (const c of toStore) {
    if (c.result.status !== 'added') continue;
    for (const id of c.ids) {
      if (firstSeen.get(id) === createdAt && !claimed.has(id)) {
        claimed.add(id);
        c.result.new++;
      } else c.result.merged++;
    }
  }
  return { files: results, ingest };
}

/** The result as lines of text, one per file, then one for the index (CLI output and the Discord reply). */
export function describeAddResult(r: AddPapersResult, esc: (text: string) => string = (t) => t): string[] {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const lines = r.files.map((f) => {
    const name = esc(f.file);
    if (f.status === 'rejected') return `${name}: not added: ${esc(f.reason ?? 'unreadable')}. Nothing changed.`;
    if (f.status === 'duplicate') return `${name}: nothing to do, ${esc(f.reason ?? 'already in the corpus')}.`;
    let line = `${name}: ${plural(f.papers, 'paper')}: ${f.new} new, ${f.merged} merged into papers already in the corpus (stored as ${esc(f.storedAs!)})`;
    if (f.skipped.length) {
      const shown = f.skipped.slice(0, 3).map((s) => `${s.line !== undefined ? `line ${s.line}: ` : ''}${esc(s.reason)}`);
      const more = f.skipped.length > 3 ? `; …and ${f.skipped.length - 3} more` : '';
      line += `; ${plural(f.skipped.length, 'block')} skipped (${shown.join('; ')}${more})`;
    }
    return `${line}.`;
  });
  lines.push(
    r.ingest
      ? `The index now holds ${plural(r.ingest.papers, 'paper')} (generation ${r.ingest.generation}).`
      : 'Nothing was added; the index is unchanged.',
  );
  return lines;
}
