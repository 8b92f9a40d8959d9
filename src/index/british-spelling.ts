/**
 * British spellings read as American ones before a word is stemmed, so "optimisation" meets "optimization",
 * "behaviour" meets "behavior" and "dialogue" meets "dialog": the stemmer leaves them apart ("optimis" and
 * "optim"), and a question in either spelling found only the papers written in the same one.
 *
 * The corpus and the questions both go through here, so a word read as British still meets itself; what must not
 * happen is a word leaving its family: "supervised" read as "supervized" would stem apart from "supervision". So an
 * ending is not rewritten in the English words (npm word-list) whose American form is no English word: "supervise",
 * "precise", "contour" (british-spelling-kept.ts, generated from the list by scripts/british-spelling-kept.mjs and
 * checked against it by a test: 1,047 words, so tokenizing never loads the list's 274,000). A word the list lacks
 * in both spellings ("tokenisation") is rewritten. The letters asked for before each ending keep short words out
 * altogether ("four", "hour", "noise", "raise", "rogue").
 */
import { KEPT_AS_WRITTEN } from './british-spelling-kept.js';

/** -ise, -isation and their forms: "tokenisation", "specialised", "summarise", "generalisable"; not "-wise" ("pairwise"). */
const ISE = /^([a-z]{4,})(?<!w)is(e|es|ed|ing|er|ers|ation|ations|ational|able|ability)$/;
/** -our: "behaviour", "neighbours", "favourable", "behavioural", "tumour". */
const OUR = /^([a-z]{3,})our(s|ed|ing|ite|ites|able|ably|ful|less|al|ally|hood|hoods|ism|ist|ists)?$/;
/** -yse: "analyse", "paralysed", "catalysing"; not "analyses", which is also the plural of "analysis". */
const LYSE = /^([a-z]{2,})lys(e|ed|ing|er|ers)$/;
/** -tre: "centre", "centred", "kilometre", "theatre". */
const TRE = /^([a-z]{3,})tre(s|d)?$/;
/** -ogue: "dialogue", "catalogues", "analogue". */
const OGUE = /^([a-z]{4,})ogue(s)?$/;

const WORDS = new Map([
  ['defence', 'defense'],
  ['defences', 'defenses'],
  ['offence', 'offense'],
  ['offences', 'offenses'],
  ['licence', 'license'],
  ['licences', 'licenses'],
  ['programme', 'program'],
  ['programmes', 'programs'],
  ['judgement', 'judgment'],
  ['judgements', 'judgments'],
  ['learnt', 'learned'],
  ['grey', 'gray'],
]);

let kept: ReadonlySet<string> | undefined;

/** The American spelling of a lower-case word, or the word itself. */
export function americanSpelling(word: string): string {
  const listed = WORDS.get(word);
  if (listed) return listed;
  const american = rewriteEnding(word);
  if (american === word) return word;
  kept ??= new Set(KEPT_AS_WRITTEN.trim().split(/\s+/));
  return kept.has(word) ? word : american;
}

/**
 * Of a word list, the words whose ending is kept as written: English words whose American form is no English word.
 * What british-spelling-kept.ts holds for npm word-list.
 */
export function keptAsWritten(words: Iterable<string>, isWord: (w: string) => boolean): string[] {
  const out: string[] = [];
  for (const w of words) {
    const american = rewriteEnding(w);
    if (american !== w && isWord(w) && !isWord(american)) out.push(w);
  }
  return out;
}

/** The word with a British ending rewritten as the American one, whatever the word lists say. */
export function rewriteEnding(word: string): string {
  let m = ISE.exec(word);
  if (m) return `${m[1]}iz${m[2]}`;
  m = OUR.exec(word);
  if (m) return `${m[1]}or${m[2] ?? ''}`;
  m = LYSE.exec(word);
  if (m) return `${m[1]}lyz${m[2]}`;
  m = TRE.exec(word);
  if (m) return `${m[1]}ter${m[2] === 'd' ? 'ed' : (m[2] ?? '')}`;
  m = OGUE.exec(word);
  if (m) return `${m[1]}og${m[2] ?? ''}`;
  return word;
}
