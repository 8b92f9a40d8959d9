/**
 * The one validator for the date and source filters of every command (CLI flags and the bot's
 * slash-command options), and the one wording for them in messages. A bad value is a USAGE
 * error naming the flag or option as the person typed it.
 */
import { AppError } from './errors.js';
import type { Paper } from './corpus/types.js';
import type { SearchFilter } from './index/search.js';
import { TIME_SPAN } from './index/chat-frame.js';

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

/**
 * A time span asked of papers: "papers (on X) from this week", "anything new in the past 30 days", "what came out
 * last month", "this week's papers". Alone it is often the asker's own time ("i asked this last week") and filters
 * nothing.
 */
const TIME_WINDOW_RE = new RegExp(
  [
    String.raw`\b(?:papers?|preprints?|articles?|work|research|releases?|anything|stuff|results)\b[^.?!\n]{0,60}?` +
      String.raw`\b(?:from|in|during|over|within|of)\s+(?:the\s+)?(?:${TIME_SPAN})\b`,
    String.raw`\b(?:came\s+out|come\s+out|published|released|posted|dropped|new|added)\s+(?:(?:in|during|over|within)\s+)?(?:the\s+)?(?:${TIME_SPAN})\b`,
    String.raw`\b(?:${TIME_SPAN})'s\s+(?:papers|preprints|releases)\b`,
  ].join('|'),
  'i',
);
const SPAN_RE = new RegExp(String.raw`\b(?:${TIME_SPAN})\b`, 'i');
const DAY_MS = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The dates a question asks its papers from ("papers from this week about RL", "in the past 30 days"), counted
 * back from `now` (UTC days, today included): a week is 7 days, a month 30, "this year" since January 1, "last
 * year" the calendar year before. The span as typed comes back too, so the reply can say how it was read.
 */
export function timeWindowAsked(question: string, now: number): { filter: SearchFilter; phrase: string } | undefined {
  const asked = TIME_WINDOW_RE.exec(question);
  const span = asked && SPAN_RE.exec(asked[0]);
  if (!span) return undefined;
  const phrase = span[0];
  const text = phrase.toLowerCase();
  const year = new Date(now).getUTCFullYear();
  const back = (days: number) => dayOf(now - (days - 1) * DAY_MS);
  let filter: SearchFilter;
  if (span[1]) filter = { from: back(Math.max(1, Number(span[1]))) };
  else if (/\bweek\b/.test(text)) filter = { from: back(7) };
  else if (/\bmonth\b/.test(text)) filter = { from: back(30) };
  else if (/\bthis\s+year\b/.test(text)) filter = { from: `${year}-01-01` };
  else if (/\blast\s+year\b/.test(text)) filter = { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };
  else filter = { from: back(365) };
  return { filter, phrase };
}
