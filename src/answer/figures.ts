/**
 * Numbers in questions and in abstracts. A question may ask for a figure ("how many GPUs did they use?", "what
 * top-1 does the 1B model get?"); a sentence may state one ("trained on 18 trillion tokens"). The digest ranks the
 * sentences stating numbers higher when a question reads as wanting one (`NUMERIC_INTENT`, broad: "avg gain?"
 * counts); answerability asks, of a question that plainly asks for a figure (`figureAsked`, narrow), whether a close
 * match or the paper the asking clause names states one (`statesFigure`). The corpus holds abstracts: a figure none
 * of them states is a detail no paper here gives, and an answer quoting them would read as one that gives it.
 */
import type { Paper } from '../corpus/types.js';
import { paperTerms } from '../index/paper-terms.js';
import { tokenize } from '../index/tokenize.js';

/** A question that may want a number: the digest puts the sentences stating one first. */
export const NUMERIC_INTENT = new RegExp(
  '\\b(how (?:much|many|fast|large|big|long)' +
    '|what (?:accuracy|score|speed ?up|rate|percentage|win rate|gain|reduction|improvement)' +
    '|speed-?up|percent|%|accuracy|times faster|from what to what|number of|reach|claim' +
    // Chat shorthand asks for a quantity by naming it: "GSM8K improvement for 7B?", "size of X?", "avg gain?",
    // "CLIP's token limit?".
    '|improvements?|gains?|boost|increase|reduction|drop|savings?|size|fraction|percentage|share|proportion|ratio' +
    '|rate|score|f1|average|avg|cost|params|parameters|limit|cap|max|maximum|minimum|budget|count|threshold)\\b|\\b(?:by|up to)\\s*\\?',
  'i',
);
const HAS_NUMBER = /\d(?:[\d.,]*)\s*(?:%|x\b|×|times|[BMKkT]\b|(?:tr|b|m)illion|thousand)|\d+\.\d+|\b\d{2,}\b/;
/**
 * A word that starts with letters and carries digits is a name ("Qwen2.5", "GPT-4", "ResNet-50",
 * "Qwen2.5-72B-Instruct"), not a quantity the sentence states: "we present Qwen2.5" answers no
 * "how many tokens". The hyphens and dots inside it are part of the name.
 */
const LETTERS_FIRST = /(?<![\p{L}\p{N}])\p{L}[\p{L}\p{N}]*(?:[-.][\p{L}\p{N}]+)*/gu;
/** Whether a sentence states a number other than one inside a name (linear: a word is matched once, then tested). */
export const statesQuantity = (text: string) => HAS_NUMBER.test(text.replace(LETTERS_FIRST, (w) => (/\d/.test(w) ? ' ' : w)));

/** "a dataset of how long responses tend to be", "a paper on how many layers matter": a topic, not a figure asked. */
const NOT_A_TOPIC = String.raw`(?<!\b(?:of|on|about|in|into|regarding|for|at)\s+)`;

/**
 * Plainly asking for a number: counting ("how many GPUs", "param count"), measuring ("how long did it take", "how big
 * was the speedup", "largest model size"), a difference ("by how much", "how much faster"), a share ("what % of",
 * "what fraction"), a setting ("what lr", "what batch size", "what context length"), a named metric ("what exact
 * speedup", "what's the imagenet top-1") or "= ?" (its "?" ends the clause read). Not "how much forgetting happens"
 * nor "how much does it help": a degree, answered in words (tuning: the idiom probe's plain iq-25 and two dev
 * paraphrases went `low` when "how much" counted).
 */
