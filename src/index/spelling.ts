/**
 * Typos read as the corpus word they miss by one edit ("pretarining", "represnetations",
 * "foreacsting"): a question with one was searched without its subject and graded `low` for "no
 * paper here mentions pretarining". Only a plain word (lower-case, or capitalised where it starts a
 * sentence) that no paper uses and that is no English word ("weather", "gaming" and "statutes" are
 * asked as typed) is read again, as a variant one edit away (a letter added, dropped, changed, or two
 * swapped) that papers use: the likeliest edit first, then English words, then the most papers.
 * A word of four or five letters is read only by the likeliest edits (two letters swapped, a letter
 * doubled or undoubled, a dropped letter put back) into an English word ("casue" as "cause", "modls" as
 * "models"). Names (capitals inside a sentence, digits, hyphens), shorter words, contractions without
 * their apostrophe and words in the asker's language stay as typed, so a name the corpus lacks is still
 * named as missing. Candidates are looked up in the term statistics, never enumerated from them, so
 * every store serves them. */
import { askersLanguage, startsSentence } from './asker-language.js';
import { docFreqOf, isKnownTerm } from './bm25f.js';
import { isEnglishWord } from './english-words.js';
import type { TermStats } from './search-store.js';
import { isStopword, stemOnce, tokenize } from './tokenize.js';

export interface SpellingSettings {
  /**
   * Shortest word read by any edit: short non-words are more often names and shorthand ("unet", "cpt") than typos,
   * so a shorter one is read only as `minLikelyEditLength` says.
   */
  minLength: number;
  /**
   * Shortest word read again, below `minLength` by the likeliest edits only (two letters swapped, a letter doubled or
   * undoubled, a dropped letter put back) into an English word papers use: "casue" as "cause", "daata" as "data",
   * "modls" as "models". A changed letter is not read at these lengths ("quik" would be "quit").
   */
  minLikelyEditLength: number;
  /** Longest word read again: no English or ML word is longer, and each letter adds ~54 variants to look up. */
  maxLength: number;
  /** Most words one question has read again: past that, the text is not English prose with typos, and each costs lookups. */
  maxWords: number;
  /** Fewest papers an English word read instead must appear in. */
  minDocs: number;
  /** Fewest papers a word outside the dictionary read instead must appear in. */
  minJargonDocs: number;
}

/**
 * Chosen on the tuning halves (README, "Typos"): at five letters truncations were read as typos
 * ("langs" as "lags"), at four chat words too ("quik" as "quit"); reading a word as an English word no
 * paper uses graded one more answerable question `low` (and, at four letters, read names and
 * shorthand as such words: "atari" as "acari", "ckpt" as "cpt"). 2, 3 or 5 papers for a word outside
 * the dictionary measured the same. Four and five letters by the likeliest edits into English words only (fourteenth
 * round): first-word typo probe, graded as written, bank / fresh / third tuning 693 / 265 / 183 -> 743 / 275 / 188,
 * and with a dropped letter put back 767 / 278 / 191; held-out, one look each, 706 / 231 / 193 -> 761 / 248 / 204,
 * then 779 / 253 / 207. No eval question and no chat wrapper changed.
 */
export const SPELLING: SpellingSettings = {
  minLength: 6,
  minLikelyEditLength: 4,
  maxLength: 24,
  maxWords: 8,
  minDocs: 1,
  minJargonDocs: 3,
};

export interface Correction {
  from: string;
  to: string;
}

/** `Read "pretarining" as "pretraining"`: what was searched instead of the typed words, for a reply or a listing. */
export function readAs(corrections: Correction[]): string {
  return `Read ${corrections.map((c) => `"${c.from}" as "${c.to}"`).join(', ')}`;
}

