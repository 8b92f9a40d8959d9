/**
 * A paper as the tokenizer reads it, worked out once per paper object. One ask reads each retrieved
 * paper several times over (diversity, evidence, answerability, each abstract sentence for the
 * digest), and the papers a team asks about recur from ask to ask: tokenizing them anew each time
 * was most of an offline ask's time. Papers are never changed once loaded.
 *
 * At most `MAX_PAPERS` are kept, the oldest dropped first: a store of 100k papers keeps its paper
 * objects for good but reads abstracts from disk so as not to hold them (paper-text.ts), and the
 * terms of every paper ever asked about would grow back to that. Nothing here keeps a paper alive.
 */
import type { Paper } from '../corpus/types.js';
import { type AcronymTable, mentionsTerm } from './acronyms.js';
import { splitSentences } from './sentences.js';
import { plainHyphens, tokenize, WORD_RE } from './tokenize.js';

export interface Sentence {
  text: string;
  /** Position in the abstract. */
  index: number;
  terms: readonly string[];
}

type Text = Pick<Paper, 'title' | 'abstract'>;

export class TokenizedPaper {
  #titleTerms?: readonly string[];
  #abstractTerms?: readonly string[];
  #title?: ReadonlySet<string>;
  #tf?: ReadonlyMap<string, number>;
  #all?: ReadonlySet<string>;
  #sentences?: readonly Sentence[];
  #words?: readonly string[];

  constructor(private readonly paper: Text) {}

  /** The title's terms in order. */
  get titleTerms(): readonly string[] {
    this.#titleTerms ??= tokenize(this.paper.title);
    return this.#titleTerms;
  }

  /** The abstract's terms in order. */
  get abstractTerms(): readonly string[] {
    this.#abstractTerms ??= tokenize(this.paper.abstract);
    return this.#abstractTerms;
  }

  /** The title's terms. */
  get title(): ReadonlySet<string> {
    this.#title ??= new Set(this.titleTerms);
    return this.#title;
  }

  /** How often each term occurs in the abstract. */
  get tf(): ReadonlyMap<string, number> {
    if (!this.#tf) {
      const tf = new Map<string, number>();
      for (const t of this.abstractTerms) tf.set(t, (tf.get(t) ?? 0) + 1);
      this.#tf = tf;
    }
    return this.#tf;
  }

  /** Every term of the title and the abstract. */
  get all(): ReadonlySet<string> {
    this.#all ??= new Set([...this.titleTerms, ...this.abstractTerms]);
    return this.#all;
  }

  /** The words of the title and the abstract as written, in lower case, compounds also by part ("vision-language"). */
  get words(): readonly string[] {
    if (!this.#words) {
      const out = new Set<string>();
      for (const [w] of plainHyphens(`${this.paper.title}\n${this.paper.abstract}`).toLowerCase().matchAll(WORD_RE)) {
        out.add(w);
        for (const part of w.split(/[-'’/]/)) out.add(part);
      }
      this.#words = [...out];
    }
    return this.#words;
  }

  /** The abstract's sentences in order, each with its terms. */
  get sentences(): readonly Sentence[] {
    this.#sentences ??= splitSentences(this.paper.abstract).map((text, index) => ({ text, index, terms: tokenize(text) }));
    return this.#sentences;
  }
}

/** About as many papers as a few dozen answers read; the shipped corpus (428) fits whole. */
export const MAX_PAPERS = 512;
const memo = new WeakMap<Text, TokenizedPaper>();
const order: WeakRef<Text>[] = [];

export function paperTerms(paper: Text): TokenizedPaper {
  let terms = memo.get(paper);
  if (!terms) {
    terms = new TokenizedPaper(paper);
    memo.set(paper, terms);
    order.push(new WeakRef(paper));
    if (order.length > MAX_PAPERS) {
      const oldest = order.shift()?.deref();
      if (oldest) memo.delete(oldest);
    }
  }
  return terms;
}

/** Whether the paper's title or abstract has the term, directly or through an abbreviation pair ("knowledge distillation" for "KD"). */
export function paperMentions(table: AcronymTable, paper: Text, term: string): boolean {
  const all = paperTerms(paper).all;
  return mentionsTerm(table, (x) => all.has(x), term);
}
