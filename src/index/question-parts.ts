/**
 * A message holding separate questions ("1) what does DropPos pretrain ViTs to do? 2) how many GPU hours
 * did Open-Qwen2VL take?", "what is X? also, how big is Y?", one per bullet line). Read as one question,
 * the two subjects look like a question joining them, which no paper does: the answer was graded `low`
 * ("no paper here joins DropPos with the rest of the question") and the second subject's paper could
 * fall under the cut of papers close to the first. Each part is searched and graded as if asked alone.
 */
import { isKnownTerm } from './bm25f.js';
import { inSomeReading } from './chat-shorthand.js';
import { isEnglishWord } from './english-words.js';
import type { TermStats } from './search-store.js';
import { tokenize, WORD_RE } from './tokenize.js';

/** A list item at the start of a line: "1)", "2.", "(3)", "q2:", "-", "*", "•". */
const LIST_ITEM = /^\s*(?:\(?\d{1,2}[.):]|\(?[a-c]\)|q\d{1,2}\s*[.):]|[-*•])\s+/i;
/** "1) … 2) …" written on one line: a number with a bracket or a dot, after a space or at the start. */
const INLINE_ITEM = /(?:^|\s)\(?([1-5])[.)]\s+/g;

/** The question words. */
const QUESTION_WORDS = "what what's whats how which who why when where";
/** What starts another question: a question word, or a verb a question opens with. */
const OPENER_WORDS = `${QUESTION_WORDS} is are was were does do did can could should would will has have any anyone anybody explain list compare summari[sz]e`;
const OPENER = `(?:${OPENER_WORDS.split(' ').join('|')})\\b`;
/** Words that join another question to a message ("also", "oh and", "second q:", "unrelated but"). */
const JOINER_WORDS = [
  String.raw`(?:and\s+)?also`,
  String.raw`oh\s+and`,
  'and',
  'plus',
  'separately',
  String.raw`unrelated(?:\s+but)?`,
  'btw',
  String.raw`(?:a\s+)?second\s+(?:q|question|thing)`,
  String.raw`another\s+(?:one|thing|q|question)`,
  String.raw`one\s+more(?:\s+(?:thing|q|question))?`,
];
const JOINER = String.raw`(?:${JOINER_WORDS.join('|')})\b[,:]?\s*`;
const OPENS_QUESTION = new RegExp(`^(?:${JOINER})?${OPENER}`, 'i');
/**
 * A question word, not a verb: after a comma, "should i…", "is that…" go on with the sentence before ("when
 * finetuning agents on gpt-4 trajectories, should i throw away the failed ones?").
 */
const QUESTION_WORD = `(?:${QUESTION_WORDS.split(' ').join('|')})\\b`;
/** Right after a comma, "which", "who", "where" and "when" open a relative clause ("Crawl4LLM, which ranks pages…"). */
const COMMA_QUESTION_WORD = String.raw`(?:what|what's|whats|how|why)\b`;

/** The text opens as a question does: a question word or a verb a question opens with ("how do i…", "is there…"). */
export function opensQuestion(text: string): boolean {
  return OPENS_QUESTION.test(text.trimStart());
}
/**
 * A sentence that points back at another ("how does it compare?", "what breaks if u mask them?") is that question's
 * follow-up, not a question of its own, unless it names a subject of its own ("what does DAPO stand for and what did
 * it score", "how did they speed up BERT training for MLPerf").
 */
