/** Reads a corpus folder: every supported file is parsed, papers are merged across files. */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { AppError } from '../errors.js';
import { parseDailyPapersText, type RawPaper } from './daily-papers.js';
import { paperIdFor, titleKey } from './normalize.js';
import { parseJson, parseJsonl, type StructuredPaper } from './structured.js';
import type { CorpusReport, FileReport, Paper, ParsedCorpus } from './types.js';

const TEXT_EXT = new Set(['.txt', '.md', '.text']);

export interface CorpusFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  /** Why this entry is not read (a broken or looping symbolic link...); reported like an unreadable file. */
  skip?: string;
}

/** A corpus file as read: its content hash is of exactly the bytes that were parsed. */
export interface ReadCorpusFile extends CorpusFile {
  /** sha1 of the content; '' when the file could not be read. */
  sha1: string;
}

export function sha1Of(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** sha1 of a file without holding it in memory (files over the size limit are hashed, not parsed); '' if unreadable. */
export async function sha1File(path: string): Promise<string> {
  const hash = createHash('sha1');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return '';
  }
  return hash.digest('hex');
}

function symlinkProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'broken symbolic link (its target does not exist; e.g. `git annex get` or `dvc pull` it)';
  if (code === 'ELOOP') return 'symbolic link loop';
  return `unreadable symbolic link (${code ?? (err as Error).message})`;
}

/**
 * Every non-hidden file under `dir`, by relative path. Symbolic links are followed (git-annex and
 * DVC check corpora out as links), folders included; a folder is read once however many links
 * lead to it, which also ends link loops. Links that lead nowhere are listed with `skip` set.
 */
export async function listCorpusFiles(dir: string): Promise<CorpusFile[]> {
  let root: Stats;
  try {
    root = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('CORPUS_NOT_FOUND', `The corpus folder ${dir} does not exist.`, { cause: err });
    }
    throw err;
  }
  const files: CorpusFile[] = [];
  const seenDirs = new Set([`${root.dev}:${root.ino}`]);
  const walk = async (folder: string): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const path = join(folder, e.name);
      const name = relative(dir, path).split('\\').join('/');
      if (!e.isFile() && !e.isDirectory() && !e.isSymbolicLink()) continue; // sockets, fifos, devices
      let st: Stats;
      try {
        st = await stat(path);
      } catch (err) {
        files.push({ name, path, size: 0, mtimeMs: 0, skip: symlinkProblem(err) });
        continue;
      }
      if (st.isFile()) files.push({ name, path, size: st.size, mtimeMs: st.mtimeMs });
      else if (st.isDirectory()) {
        const key = `${st.dev}:${st.ino}`;
        if (!seenDirs.has(key)) {
          seenDirs.add(key);
          await walk(path);
        } else if (e.isSymbolicLink()) {
          files.push({ name, path, size: 0, mtimeMs: 0, skip: 'symbolic link to a folder that is already read (not followed again)' });
        }
      } else if (e.isSymbolicLink()) {
        files.push({ name, path, size: 0, mtimeMs: 0, skip: 'symbolic link to something that is not a file or folder' });
      }
    }
  };
  await walk(dir);
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

