/**
 * Follow-ups that point at papers already in the thread: markers ("[2]", "2 and 4"), ordinals
 * ("the second one", "the last paper", "the first two"), titles and method names ("DropPos"), and
 * pronouns ("it", "they", "that method"), resolved against the thread's numbered source list, offline.
 *
 * Ordinals and markers count over the same list: the thread's, in number order. "The second one"
 * is [2] and "the last paper" the highest number, whichever answer the user reads last, because
 * every Sources embed, the Sources button and the /summarize recap show papers by those numbers.
 * Counting over the latest answer's citations instead made "the second one" and "[2]" name
 * different papers as soon as two answers cited different papers. Only the words that point back
 * at what was just said ("it", "they", "both", "the former", "the latter") use the latest answer.
 */
import { switchesTopic } from '../index/chat-frame.js';
import type { ThreadSources } from './thread-sources.js';

export type ReferenceKind = 'marker' | 'ordinal' | 'title' | 'pronoun';

export interface Resolution {
  /** Thread numbers, in the order the question names them. */
  markers: number[];
  /** How each was found, in the same order. */
  how: ReferenceKind[];
  /** The question asks to compare papers. */
  compare: boolean;
}

const COMPARE = new RegExp(
  '\\b(?:compare|comparing|comparison|contrast|versus|vs\\.?|side[- ]by[- ]side|differ(?:s|ence|ences)? between' +
    '|how do (?:they|these|those|the two|both) differ)\\b',
  'i',
);

/**
 * "what speedup do they get vs the vanilla baseline?", "what did they compare against?": the papers are measured
 * against something of their own (a baseline, a method they name), not against each other. A comparison word
 * followed by neither a reference to the thread's papers nor the end of a "how do they compare" question.
 */
const AGAINST_OTHER = new RegExp(
  String.raw`\b(?:vs\.?|versus|compared?\s+(?:to|with|against)|compare\s+against)` +
    String.raw`(?:\s*\?|\s+(?!(?:them|those|these|each\s+other|one\s+another|it|` +
    String.raw`(?:the\s+)?(?:other|former|latter|last|first|second|third|fourth|fifth)\b|(?:paper|source|ref|no\.|#)|\[?\d)))`,
  'i',
);

const ORDINALS: Record<string, number> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
  fifth: 5,
  '5th': 5,
  sixth: 6,
  '6th': 6,
  seventh: 7,
  '7th': 7,
  eighth: 8,
  '8th': 8,
};
const ORDINAL_WORD = `(${Object.keys(ORDINALS).join('|')}|last|final|latter|former)`;
// "the second one", "second paper", "the last source": an ordinal with a word that means a listed paper.
const ORDINAL_NOUN = new RegExp(`\\b(?:the\\s+)?${ORDINAL_WORD}\\s+(?:one|paper|source|reference|citation|article|result)\\b`, 'gi');
// What may follow a bare ordinal: the end of a clause, or a word joining it to another reference.
const CLAUSE_END = '(?=\\s*(?:[?.!,;)]|$|\\s+(?:and|or|vs\\.?|versus|with)\\b))';
// "the second?", "and the last.": a bare ordinal only at the end of a clause, so "the second law" is not one.
const ORDINAL_BARE = new RegExp(`\\bthe\\s+${ORDINAL_WORD}${CLAUSE_END}`, 'gi');
const COUNTS: Record<string, number> = { two: 2, three: 3, four: 4, '2': 2, '3': 3, '4': 4 };

/**
 * The words that point at a thread's papers ("the second one", "compare the first two"): no subject of what is
 * asked, so a follow-up does not carry them into its next search (followup.ts).
 */