const REFERS_BACK = /\b(?:it|its|it's|they|them|their|this|these|those|the same|same one)\b/i;
/** Ending on "that" ("…, and how do i avoid wasting compute on that?") points back, whatever the sentence names. */
const ENDS_ON_THAT = /\bthat\W*$/i;
/**
 * Where a message's sentences part: after a question mark, a full stop (not an abbreviation's: "e.g. how many…")
 * or "!", at a line break, at a semicolon, before "also", "oh and" or "plus" that open a question, and at a comma
 * before a question word.
 */
const SENTENCE_BREAK = new RegExp(
  [
    // A closing quote or bracket may follow the mark: 'asked "X?" and nobody answered'.
    String.raw`(?<=(?:[?!]|(?<!\b(?:e\.g|i\.e|vs|etc|cf|approx|al|fig|eq|no|ca|resp))\.)["'”’)\]]*)\s+`,
    String.raw`\n+`,
    String.raw`;\s+`,
    // Not between the words of "and also", "oh and".
    String.raw`,?(?<!\b(?:and|oh)|\s)\s+(?=(?:and\s+also|also|oh\s+and|plus)\s+${OPENER})`,
    // "how do KANs compare to MLPs, and what does AlgoPerf measure": a comma before a question word (sentenceParts
    // parts there only when both sides name a subject of their own).
    // Not after a joining word: "also, how big…" is one sentence brought in by "also".
    // A whitespace run is tried from its start only, so a long run costs linear time.
    String.raw`(?<!\b(?:also|and|plus|btw|separately|but)|\s)\s*,\s+(?=(?:and\s+)?${COMMA_QUESTION_WORD}|and\s+${QUESTION_WORD})`,
  ].join('|'),
  'i',
);
/** A sentence that asks: it ends on a question mark, or opens as a question does. */
const asks = (s: string) => s.endsWith('?') || OPENS_QUESTION.test(s);

/** A message's sentences (where SENTENCE_BREAK parts them), each with whether it asks. */
export function sentencesOf(text: string): Array<{ text: string; asks: boolean }> {
  return text
    .split(SENTENCE_BREAK)
    .map((s) => s.replace(LIST_ITEM, '').trim())
    .filter(Boolean)
    .map((s) => ({ text: s, asks: asks(s) }));
}

/** SENTENCE_BREAK with the breaks kept (odd pieces), to see where a sentence started. */
const SENTENCE_BREAK_KEPT = new RegExp(`(${SENTENCE_BREAK.source})`, 'i');
const STARTS_WITH_JOINER = new RegExp(`^${JOINER}`, 'i');
/** "when finetuning agents on X, …", "where compute is tight, …": a clause setting the scene for the question after it. */
const SETS_SCENE = /^(?:when|where)\s+(?!(?:is|are|was|were|do|does|did|will|would|can|could|should|has|have|had)\b)/i;
/** A question word anywhere: "for X at the end of Y, what fraction…" asks, though it opens with neither. */
const ASKS = new RegExp(String.raw`\b${QUESTION_WORD}`, 'i');

/** How the corpus reads a sentence (the engine's): whether it is about anything, and whether it names a subject. */
export interface PartReader {
  /** A word the corpus knows that says what is asked: "thanks!", "two qs:", "list the papers pls" have none. */
  about(sentence: string): boolean;
  /** A rare word naming a subject ("DAPO", "MLPerf"), not a verb or adjective ("breaks"). */
  names(sentence: string): boolean;
}

/** Questions of one message answered separately at most (each is searched). */
export const MAX_PARTS = 4;

/** A part: its sentences, the first being the question that opens it. */
type Part = string[];

/**
 * The separate questions of a message, as typed, or the message alone when it asks one thing. A part whose opening
 * is about nothing (a greeting, "thanks!", "two qs:", "and how long?") goes with the part before it (the first
 * part, with the one after).
 */
export function questionParts(text: string, reader: PartReader): string[] {
  const parts = listItems(text) ?? inlineItems(text) ?? sentenceParts(text, reader);
  const kept: Part[] = [];
  let pending: Part = [];
  for (const part of parts) {
    if (reader.about(part[0])) {
      kept.push([...pending, ...part]);
      pending = [];
    } else if (kept.length) kept[kept.length - 1].push(...part);
    else pending.push(...part);
  }
  if (kept.length < 2) return [text];
  // Each part is a search: questions past the last one answered separately go with it.
  for (const extra of kept.splice(MAX_PARTS)) kept[MAX_PARTS - 1].push(...extra);
  return kept.map((p) => p.join(' '));
}

/** One part per list item when two lines or more are items; lines that are not items go with the item above. */
function listItems(text: string): Part[] | undefined {
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.filter((l) => LIST_ITEM.test(l)).length < 2) return undefined;
  const parts: Part[] = [];
  let inItem = false;
  for (const line of lines) {
    if (LIST_ITEM.test(line)) {
      parts.push([line.replace(LIST_ITEM, '').trim()]);
      inItem = true;
    } else if (inItem) parts[parts.length - 1].push(line.trim());
    // A line before the first item introduces the list ("two qs:"), and is read like any part.
    else parts.push([line.trim()]);
  }
  return parts;
}

/** "1) … 2) …" on one line, numbered from 1 in order. */
function inlineItems(text: string): Part[] | undefined {
  const starts: Array<{ at: number; body: number }> = [];
  for (const m of text.matchAll(INLINE_ITEM)) {
    if (Number(m[1]) !== starts.length + 1) continue;
    starts.push({ at: m.index, body: m.index + m[0].length });
  }
  if (starts.length < 2) return undefined;
  const items = [text.slice(0, starts[0].at), ...starts.map((s, i) => text.slice(s.body, starts[i + 1]?.at ?? text.length))];
  return items
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => [t]);
}

/**
 * Sentences that open another question after one that asked ("… to do? also, how many …"); a sentence that
 * opens none ("… work? mechanistic explanations and data explanations"), points back at the one before or
 * follows a statement stays with what came before. What follows the last question without asking anything
 * ("… keep it brief pls", "… been googling for 20 min") is said about the message, not about that question.
 */
