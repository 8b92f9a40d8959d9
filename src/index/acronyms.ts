/**
 * Abbreviation <-> expansion pairs mined from the corpus itself ("Low-Rank Adaptation (LoRA)",
 * "knowledge distillation (KD)"), so answerability checks count a paper that spells out "KD" as
 * mentioning it. Adding the long form to search queries was tried and dropped: it moved held-out
 * Recall@1 up by 0.006 but pushed one dev question's paper from rank 2 to 3 ("tasks like NER"
 * expanded to "named entity recognition", though NER was only an example). Mined once per generation, when the answer
 * engine or the retriever first needs them (about a millisecond per hundred abstracts), and kept
 * with that generation's paper list.
 */
import type { Paper } from '../corpus/types.js';
import { isStopword, tokenize } from './tokenize.js';

export interface AcronymTable {
  /** Short form term (tokenized: "lora") -> expansions, each as its terms (["low", "rank", "adapt"]). */
  expansions: Map<string, string[][]>;
}

/** "(LoRA)", "(RLHF)", "(KD)": 2-10 characters, starting with a letter, with at least two capitals. */
const SHORT_IN_PARENS = /\(([A-Za-z][A-Za-z0-9-]{1,9})\)/g;
/** Words a long form may hold that its abbreviation skips ("reinforcement learning from human feedback"). */
const MAX_EXTRA_WORDS = 3;

/**
 * The long form an abbreviation stands for, from the words just before it (Schwartz & Hearst,
 * 2003): the shortest tail of those words in which the abbreviation's letters occur in order,
 * right to left, its first letter starting a word, and every word's initial consumed by it or
 * the word a function word.
 */
export function longFormFor(short: string, before: string): string | undefined {
  const letters = short.replace(/s$/, '').replace(/[^A-Za-z0-9]/g, '');
  if ((short.match(/[A-Z]/g) ?? []).length < 2 || letters.length < 2) return undefined;
  const words = before.trimEnd().split(/\s+/).filter(Boolean);
  const maxWords = Math.min(words.length, letters.length + MAX_EXTRA_WORDS);
  for (let n = 1; n <= maxWords; n++) {
    const tail = words.slice(words.length - n);
    const text = tail.join(' ');
    if (!/^[A-Za-z]/.test(text) || /[.;:!?()]/.test(text.slice(0, -1))) return undefined;
    if (matchesLetters(letters.toLowerCase(), text.toLowerCase())) {
      // Every content word's initial must belong to the abbreviation: "the key-value (KV)" is "key-value".
      const initials = tail.flatMap((w) => w.split('-')).filter((w) => w && !isStopword(w.toLowerCase()));
      const covered = initials.every((w) => letters.toLowerCase().includes(w[0].toLowerCase()));
      if (covered) return text.replace(/[^A-Za-z0-9]+$/, '');
    }
  }
  return undefined;
}

function matchesLetters(letters: string, text: string): boolean {
  let t = text.length - 1;
  for (let s = letters.length - 1; s >= 0; s--) {
    const c = letters[s];
    // The first letter must start a word; the others may sit anywhere ("LoRA": Low-Rank Adaptation).
    while (t >= 0 && (text[t] !== c || (s === 0 && t > 0 && /[a-z0-9]/.test(text[t - 1])))) t--;
    if (t < 0) return false;
    t--;
  }
  return true;
}

/** Each "long form (SHORT)" a text spells out, as written: what the miner counts and the digest quotes. */
export function* spelledOutPairs(text: string): Generator<{ short: string; long: string }> {
  for (const m of text.matchAll(SHORT_IN_PARENS)) {
    const long = longFormFor(m[1], text.slice(Math.max(0, m.index - 200), m.index));
    if (long) yield { short: m[1], long };
  }
}

/** Mines texts one at a time (a loader feeds it each abstract while it still has it). */
export class AcronymMiner {
  private readonly counts = new Map<string, Map<string, { terms: string[]; n: number }>>();

  add(text: string): void {
    for (const { short: written, long } of spelledOutPairs(text)) {
      const [short] = tokenize(written.replace(/s$/, ''), { keepStopwords: true });
      const terms = tokenize(long);
      if (!short || terms.length < 2 || terms.includes(short)) continue;
      const key = terms.join(' ');
      const forShort = this.counts.get(short) ?? new Map();
      const entry = forShort.get(key) ?? { terms, n: 0 };
      entry.n++;
      forShort.set(key, entry);
      this.counts.set(short, forShort);
    }
  }

  table(): AcronymTable {
    const expansions = new Map<string, string[][]>();
    for (const [short, forms] of this.counts) {
      expansions.set(
        short,
        [...forms.values()].sort((a, b) => b.n - a.n).map((f) => f.terms),
      );
    }
    return { expansions };
  }
}

export function mineAcronyms(texts: Iterable<string>): AcronymTable {
  const miner = new AcronymMiner();
  for (const text of texts) miner.add(text);
  return miner.table();
}

/** The text of a paper that acronyms are mined from. */
export function acronymSource(p: Pick<Paper, 'title' | 'abstract'>): string {
  return `${p.title}. ${p.abstract}`;
}

const tables = new WeakMap<readonly Paper[], AcronymTable>();

/** The generation's table, mined on first use and kept as long as its paper list lives. */
export function acronymsOf(papers: readonly Paper[]): AcronymTable {
  let table = tables.get(papers);
  if (!table) {
    // One text at a time: an array of them all would be a second copy of every abstract (~150 MB
    // at 100k papers) at load's peak.
    table = mineAcronyms(
      (function* () {
        for (const p of papers) yield acronymSource(p);
      })(),
    );
    tables.set(papers, table);
  }
  return table;
}

/**
 * Record the table a loader mined while it read `papers` (whose abstracts it does not keep in
 * memory: mining them later would read every abstract back from disk).
 */
export function rememberAcronyms(papers: readonly Paper[], table: AcronymTable): void {
  tables.set(papers, table);
}

/** Whether a set of paper terms mentions the term, directly or through an abbreviation pair. */
export function mentionsTerm(table: AcronymTable, has: (t: string) => boolean, term: string): boolean {
  if (has(term)) return true;
  const forms = table.expansions.get(term);
  return forms?.some((f) => f.every(has)) ?? false;
}