export const REFERENCE_WORDS: readonly string[] = [
  ...Object.keys(ORDINALS),
  ...['last', 'final', 'former', 'latter'],
  ...Object.keys(COUNTS).filter((w) => /^\p{L}/u.test(w)),
  ...['compare', 'comparing', 'comparison', 'versus'],
];
const RUN_NOUN = '(?:ones|papers|sources|references|citations|articles|results)';
// "the first two", "compare the last 3 papers": a run at either end of the list. A bare run only
// in words and at the end of a clause, so "the first two layers" and "in the last 3." are not runs.
const ORDINAL_RUNS = [
  new RegExp(`\\b(?:the\\s+)?(first|last)\\s+(${Object.keys(COUNTS).join('|')})\\s+${RUN_NOUN}\\b`, 'gi'),
  new RegExp(`\\bthe\\s+(first|last)\\s+(two|three|four)${CLAUSE_END}`, 'gi'),
];

// "paper 2", "source #3", "#4", "no. 2", optionally continued "… and 4".
const LIST_TAIL = '((?:\\s*(?:,|and|&|vs\\.?|versus|with|or)\\s*(?:\\[?\\d{1,3}\\]?))*)';
const NAMED_NUMBER = new RegExp(`(?:\\b(?:papers?|sources?|refs?|references?|numbers?|no\\.)\\s*#?|#)\\s*(\\d{1,3})\\b${LIST_TAIL}`, 'gi');
// "compare 1 and 3", "what about 2 and 4?": two or more bare numbers joined as a list.
const BARE_LIST = /(?<![\w.,$€£%-])(\d{1,2})((?:\s*(?:,|and|&|vs\.?|versus|with|or)\s*\d{1,2}\b)+)(?![.,]?\d)/gi;
// A bare list followed by a word is a quantity ("between 2 and 4 layers"), unless the word goes on the question.
const AFTER_LIST_OK = /^\s*(?:$|[?.!,;:)]|(?:in|on|for|do|does|did|differ|say|says|use|compare|cover|report|show|and|again|please)\b)/i;
const BRACKETS = /\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]/g;