/** Whether a lower-case word is an English word (the default: a 274,000-word list with inflections). */
export type WordCheck = (word: string) => boolean;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** Whether two letters sit next to each other on a QWERTY keyboard (the rows are staggered). */
function adjacentKeys(a: string, b: string): boolean {
  const r = ROWS.findIndex((row) => row.includes(a));
  const s = ROWS.findIndex((row) => row.includes(b));
  if (r < 0 || s < 0 || Math.abs(r - s) > 1) return false;
  const i = ROWS[r].indexOf(a);
  const j = ROWS[s].indexOf(b);
  return r === s ? Math.abs(i - j) === 1 : s < r ? j === i || j === i + 1 : j === i || j === i - 1;
}

/**
 * Every string one edit from `w`, with how unlikely that edit is as a typo (after Kernighan, Church
 * & Gale, 1990): 1 for two letters swapped or a letter doubled or undoubled, 2 for a letter added or
 * dropped or changed to a key next to it, 3 for any other change.
 */
function oneEditAway(w: string): Map<string, number> {
  const out = new Map<string, number>();
  const add = (v: string, cost: number) => {
    if (v !== w && cost < (out.get(v) ?? Number.POSITIVE_INFINITY)) out.set(v, cost);
  };
  for (let i = 0; i <= w.length; i++) {
    const head = w.slice(0, i);
    const tail = w.slice(i);
    if (tail) add(head + tail.slice(1), tail[0] === w[i - 1] || tail[0] === tail[1] ? 1 : 2);
    if (tail.length > 1) add(head + tail[1] + tail[0] + tail.slice(2), 1);
    for (const c of ALPHABET) {
      if (tail && c !== tail[0]) add(head + c + tail.slice(1), adjacentKeys(tail[0], c) ? 2 : 3);
      add(head + c + tail, c === w[i - 1] || c === tail[0] ? 1 : 2);
    }
  }
  return out;
}

/** The shortest English part a word outside the dictionary may be built from. */
const MIN_PART = 4;
/** Endings that make a word of an English one ("tokenizer", "embeddings"). */
const ENDING = /^(?:s|es|ed|er|ers|ing|ings|ize|izes|ized|izer|izers|ization|ise|ised|iser|isation|ation|ations|al|ly|ness|able)$/;

/**
 * A word outside the dictionary built from English ones: a compound ("datasets", "finetuning") or an
 * English word with an ending ("tokenizer"). "confids" (a stem of "confidence" plus "s") is neither.
 */
function builtFromEnglish(v: string, isWord: WordCheck): boolean {
  for (let i = MIN_PART; i < v.length; i++) {
    const rest = v.slice(i);
    if (isWord(v.slice(0, i)) && (ENDING.test(rest) || (rest.length >= MIN_PART && isWord(rest)))) return true;
  }
  return false;
}

/**
 * The corpus word a typo stands for, among its one-edit variants whose term papers use (a function
 * word counts as in every paper): the likeliest edit first, then English words, then the most
 * papers, then alphabetical order. A variant outside the dictionary ("finetuning") must be built from
 * English words and be in `minJargonDocs` papers. Undefined when none qualifies.
 */
export function correctionFor(word: string, stats: TermStats, isWord: WordCheck = isEnglishWord, settings = SPELLING): string | undefined {
  // Each question is read twice (answer and search), and chat words recur: keep a generation's readings.
  const cache = isWord === isEnglishWord && settings === SPELLING ? cacheOf(stats) : undefined;
  if (cache?.has(word)) return cache.get(word);
  const found = bestVariant(word, stats, isWord, settings);
  if (cache && cache.size < MAX_CACHED) cache.set(word, found);
  return found;
}

/** Readings kept per generation: the words of a few thousand questions. */
const MAX_CACHED = 10_000;
const caches = new WeakMap<TermStats, Map<string, string | undefined>>();

function cacheOf(stats: TermStats): Map<string, string | undefined> {
  let cache = caches.get(stats);
  if (!cache) {
    cache = new Map();
    caches.set(stats, cache);
  }
  return cache;
}