function sentenceParts(text: string, reader: PartReader): Part[] {
  const pieces = text.split(SENTENCE_BREAK_KEPT);
  const parts: Part[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    // A list mark left on a line ("- how many…": the first line's was read as the message's leading dash) is no word.
    const s = pieces[i].replace(LIST_ITEM, '').trim();
    if (!s) continue;
    const last = parts.at(-1);
    if (!last) {
      parts.push([s]);
      continue;
    }
    // Only a question is followed by another: a statement before a question is its context ("I'm tuning a 7B with
    // LoRA. what learning rate?").
    const asked = last.some(asks) || ASKS.test(last.join(' '));
    // On its own line, after a semicolon, or brought in by "also", "separately", "oh and": set apart by its writer.
    // A question run on after another on the same line with no mark ("X? how to set the mix ratio tldr version is
    // fine") is as often the first one's detail as a question of its own.
    const marked = /[\n;]/.test(pieces[i - 1]) || STARTS_WITH_JOINER.test(s) || s.endsWith('?');
    const pointsBack = (REFERS_BACK.test(s) && !reader.names(s)) || ENDS_ON_THAT.test(s);
    // After a bare comma, a question of its own names its own subject, and so does the one before: "what is X, how
    // big is it" and "which papers use LoRA, and how do they compare" are one question.
    const joiner = STARTS_WITH_JOINER.exec(s)?.[0];
    const byComma = /^\s*,\s+$/.test(pieces[i - 1]) && (!joiner || /^and\s*$/i.test(joiner));
    const before = last.join(' ');
    // Opening after a lead-in ("two qs: how many…", "DropPos: what does it mask"): the question starts there.
    const opening = before.replace(LEAD_IN, '');
    const apart = byComma ? OPENS_QUESTION.test(opening) && !SETS_SCENE.test(opening) && reader.names(s) && reader.names(before) : marked;
    if (asked && apart && OPENS_QUESTION.test(s) && !pointsBack) parts.push([s.replace(STARTS_WITH_JOINER, '')]);
    else if (byComma) last[last.length - 1] += `, ${s}`;
    else last.push(s);
  }
  const final = parts.at(-1);
  if (parts.length > 1 && final) while (final.length > 1 && !asks(final[final.length - 1])) final.pop();
  return parts;
}

/** A lead-in before a colon or dash ("two qs:", "3 things -", "DropPos:"), at most a few words. */
const LEAD_IN = /^[^:\n\u2014\u2013-]{1,40}?(?:\s*[:\u2014\u2013]|\s+-)\s+/;

/** Words that ask for something without saying about what: "list the papers pls", "can you answer in bullet points?". */
const ASKING_WORDS = new Set(
  tokenize('list papers paper work works research study studies source sources answer answers explain please pls thanks'),
);

/** A part is about something when it has a word the corpus knows at least this rare (idf), other than the words it asks with. */
export function carriesContent(lexical: TermStats, minIdf: number): (part: string) => boolean {
  const content = (t: string) => !/^\d+$/.test(t) && !ASKING_WORDS.has(t) && isKnownTerm(lexical, t) && lexical.idf(t) >= minIdf;
  return (part) => tokenize(part).some(content);
}

/** How a message's asides are told: a sentence mostly of English words no paper uses, beside a question that is about something here. */
export interface AsideReading {
  /** The least share of a sentence's word weight (idf) in English words no paper uses that makes it an aside. */
  unknownShare: number;
  reader: PartReader;
}

/** A message without its asides, and the asides that ask (a request the papers cannot answer, for the reply to name). */
export interface WithoutAsides {
  text: string;
  asked: string[];
}

/**
 * The message without the sentences that are about nothing here, beside a question that is: "… base models? and
 * unrelated, should I get winter tyres or all-season ones for a small hatchback?", "hi team\nmy neighbour's rooster
 * has decided 4am is the new sunrise\n{q}". Searched, such a sentence pulls papers sharing its one corpus word ("back
 * from lunch": "Bringing back Bellman"); graded, its words are subjects no paper has. An aside:
 * - has two or more English words, or places' and people's names ("Lisbon", "Marta"), that no paper uses, at least
 *   `unknownShare` of its word weight (idf); other names the corpus lacks ("Qwen3") are no such words;
 * - asks, or stands on a line where nothing asks: a statement run on with the question ("… training with doc ids")
 *   may be its detail;
 * - asks nothing of the answer ("list the papers pls", "short answer is fine");
 * - weighs less in words the corpus uses than a sentence kept that asks, is about something here and points back at no
 *   aside before it ("is there ML for that?").
 * The message as typed when it has none.
 */
