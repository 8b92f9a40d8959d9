/**
 * The one validator for the date and source filters of every command (CLI flags and the bot's
 * slash-command options), and the one wording for them in messages. A bad value is a USAGE
 * error naming the flag or option as the person typed it.
 */
import { AppError } from './errors.js';
import type { Paper } from './corpus/types.js';
import type { SearchFilter } from './index/search.js';

export interface FilterInput {
  from?: string | null;
  to?: string | null;
  source?: string | null;
}

/** How the person named each filter: `--from` on the command line, `from` in a slash command. */
export interface FilterNames {
  from: string;
  to: string;
}

export const CLI_FILTER_NAMES: FilterNames = { from: '--from', to: '--to' };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar day written YYYY-MM-DD (2024-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** A SearchFilter from what the person typed (undefined when nothing was given); throws USAGE on a bad value. */
export function parseFilter(input: FilterInput, names: FilterNames = CLI_FILTER_NAMES): SearchFilter | undefined {
  const f: SearchFilter = {};
  for (const key of ['from', 'to'] as const) {
    const raw = input[key];
    if (raw === undefined || raw === null) continue;
    const val = raw.trim();
    if (!isCalendarDate(val))
      throw new AppError('USAGE', `${names[key]} must be a calendar date written YYYY-MM-DD, like 2024-01-31 (got "${val.slice(0, 40)}").`);
    f[key] = val;
  }
  if (f.from && f.to && f.from > f.to)
    throw new AppError('USAGE', `${names.from} ${f.from} is after ${names.to} ${f.to}: no date can match.`);
  const source = input.source?.trim();
  if (source) f.source = source;
  return Object.keys(f).length ? f : undefined;
}

/**
 * The day the date filters compare (YYYY-MM-DD): the paper's own date when its source gives one,
 * else the UTC day it first entered the index; undefined when neither is known.
 */
export function filterDate(paper: Pick<Paper, 'date' | 'firstSeen'>): string | undefined {
  return paper.date ?? paper.firstSeen?.slice(0, 10);
}

/** "added to the corpus on 2026-11-26 20:41 UTC", for the paper card and `research-bot paper`. */
export function addedText(paper: Pick<Paper, 'firstSeen'>): string | undefined {
  const t = paper.firstSeen?.match(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/);
  return t ? `added to the corpus on ${t[1]} ${t[2]} UTC` : undefined;
}

/** The filter in words, for a message saying it (not the corpus) left nothing: "dated from 2024-01-01 to 2024-02-01". */
export function describeFilter(f: SearchFilter): string {
  const parts: string[] = [];
  if (f.from && f.to) parts.push(`dated from ${f.from} to ${f.to}`);
  else if (f.from) parts.push(`dated ${f.from} or later`);
  else if (f.to) parts.push(`dated ${f.to} or earlier`);
  if (f.source) parts.push(`from a corpus file matching "${f.source}"`);
  return parts.join(' and ');
}

/** Whether a filter restricts by date or source (paperIds is internal and not the person's doing). */
export function hasUserFilter(f: SearchFilter | undefined): f is SearchFilter {
  return Boolean(f && (f.from || f.to || f.source));
}
