/**
 * How much of a question a paper says in meaning, not only in its words. A word the paper writes (or spells out,
 * or writes in another form: "params" and "parameters") counts whole; one it does not write counts as much as the
 * paper's nearest word in general English word vectors ("forecasting" near "prediction" counts two thirds of a word,
 * "weather" near nothing in a pretraining paper little); a compound counts whole when the paper writes a part of it,
 * else by its farthest part; a word the vectors lack ("seq2seq"), nothing. Weighted by idf, as the rest of
 * answerability is. Lexical checks cannot see that a question about "prompt injection defenses" and a paper about
 * tool-using agents share only "tool" and "agents": this can.
 */
import { americanSpelling } from '../index/british-spelling.js';
import type { TermStats } from '../index/search-store.js';
import { tokenize, WORD_RE } from '../index/tokenize.js';
import type { WordSimilarity } from '../index/word-vectors.js';

/** A paper as read here: its words as written (lower case) and whether it says a term of the question. */
export interface PaperWords {
  words: readonly string[];
  says(term: string): boolean;
}

export interface MeaningCoverage {
  /** Share of the question's idf the papers say, each word by its nearest word in meaning. */
  share: number;
  /** The question's words (as typed) farther than `near` from every word of the papers, rarest first. */
  far: string[];
}

/**
 * The coverage of `asked` by `papers` (several when the question asks for several papers: each word by the paper
 * nearest it). `skip` holds words that are no part of what is asked (lower case: examples, "like NER").
 */
export function meaningCoverage(
  lexical: TermStats,
  vectors: WordSimilarity,
  asked: string,
  papers: readonly PaperWords[],
  skip: ReadonlySet<string>,
  near: number,
): MeaningCoverage {
  const says = (t: string) => papers.some((p) => p.says(t));
  const nearest = (word: string) => Math.max(0, ...papers.map((p) => vectors.closest(word, p.words)));
  const seen = new Set<string>();
  const far: Array<{ word: string; weight: number }> = [];
  let covered = 0;
  let mass = 0;
  for (const [word] of asked.matchAll(WORD_RE)) {
    const lower = word.toLowerCase();
    const terms = tokenize(word);
    // Numbers and sizes ("10k", "405B") are for the answer to report, not what the question is about.
    if (seen.has(lower) || skip.has(lower) || terms.length === 0 || !/^\p{L}/u.test(word)) continue;
    seen.add(lower);
    const weight = Math.max(...terms.map((t) => lexical.idf(t)));
    let closeness = 1;
    if (!terms.some(says) && !papers.some((p) => p.words.some((w) => otherForm(lower, w)))) {
      const parts = lower.split(/[-'’/]/).filter((x) => tokenize(x).some((t) => !says(t)));
      // A British spelling by its American form's vector: "optimiser" is rarer in the vectors' text than "optimizer".
      closeness = Math.min(...(parts.length ? parts : [lower]).map((w) => nearest(americanSpelling(w))));
    }
    covered += weight * closeness;
    mass += weight;
    if (closeness < near) far.push({ word, weight });
  }
  return { share: mass > 0 ? covered / mass : 1, far: far.sort((a, b) => b.weight - a.weight).map((f) => f.word) };
}

/** "params" and "parameters", "synthesizing" and "synthesis": one word cut short or inflected (five letters shared). */
export function otherForm(a: string, b: string): boolean {
  if (a.length < 5 || b.length < 5 || a.slice(0, 5) !== b.slice(0, 5)) return false;
  return b.startsWith(a.slice(0, Math.max(5, a.length - 3))) || a.startsWith(b.slice(0, Math.max(5, b.length - 3)));
}