function bestVariant(word: string, stats: TermStats, isWord: WordCheck, settings: SpellingSettings): string | undefined {
  let best: { word: string; english: boolean; cost: number; docs: number } | undefined;
  const better = (a: NonNullable<typeof best>, b: NonNullable<typeof best>) => {
    if (a.cost !== b.cost) return a.cost < b.cost;
    if (a.english !== b.english) return a.english;
    if (Math.abs(a.docs - b.docs) > 1e-9) return a.docs > b.docs;
    return a.word < b.word;
  };
  const short = word.length < settings.minLength;
  for (const [v, cost] of oneEditAway(word)) {
    if (short && cost > 1 && v.length !== word.length + 1) continue;
    // A variant is one plain word: its term is its stem, or none for a function word (as common as a word gets).
    const term = isStopword(v) ? undefined : stemOnce(v);
    const docs = term === undefined ? stats.size : isKnownTerm(stats, term) ? docFreqOf(stats, term) : 0;
    if (docs < Math.min(settings.minDocs, settings.minJargonDocs)) continue;
    const english = isWord(v);
    if (short && !english) continue;
    if (docs < (english ? settings.minDocs : settings.minJargonDocs) || (!english && !builtFromEnglish(v, isWord))) continue;
    const candidate = { word: v, english, cost, docs };
    if (!best || better(candidate, best)) best = candidate;
  }
  return best?.word;
}

/** What a contraction adds to a function word ("that's", "doesn't", "they're"). */
const CONTRACTED = /(?:s|t|re|ve|ll|d|m)$/;

/** A contraction typed without its apostrophe ("thats", "doesnt", "theyre"): chat spelling, not a typo, and what chat frames read. */
function contractionWithoutApostrophe(word: string): boolean {
  const m = CONTRACTED.exec(word);
  return m !== null && isStopword(word.slice(0, m.index));
}

/**
 * A plain word standing alone, lower-case or capitalised: not part of a name ("swe-bench", "gpt4",
 * "LoRA's", "arxiv.org"). A capitalised one is read only where it starts a sentence.
 */
const PLAIN_WORD = /(?<![\p{L}\p{N}_\-'’/.])[A-Za-z][a-z]+(?![\p{L}\p{N}_\-'’/]|\.[\p{L}\p{N}])/gu;

/**
 * The text with each typo read as the corpus word it misses by one edit, and what was read so.
 * Words in the asker's language ("was ist LoRA?") are no typos, though no paper uses them.
 */
export function correctSpelling(
  text: string,
  stats: TermStats,
  isWord: WordCheck = isEnglishWord,
  settings: SpellingSettings = SPELLING,
): { text: string; corrections: Correction[] } {
  const corrections: Correction[] = [];
  // Read only once a word no paper uses turns up: most questions have none.
  let foreign: ((t: string) => boolean) | undefined;
  const inAskersLanguage = (t: string) => {
    foreign ??= askersLanguage(text, (x) => isKnownTerm(stats, x));
    return foreign(t);
  };
  const read = new Map<string, string | undefined>();
  let examined = 0;
  const out = text.replace(PLAIN_WORD, (typed: string, at: number) => {
    if (typed.length < settings.minLikelyEditLength || typed.length > settings.maxLength) return typed;
    const capital = typed[0] !== typed[0].toLowerCase();
    // "Pretarining helps?": the capital only starts the sentence. Inside one, "Mixtrl" is a name.
    if (capital && !startsSentence(text, at)) return typed;
    const word = typed.toLowerCase();
    if (!read.has(word)) {
      const terms = tokenize(word);
      const asTyped = (t: string) => isKnownTerm(stats, t) || inAskersLanguage(t);
      const typo = terms.length > 0 && !terms.some(asTyped) && !isWord(word) && !contractionWithoutApostrophe(word);
      const look = typo && examined++ < settings.maxWords;
      read.set(word, look ? correctionFor(word, stats, isWord, settings) : undefined);
    }
    const found = read.get(word);
    if (!found) return typed;
    const to = capital ? found[0].toUpperCase() + found.slice(1) : found;
    if (!corrections.some((c) => c.from === typed)) corrections.push({ from: typed, to });
    return to;
  });
  return { text: out, corrections };
}