export function withoutAsides(text: string, lexical: TermStats, reading: AsideReading): WithoutAsides {
  // After a comma a question goes on with the words before it ("yo membership inference attacks on finetuned llms, whats
  // sota"): one sentence here.
  const pieces = joinedAtCommas(text.split(SENTENCE_BREAK_KEPT));
  const sentences = pieces.filter((_, i) => i % 2 === 0).map((raw) => raw.replace(LIST_ITEM, '').trim());
  if (sentences.filter(Boolean).length < 2) return { text, asked: [] };
  const words = sentences.map((s) => sentenceWords(s, lexical));
  // The line each sentence stands on: a statement on a line where nothing asks is the writer's news, not the question's
  // detail.
  const line: number[] = [];
  for (let i = 0, at = 0; i < pieces.length; i += 2) {
    line.push(at);
    if (/\n/.test(pieces[i + 1] ?? '')) at++;
  }
  const questionOnLine = (i: number) => sentences.some((s, j) => line[j] === line[i] && asks(s));
  const candidate = sentences.map(
    (s, i) =>
      words[i].unknownWords >= ASIDE_WORDS &&
      words[i].unknownShare >= reading.unknownShare &&
      (asks(s) || !questionOnLine(i)) &&
      !tokenize(s).some((t) => ASKING_WORDS.has(t)),
  );
  // The question kept: the heaviest sentence in corpus words that asks, is about something here, and points back at no
  // aside. Not one naming a subject without asking: "if possible put the answer in a table" is no question.
  let kept = 0;
  for (const [i, s] of sentences.entries()) {
    const pointsBack = candidate.slice(0, i).includes(true) && ((REFERS_BACK.test(s) && !reading.reader.names(s)) || ENDS_ON_THAT.test(s));
    if (!candidate[i] && asks(s) && reading.reader.about(s) && !pointsBack) kept = Math.max(kept, words[i].knownMass);
  }
  const aside = candidate.map((c, i) => c && words[i].knownMass < kept);
  if (!aside.includes(true)) return { text, asked: [] };
  let out = '';
  for (let i = 0; i < pieces.length; i += 2) if (!aside[i / 2]) out += pieces[i] + (pieces[i + 1] ?? '');
  return { text: out.trim(), asked: sentences.filter((s, i) => aside[i] && asks(s)) };
}

/** Pieces of a split by SENTENCE_BREAK_KEPT (a sentence, a break, …) with the sentences that a comma parts joined. */
function joinedAtCommas(pieces: string[]): string[] {
  const out = [pieces[0]];
  for (let i = 1; i < pieces.length; i += 2) {
    if (pieces[i].includes(',')) out[out.length - 1] += pieces[i] + pieces[i + 1];
    else out.push(pieces[i], pieces[i + 1]);
  }
  return out;
}

/** An aside has at least this many English words no paper uses: "need a few refs" asks for reading, in shorthand. */
const ASIDE_WORDS = 2;

/**
 * A sentence's words by the corpus: how many are English words or places' and people's names no paper uses ("tyres",
 * "Lisbon"; not "Qwen3", nor chat shorthand for a corpus word, "doc"), their share of its word weight (idf), and the
 * weight of the words it uses.
 */
function sentenceWords(sentence: string, lexical: TermStats): { unknownWords: number; unknownShare: number; knownMass: number } {
  const known = (t: string) => isKnownTerm(lexical, t) || inSomeReading(t, (x) => isKnownTerm(lexical, x));
  let mass = 0;
  let unknown = 0;
  let unknownWords = 0;
  let knownMass = 0;
  for (const [word] of sentence.matchAll(WORD_RE)) {
    const terms = tokenize(word);
    if (!terms.length || /^\d+$/.test(word)) continue;
    const weight = Math.max(...terms.map((t) => lexical.idf(t)));
    mass += weight;
    if (terms.some(known)) knownMass += weight;
    else if (englishWord(word) || PLACE_OR_PERSON.test(word)) {
      unknown += weight;
      unknownWords++;
    }
  }
  return { unknownWords, unknownShare: mass ? unknown / mass : 0, knownMass };
}

/** A capitalised word of letters only ("Toronto", "Marco's"): a place or a person, in chat; a name of a work has more. */
const PLACE_OR_PERSON = /^\p{Lu}\p{Ll}+(?:['’]s)?$/u;

/** An English word, or a compound or possessive of English words ("all-season", "rain's"). */
function englishWord(word: string): boolean {
  const lower = word.toLowerCase().replace(/['’]s$/, '');
  return isEnglishWord(lower) || lower.split(/[-'’/]/).every((part) => part !== '' && isEnglishWord(part));
}
