/**
 * Offline extractive digest: for each source paper, the abstract sentences most relevant to the
 * question, verbatim (numbers, method names and claims survive exactly), with citation markers.
 */
import { queryTerms } from '../index/lexical.js';
import { neutralizeMarkers } from './citations.js';
import type { TermStats } from '../index/search-store.js';
import { splitSentences } from '../index/sentences.js';
import { tokenize } from '../index/tokenize.js';
import type { Source } from './sources.js';

const NUMERIC_INTENT = new RegExp(
  '\\b(how (?:much|many|fast|large|big|long)' +
    '|what (?:accuracy|score|speed ?up|rate|percentage|win rate|gain|reduction|improvement)' +
    '|speed-?up|percent|%|accuracy|times faster|from what to what|number of|reach|claim)\\b',
  'i',
);
const HAS_NUMBER = /\d(?:[\d.,]*)\s*(?:%|x\b|×|times|B\b|M\b|K\b|k\b)|\d+\.\d+|\b\d{2,}\b/;

export interface ScoredSentence {
  text: string;
  index: number;
  score: number;
}

export function scoreSentences(question: string, text: string, lexical: TermStats): ScoredSentence[] {
  const q = queryTerms(question);
  const numeric = NUMERIC_INTENT.test(question);
  return splitSentences(text).map((s, index) => {
    const terms = new Set(tokenize(s));
    let score = 0;
    for (const t of q.keys()) if (terms.has(t)) score += lexical.idf(t);
    // Mild length normalisation: long sentences match more by chance.
    score /= Math.sqrt(Math.max(terms.size, 8) / 8);
    if (numeric && HAS_NUMBER.test(s)) score *= 1.6;
    return { text: s, index, score };
  });
}

/** Pick the best sentences of one abstract, returned in their original order. */
export function keySentences(question: string, text: string, lexical: TermStats, max: number): string[] {
  const scored = scoreSentences(question, text, lexical);
  const chosen = [...scored].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, max);
  if (chosen.every((c) => c.score === 0)) return scored.slice(0, Math.min(max, 1)).map((s) => s.text);
  return chosen.sort((a, b) => a.index - b.index).map((c) => c.text);
}

/**
 * Corpus text quoted into a digest, unable to open a code block: a ``` run (which, unclosed, would
 * turn the rest of the message into code) becomes look-alike modifier graves (U+02CB). Reference
 * numbers of the paper itself ("[12]") become "(12)", so they never pass for our citations.
 */
export function quoteCorpusText(text: string): string {
  return neutralizeMarkers(text.replace(/`{3,}/g, (run) => '\u02CB'.repeat(run.length)));
}

/** The digest's opening line when no lead is given: it says what was found, not what the papers say. */
export const DIGEST_OPENER = /^Found \d+ relevant papers? in the corpus; the closest match is [^\n]*\n+/;

export function extractiveDigest(
  question: string,
  sources: Source[],
  lexical: TermStats,
  opts: { perPaper?: number; lead?: string } = {},
): string {
  if (!sources.length) return '';
  const lines: string[] = [];
  const n = sources.length;
  lines.push(
    opts.lead ??
      `Found ${n} relevant paper${n === 1 ? '' : 's'} in the corpus; the closest match is "${quoteCorpusText(sources[0].paper.title)}" [1].`,
  );
  sources.forEach((s, i) => {
    const max = opts.perPaper ?? (i === 0 ? 3 : 2);
    const sentences = keySentences(question, s.paper.abstract, lexical, max);
    lines.push(`**${quoteCorpusText(s.paper.title)}** [${s.marker}]: ${quoteCorpusText(sentences.join(' '))}`);
  });
  return lines.join('\n\n');
}
