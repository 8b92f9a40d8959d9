/**
 * "who wrote X?", "when was X published?": a paper's record answers these, not its abstract. The
 * offline answer opens with what the best match's record holds, or says plainly that the corpus
 * does not record it (the daily-papers dumps carry no authors, and few dates); `/paper` shows the
 * whole record. The words asking ("wrote", "published") are chat frame for search (chat-frame.ts).
 */
import { CAME_OUT } from '../index/chat-frame.js';
import { quoteCorpusText } from './digest.js';
import type { Source } from './sources.js';

export type PaperFact = 'authors' | 'date';

const AUTHORS_ASKED =
  /\b(?:who\s+(?:wrote|authored|(?:are|were)\s+the\s+authors\b)|authors?\s+(?:of|on|for|behind)\b|written\s+by\s+whom|by\s+whom)/i;
const DATE_ASKED = new RegExp(
  String.raw`\b(?:when\s+(?:was|were|did)\b.{0,120}?\b(?:${CAME_OUT}|appeared?)\b|` +
    String.raw`(?:publication|release)\s+date|what\s+year\s+(?:was|did|is))`,
  'i',
);

/** Authors named at most; more are "et al.". */
const MAX_AUTHORS = 8;

/** "A, B, C" or "A, …, H et al.": how a reply, or the model's source tag, names a paper's authors. */
export function namedAuthors(authors: string[]): string {
  return `${authors.slice(0, MAX_AUTHORS).join(', ')}${authors.length > MAX_AUTHORS ? ' et al.' : ''}`;
}

/** Which facts of a paper's record the question asks for. */
export function factsAsked(question: string): PaperFact[] {
  const asked: PaperFact[] = [];
  if (AUTHORS_ASKED.test(question)) asked.push('authors');
  if (DATE_ASKED.test(question)) asked.push('date');
  return asked;
}

function authorsOf(source: Source): string {
  const { authors, authorsCount } = source.paper;
  if (authors?.length) return `by ${namedAuthors(authors)}`;
  if (authorsCount) return `${authorsCount} author${authorsCount === 1 ? '' : 's'} (the corpus does not record their names)`;
  return 'the corpus does not record its authors';
}

function dateOf(source: Source): string {
  return source.paper.date ? `dated ${source.paper.date}` : 'the corpus does not record its date';
}

/** The best match's record, as the offline answer's first line: "**Title** [1]: by A, B; dated 2024-05-01." */
export function factsLine(asked: PaperFact[], source: Source | undefined): string | undefined {
  if (!source || asked.length === 0) return undefined;
  const { authors, authorsCount, date } = source.paper;
  const parts =
    asked.length === 2 && !authors?.length && !authorsCount && !date
      ? ['the corpus records neither its authors nor its date']
      : asked.map((f) => (f === 'authors' ? authorsOf(source) : dateOf(source)));
  return `**${quoteCorpusText(source.paper.title)}** [${source.marker}]: ${quoteCorpusText(parts.join('; '))}.`;
}