/** Decode bytes as UTF-8 text or say why not. */
export function decodeText(buf: Buffer): { text: string } | { error: string } {
  if (buf.length === 0) return { error: 'empty file' };
  const head = buf.subarray(0, Math.min(buf.length, 8192));
  if (head.includes(0)) return { error: 'binary file (contains NUL bytes)' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return { error: 'not valid UTF-8 text (re-save the file as UTF-8)' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) return { error: 'empty file (only whitespace)' };
  return { text };
}

export function parseCorpusFile(
  name: string,
  buf: Buffer,
  maxBytes = Infinity,
): { report: FileReport; papers: Array<RawPaper | StructuredPaper> } {
  const ext = extname(name).toLowerCase();
  const format: FileReport['format'] = TEXT_EXT.has(ext)
    ? 'daily-papers-text'
    : ext === '.jsonl' || ext === '.ndjson'
      ? 'jsonl'
      : ext === '.json'
        ? 'json'
        : 'unsupported';
  const report: FileReport = { file: name, format, blocks: 0, papers: 0, skipped: [] };
  if (format === 'unsupported') {
    report.error = `unsupported file type "${ext || '(none)'}" (expected .txt, .md, .jsonl or .json)`;
    return { report, papers: [] };
  }
  if (buf.length > maxBytes) {
    report.error = `file too large (${(buf.length / 1048576).toFixed(1)} MB > ${(maxBytes / 1048576).toFixed(0)} MB limit, MAX_CORPUS_FILE_MB)`;
    return { report, papers: [] };
  }
  const decoded = decodeText(buf);
  if ('error' in decoded) {
    report.error = decoded.error;
    return { report, papers: [] };
  }
  let result: { papers: Array<RawPaper | StructuredPaper>; blocks: number; skipped: FileReport['skipped'] };
  try {
    result =
      format === 'jsonl'
        ? parseJsonl(decoded.text, name)
        : format === 'json'
          ? parseJson(decoded.text, name)
          : parseDailyPapersText(decoded.text, name);
  } catch (err) {
    report.error = `could not parse: ${(err as Error).message.slice(0, 200)}`;
    return { report, papers: [] };
  }
  report.blocks = result.blocks;
  report.papers = result.papers.length;
  report.skipped = result.skipped;
  if (result.papers.length === 0 && !report.error) report.error = 'no papers found in this file';
  return { report, papers: result.papers };
}

/** Merge raw papers from many files into unique papers keyed by normalised title. */
export function mergePapers(items: Array<{ file: string; paper: RawPaper | StructuredPaper }>): {
  papers: Paper[];
  duplicatesMerged: number;
} {
  const byKey = new Map<string, Paper>();
  let duplicatesMerged = 0;
  for (const { file, paper } of items) {
    const key = titleKey(paper.title);
    const existing = byKey.get(key);
    const sp = paper as StructuredPaper;
    if (!existing) {
      byKey.set(key, {
        id: paperIdFor(paper.title),
        title: paper.title,
        abstract: paper.abstract,
        authorsCount: paper.authorsCount,
        authors: sp.authors,
        date: paper.date,
        upvotes: paper.upvotes,
        url: sp.url,
        links: [...paper.links],
        sources: [file],
      });
      continue;
    }
    duplicatesMerged++;
    // Different dumps of the same page can truncate differently: keep the fullest abstract.
    if (paper.abstract.length > existing.abstract.length) existing.abstract = paper.abstract;
    existing.authorsCount ??= paper.authorsCount;
    existing.authors ??= sp.authors;
    existing.date ??= paper.date;
    existing.upvotes = Math.max(existing.upvotes ?? 0, paper.upvotes ?? 0) || existing.upvotes;
    existing.url ??= sp.url;
    for (const l of paper.links) if (!existing.links.includes(l)) existing.links.push(l);
    if (!existing.sources.includes(file)) existing.sources.push(file);
  }
  return { papers: [...byKey.values()], duplicatesMerged };
}

export async function loadCorpus(dir: string, opts: { maxFileBytes?: number } = {}): Promise<ParsedCorpus & { files: ReadCorpusFile[] }> {
  const listed = await listCorpusFiles(dir);
  const files: ReadCorpusFile[] = [];
  const reports: FileReport[] = [];
  const items: Array<{ file: string; paper: RawPaper | StructuredPaper }> = [];
  for (const f of listed) {
    if (f.skip) {
      files.push({ ...f, sha1: '' });
      reports.push({ file: f.name, format: 'unsupported', blocks: 0, papers: 0, skipped: [], error: f.skip });
      continue;
    }
    const tooLarge = f.size > (opts.maxFileBytes ?? Infinity);
    let buf: Buffer;
    try {
      buf = tooLarge ? Buffer.alloc(0) : await readFile(f.path);
    } catch (err) {
      files.push({ ...f, sha1: '' });
      reports.push({
        file: f.name,
        format: 'unsupported',
        blocks: 0,
        papers: 0,
        skipped: [],
        error: `unreadable: ${(err as Error).message}`,
      });
      continue;
    }
    files.push({ ...f, sha1: tooLarge ? await sha1File(f.path) : sha1Of(buf) });
    const { report, papers } = tooLarge
      ? parseCorpusFile(f.name, Buffer.alloc(f.size > 0 ? 1 : 0), 0)
      : parseCorpusFile(f.name, buf, opts.maxFileBytes);
    if (tooLarge) {
      report.error = `file too large (${(f.size / 1048576).toFixed(1)} MB > ${((opts.maxFileBytes ?? 0) / 1048576).toFixed(0)} MB limit, MAX_CORPUS_FILE_MB)`;
    }
    reports.push(report);
    for (const p of papers) items.push({ file: f.name, paper: p });
  }
  const { papers, duplicatesMerged } = mergePapers(items);
  const report: CorpusReport = {
    files: reports,
    blocks: reports.reduce((n, r) => n + r.blocks, 0),
    papers: papers.length,
    duplicatesMerged,
    skipped: reports.flatMap((r) => (r.error ? [{ file: r.file, reason: r.error }, ...r.skipped] : r.skipped)),
  };
  return { papers, report, files };
}