const SINGULAR =
  /\b(?:it|its|it's|itself|(?:this|that|the same)\s+(?:paper|method|model|approach|work|one|technique|study|architecture|framework))\b/i;
// "which one is cheaper?", "either of them": a choice among the papers just cited.
const PLURAL =
  /\b(?:they|them|their|theirs|these|those|both|each of them|all of them|the two|these (?:papers|methods|ones)|which one(?:'s)?|either)\b/i;

// Acronyms too common to name one paper.
const GENERIC = new Set(
  'llm llms ai ml nlp rl gpu gpus cnn cnns rnn rnns gan gans 2d 3d 4d qa vqa sota api rag moe vae vaes vit vits mllm mllms lvlm lvlms vlm vlms'.split(
    ' ',
  ),
);

function numbersIn(text: string): number[] {
  const out: number[] = [];
  for (const piece of text.split(/\s*(?:,|and|&|vs\.?|versus|with|or)\s*/i)) {
    const clean = piece.replace(/[[\]#\s]/g, '');
    const range = /^(\d+)[–-](\d+)$/.exec(clean);
    if (range) for (let n = Number(range[1]); n <= Math.min(Number(range[2]), Number(range[1]) + 10); n++) out.push(n);
    else if (/^\d+$/.test(clean)) out.push(Number(clean));
  }
  return out;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function containsPhrase(haystack: string[], needle: string[]): boolean {
  if (!needle.length || needle.length > haystack.length) return false;
  for (let i = 0; i + needle.length <= haystack.length; i++) if (needle.every((w, k) => haystack[i + k] === w)) return true;
  return false;
}

/** Names a title gives its paper: the whole title, its part before ":", and distinctive tokens (DropPos, BERT, GPT-3). */
export function paperNames(title: string): { phrases: string[][]; tokens: string[] } {
  const phrases = [words(title)];
  const head = title.split(/:\s/)[0];
  if (head !== title && words(head).length <= 5 && head.length >= 3) phrases.push(words(head));
  const tokens = title
    .split(/[\s:,;()/]+/)
    .map((t) => t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(
      (t) => t.length >= 3 && (/[A-Z].*[A-Z]/.test(t.slice(1)) || /[a-z][A-Z]/.test(t) || /^[A-Z]{3,}/.test(t) || /\p{L}-?\d/u.test(t)),
    )
    .map((t) => t.toLowerCase())
    .filter((t) => !GENERIC.has(t));
  return { phrases, tokens };
}

export function resolveReferences(question: string, list: ThreadSources): Resolution {
  const found: Array<{ marker: number; how: ReferenceKind; at: number }> = [];
  const add = (marker: number | undefined, how: ReferenceKind, at: number) => {
    if (marker !== undefined && list.get(marker) && !found.some((f) => f.marker === marker)) found.push({ marker, how, at });
  };
  // "unrelated, but what do they use for X?": a message leaving the thread points at none of its papers.
  if (switchesTopic(question)) return { markers: [], how: [], compare: false };
  const compare = COMPARE.test(question);
  if (!list.size) return { markers: [], how: [], compare };

  for (const m of question.matchAll(BRACKETS)) for (const n of numbersIn(m[1])) add(n, 'marker', m.index ?? 0);
  for (const m of question.matchAll(NAMED_NUMBER)) for (const n of numbersIn(`${m[1]}${m[2] ?? ''}`)) add(n, 'marker', m.index ?? 0);
  for (const m of question.matchAll(BARE_LIST)) {
    const after = question.slice((m.index ?? 0) + m[0].length);
    if (!AFTER_LIST_OK.test(after)) continue;
    const nums = numbersIn(`${m[1]}${m[2]}`);
    // Only a list wholly inside the thread's numbers is a reference ("2 and 40" is not).
    if (nums.every((n) => list.get(n))) for (const n of nums) add(n, 'marker', m.index ?? 0);
  }

  // Why ordinals count over the whole list and "former/latter" over the latest answer: see the top of this file.
  const numbered = list.all().map((p) => p.marker);
  const cited = list.lastCited.length ? list.lastCited : numbered;
  const ordinal = (word: string): number | undefined => {
    const w = word.toLowerCase();
    if (w === 'latter') return cited.at(-1);
    if (w === 'former') return cited[0];
    if (w === 'last' || w === 'final') return numbered.at(-1);
    const n = ORDINALS[w];
    return n ? numbered[n - 1] : undefined;
  };
  for (const re of [ORDINAL_NOUN, ORDINAL_BARE]) for (const m of question.matchAll(re)) add(ordinal(m[1]), 'ordinal', m.index ?? 0);
  for (const m of ORDINAL_RUNS.flatMap((re) => [...question.matchAll(re)])) {
    const n = COUNTS[m[2].toLowerCase()];
    const run = m[1].toLowerCase() === 'first' ? numbered.slice(0, n) : numbered.slice(-n);
    for (const marker of run) add(marker, 'ordinal', m.index ?? 0);
  }

  const qWords = words(question);
  const qSet = new Set(qWords);
  const named = list.all().map((p) => ({ p, names: paperNames(p.title) }));
  for (const { p, names } of named) {
    const at = qWords.length;
    if (names.phrases.some((ph) => ph.length >= 2 && containsPhrase(qWords, ph))) add(p.marker, 'title', at);
    else {
      // A distinctive token names a paper only when no other paper in the thread shares it.
      const own = names.tokens.filter((t) => qSet.has(t) && !named.some((o) => o.p !== p && o.names.tokens.includes(t)));
      if (own.length) add(p.marker, 'title', question.toLowerCase().indexOf(own[0]));
    }
  }

  // Named by pronoun alone and measured against something else: "they" are the authors of the paper in focus.
  const againstOther = !found.length && AGAINST_OTHER.test(question);
  const comparing = compare && !againstOther;
  if (!found.length || (comparing && found.length === 1)) {
    if (againstOther) add(list.focus, 'pronoun', 0);
    else if (PLURAL.test(question))
      for (const m of cited.slice(0, comparing ? 4 : cited.length)) add(m, 'pronoun', Number.MAX_SAFE_INTEGER);
    else if (SINGULAR.test(question)) add(list.focus, 'pronoun', comparing ? -1 : 0);
  }
  found.sort((a, b) => a.at - b.at);
  return { markers: found.map((f) => f.marker), how: found.map((f) => f.how), compare: comparing };
}
