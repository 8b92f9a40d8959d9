/**
 * Parser for raw text dumps of Hugging Face "Daily Papers" pages. Layouts seen in the wild:
 * blank-line separated title/abstract blocks; title and abstract on alternating lines; blocks
 * followed by metadata lines (`  • 3 authors`, `·`, `Sep 11, 2023 4`); page chrome, sometimes
 * glued to the first title (`SubscribeMT-Ladder: ...`).
 */
import { cleanText, extractLinks, toIsoDate } from './normalize.js';
import type { SkippedItem } from './types.js';

export interface RawPaper {
  title: string;
  abstract: string;
  authorsCount?: number;
  date?: string;
  upvotes?: number;
  links: string[];
  line: number;
}

const CHROME_LINES = new Set(
  [
    'new',
    'Get trending papers in your email inbox once a day!',
    'Get trending papers in your email inbox!',
    'Subscribe',
    'Daily Papers',
    'byAK and the research community',
    'Trending Papers',
    'Submit',
  ].map((s) => s.toLowerCase()),
);
// Chrome that a dump may glue to the following title, longest first.
const GLUED_PREFIXES = [
  'Get trending papers in your email inbox once a day!',
  'Get trending papers in your email inbox!',
  'byAK and the research community',
  'Daily Papers',
  'Subscribe',
];
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\\.?';
const PAGE_DATE_RE = new RegExp(`^${MONTH} \\d{1,2}$`, 'i');
// A paper's own date, with or without a year, optionally followed by its upvote count.
const PAPER_DATE_RE = new RegExp(`^(${MONTH} \\d{1,2}(?:, \\d{4})?)(?:,?\\s+(\\d+))?$`, 'i');
const AUTHORS_RE = /^[•·*-]?\s*(\d+)\s+authors?$/i;
const SEPARATOR_RE = /^[·•|\-–—*]+$/;

function stripGluedChrome(line: string): string {
  let out = line;
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of GLUED_PREFIXES) {
      if (out.length > p.length && out.startsWith(p) && /^[\p{Lu}\p{N}"'([]/u.test(out.slice(p.length).trimStart())) {
        out = out.slice(p.length).trimStart();
        changed = true;
      }
    }
  }
  return out;
}

/** Titles are short single lines that do not end like a sentence. */
function isTitleLike(line: string): boolean {
  if (line.length > 300) return false;
  // Titles never carry a URL; a short "Code: https://..." paragraph belongs to the abstract.
  if (/\bhttps?:\/\//i.test(line)) return false;
  if (line.split(/\s+/).length > 45) return false;
  if (/[.;,]$/.test(line) && !/\b(?:et al|vs|etc|Inc|Ltd)\.$/.test(line)) return false;
  // Two or more full sentences means prose, not a title.
  if ((line.match(/[a-z0-9)][.!?]\s+[A-Z]/g) ?? []).length >= 2) return false;
  return true;
}

type LineKind =
  | { kind: 'blank' }
  | { kind: 'chrome' }
  | { kind: 'authors'; count: number }
  | { kind: 'date'; iso?: string; upvotes?: number }
  | { kind: 'upvotes'; count: number }
  | { kind: 'text'; text: string };

function classify(raw: string): LineKind {
  const line = cleanText(raw);
  if (!line) return { kind: 'blank' };
  if (CHROME_LINES.has(line.toLowerCase())) return { kind: 'chrome' };
  if (SEPARATOR_RE.test(line)) return { kind: 'chrome' };
  if (PAGE_DATE_RE.test(line)) return { kind: 'chrome' };
  const a = AUTHORS_RE.exec(line);
  if (a) return { kind: 'authors', count: Number(a[1]) };
  const d = PAPER_DATE_RE.exec(line);
  if (d) return { kind: 'date', iso: toIsoDate(d[1]), upvotes: d[2] ? Number(d[2]) : undefined };
  if (/^\d{1,6}$/.test(line)) return { kind: 'upvotes', count: Number(line) };
  const text = stripGluedChrome(line);
  if (CHROME_LINES.has(text.toLowerCase())) return { kind: 'chrome' };
  return { kind: 'text', text };
}

export function parseDailyPapersText(text: string, file: string): { papers: RawPaper[]; blocks: number; skipped: SkippedItem[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const papers: RawPaper[] = [];
  const skipped: SkippedItem[] = [];
  let blocks = 0;
  let current: (RawPaper & { parts: string[] }) | undefined;

  const finish = () => {
    if (!current) return;
    if (current.parts.length === 0) {
      skipped.push({ file, line: current.line, reason: `block "${truncate(current.title)}" has no abstract` });
    } else {
      current.abstract = current.parts.join('\n\n');
      current.links = extractLinks(current.abstract);
      const { parts: _parts, ...paper } = current;
      papers.push(paper);
    }
    current = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const c = classify(lines[i]);
    const lineNo = i + 1;
    switch (c.kind) {
      case 'blank':
      case 'chrome':
        continue;
      case 'authors':
        if (current) current.authorsCount = c.count;
        continue;
      case 'date':
        if (current) {
          if (c.iso) current.date = c.iso;
          if (c.upvotes !== undefined) current.upvotes = c.upvotes;
        }
        continue;
      case 'upvotes':
        if (current && current.parts.length > 0) current.upvotes = c.count;
        continue;
      case 'text':
        if (isTitleLike(c.text)) {
          finish();
          blocks++;
          current = { title: c.text, abstract: '', links: [], line: lineNo, parts: [] };
        } else if (current) {
          current.parts.push(c.text);
        } else {
          skipped.push({ file, line: lineNo, reason: `text without a title: "${truncate(c.text)}"` });
        }
    }
  }
  finish();
  return { papers, blocks, skipped };
}

function truncate(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
