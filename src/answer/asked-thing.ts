/**
 * What a question opening with "what" or "which" asks for: "what robot arm did they use?" asks for a robot arm,
 * "which wavelet do they use?" for a wavelet. When no paper the answer comes from says anything of that thing, the
 * detail is one its abstract does not give.
 */
import { WORD_RE } from '../index/tokenize.js';
import { questionClauses } from './figures.js';

/** Chat words a question may open with before its "what" ("ok so which…"). */
const OPENERS = new Set(['so', 'and', 'ok', 'okay', 'wait', 'hmm', 'also', 'but', 'then', 'oh', 'btw']);
/** Words between "what" and the thing: "what kind of data", "which exact version", "what's the". */
const BEFORE_THING = new Set([
  'the',
  'a',
  'an',
  'kind',
  'kinds',
  'type',
  'types',
  'sort',
  'of',
  'exact',
  'exactly',
  'specific',
  'particular',
]);
/** Where the thing ends: its verb, or a pronoun starting the rest ("what data did they…", "which one is…"). */
const AFTER_THING = new Set(
  (
    'did do does is are was were has have had can could would should will they it he she we you i their its ' +
    'that this these those one ones to for in on of with from as by about'
  ).split(' '),
);
/** The most words read as the thing: "what robot arm", "which search engine index". */
const THING_WORDS = 3;

/** The thing each clause opening with "what"/"which" asks for, as typed ("robot arm"); its last word is its head. */
export function askedThings(question: string): string[][] {
  const things: string[][] = [];
  for (const clause of questionClauses(question)) {
    const words = [...clause.matchAll(WORD_RE)].map((m) => m[0]);
    let i = 0;
    while (i < words.length && OPENERS.has(words[i].toLowerCase())) i++;
    if (!/^(?:what|which|whats|what['’]s)$/i.test(words[i] ?? '')) continue;
    i++;
    while (i < words.length && BEFORE_THING.has(words[i].toLowerCase())) i++;
    const thing: string[] = [];
    while (i < words.length && thing.length < THING_WORDS && !AFTER_THING.has(words[i].toLowerCase())) thing.push(words[i++]);
    if (thing.length) things.push(thing);
  }
  return things;
}
