/** `.jsonl` / `.json` paper records: {title, abstract, authors?, date?, url?}. */
import { z } from 'zod';
import { cleanText, extractLinks, toIsoDate } from './normalize.js';
import type { RawPaper } from './daily-papers.js';
import type { SkippedItem } from './types.js';

const recordSchema = z.object({
  title: z.string().trim().min(1, 'title is empty').max(1000, 'title is longer than 1000 characters'),
  abstract: z.string().trim().min(1, 'abstract is empty'),
  authors: z
    .union([z.array(z.string()), z.string(), z.number().int().nonnegative()])
    .optional()
    .nullable(),
  date: z.union([z.string(), z.number()]).optional().nullable(),
  url: z.string().optional().nullable(),
});

export type StructuredPaper = RawPaper & { authors?: string[]; url?: string };

function toPaper(value: unknown, line: number): StructuredPaper | string {
  const r = recordSchema.safeParse(value);
  if (!r.success) return r.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ');
  const v = r.data;
  const abstract = v.abstract
    .split(/\n\s*\n/)
    .map(cleanText)
    .filter(Boolean)
    .join('\n\n');
  const authors = Array.isArray(v.authors)
    ? v.authors.map(cleanText).filter(Boolean)
    : typeof v.authors === 'string'
      ? v.authors
          .split(/,| and /)
          .map(cleanText)
          .filter(Boolean)
      : undefined;
  let date: string | undefined;
  if (typeof v.date === 'string') date = toIsoDate(v.date);
  else if (typeof v.date === 'number' && v.date > 1900 && v.date < 2200) date = `${v.date}-01-01`;
  const url = v.url && /^https?:\/\//i.test(v.url) ? v.url.trim() : undefined;
  const links = extractLinks(abstract);
  return {
    title: cleanText(v.title),
    abstract,
    authors,
    authorsCount: typeof v.authors === 'number' ? v.authors : authors?.length,
    date,
    url,
    links: url && !links.includes(url) ? [url, ...links] : links,
    line,
  };
}

export function parseJsonl(text: string, file: string): { papers: StructuredPaper[]; blocks: number; skipped: SkippedItem[] } {
  const papers: StructuredPaper[] = [];
  const skipped: SkippedItem[] = [];
  let blocks = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    blocks++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      skipped.push({ file, line: i + 1, reason: `invalid JSON (${(err as Error).message.slice(0, 80)})` });
      return;
    }
    const p = toPaper(value, i + 1);
    if (typeof p === 'string') skipped.push({ file, line: i + 1, reason: p });
    else papers.push(p);
  });
  return { papers, blocks, skipped };
}

export function parseJson(text: string, file: string): { papers: StructuredPaper[]; blocks: number; skipped: SkippedItem[] } {
  const value: unknown = JSON.parse(text);
  const list = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray((value as { papers?: unknown }).papers)
      ? (value as { papers: unknown[] }).papers
      : undefined;
  if (!list) throw new Error('expected an array of papers or an object with a "papers" array');
  const papers: StructuredPaper[] = [];
  const skipped: SkippedItem[] = [];
  list.forEach((item, i) => {
    const p = toPaper(item, i + 1);
    // For .json files "line" is the 1-based record number.
    if (typeof p === 'string') skipped.push({ file, line: i + 1, reason: `record ${i + 1}: ${p}` });
    else papers.push(p);
  });
  return { papers, blocks: list.length, skipped };
}