const WHAT = String.raw`\bwhat(?:'s|\s+is|\s+was)?\s+(?:the\s+)?`;
export const ASKS_FOR_FIGURE = new RegExp(
  [
    String.raw`${NOT_A_TOPIC}\bhow\s+(?:many|long|big|large|fast)\b`,
    String.raw`\bby\s+how\s+(?:much|many|far)\b`,
    String.raw`${NOT_A_TOPIC}\bhow\s+much\s+(?:more|less|fewer|better|worse|\w+er)\b`,
    String.raw`${WHAT}(?:[\w-]+\s+){0,2}(?:accuracy|top-?1|score|speed-?up|throughput|perplexity|percentage|win\s+rate)\b`,
    String.raw`\bwhat\s*%|${WHAT}(?:percent|fraction|share|proportion|ratio)\b|=\s*(?:\?|$)`,
    String.raw`\b(?:param(?:eter)?s?|token|gpu|sample|example|step|layer|head)\s+count\b`,
    String.raw`\b(?:largest|biggest|smallest|max(?:imum)?)\s+(?:model\s+)?(?:size|scale|context|batch)\b`,
    String.raw`${WHAT}(?:learning\s+rate|lr|batch\s+size|context\s+(?:length|window)|temperature|dropout|warmup)\b`,
  ].join('|'),
  'i',
);
/** Words that end what is counted: a verb, preposition, pronoun or conjunction, or a word asking ("total"). */
const ENDS_COUNT =
  'are|is|was|were|do|does|did|have|has|had|can|could|would|should|will|in|of|on|for|to|at|with|from' +
  '|they|it|we|you|i|and|or|total|overall|roughly|exactly|approximately|about';
/**
 * "how many GPUs", "how many attention heads are…", "how many training examples for…": what is counted, its first
 * word and up to two lower-case words after it (case matters here, so "how many GPUs Yi-34B was trained on" counts
 * GPUs), before a word that ends it.
 */
const COUNTED = new RegExp(String.raw`\b[Hh]ow\s+[Mm]any\s+(\p{L}[\p{L}\p{N}-]*(?:\s+(?!(?:${ENDS_COUNT})\b)[a-z][a-z-]*){0,2})`, 'u');
/** Words that ask for the number, not what it is about. */
const ASKING = new Set(
  tokenize('how many much long big large fast more less fewer better worse exact exactly roughly number figure amount total', {
    keepStopwords: true,
  }),
);
/** Where one question of a message ends: "…models, also, how big a setup…", "…tool tokens; by how much…". */
const CLAUSE_END = /[?!;\n]+|\.\s+|,\s*(?:also|and also|plus|oh and)\b/i;

/** The questions of a message, each without the punctuation joining it to the one before. */
export function questionClauses(question: string): string[] {
  return question.split(CLAUSE_END).map((c) => c.replace(/^[\s,:]+/, ''));
}

/** "params" and "parameters": one word cut short (five letters shared), as chat writes it. */
const sameWord = (a: string, b: string) => a === b || (a.length >= 5 && b.length >= 5 && (a.startsWith(b) || b.startsWith(a)));

export interface FigureAsked {
  /** The clause asking for it, which says what the number is of. */
  clause: string;
  /** The terms a sentence stating the figure holds one of: what is counted ("how many GPUs"), else the clause's. */
  about: string[];
  /** The words naming what the clause asks about: all but the asking ones, and but what is counted ("Yi-34B" in "how many GPUs Yi-34B was trained on"). */
  subject: string[];
  /** What is counted, as typed. */
  counted?: string;
}

/** The figure a message plainly asks for, if any: the first clause asking for one. */
export function figureAsked(question: string): FigureAsked | undefined {
  const clause = questionClauses(question).find((c) => ASKS_FOR_FIGURE.test(c));
  if (!clause) return undefined;
  const counted = COUNTED.exec(clause)?.[1];
  const about = [...new Set(tokenize(counted ?? clause))].filter((t) => !ASKING.has(t));
  const subject = [...new Set(tokenize(clause))].filter((t) => !ASKING.has(t) && !(counted && about.includes(t)));
  return about.length ? { clause, about, subject, ...(counted ? { counted } : {}) } : undefined;
}

/** Whether a sentence of the paper states a number next to what the figure is about. */
export function statesFigure(paper: Pick<Paper, 'title' | 'abstract'>, figure: FigureAsked): boolean {
  return paperTerms(paper).sentences.some((s) => statesQuantity(s.text) && s.terms.some((t) => figure.about.some((a) => sameWord(a, t))));
}
