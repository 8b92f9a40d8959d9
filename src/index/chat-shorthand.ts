/**
 * ML chat shorthand ("avg", "ckpt", "img cls") for words papers write in full. A query also
 * searches the word a shorthand stands for (queryTerms), and answerability reads a shorthand word
 * as known when the corpus knows that word, so "avg gain?" finds "average gain" and is not graded
 * low for "no paper here mentions avg". (British spellings, "neighbours" for "neighbors", were
 * tried in the answerability check and changed no question of the tuning or held-out half.)
 */
import { tokenize } from './tokenize.js';

/**
 * Shorthand whose meaning in a question about ML papers is not in doubt (plurals, "imgs", are the
 * tokenizer's stems of these). Ambiguous ones stay out:
 * "ppl" (perplexity or people), "gen" (generation or general), "diff" (difference or diffusion), "prob"
 * (probability or problem).
 */
const SHORTHAND: Record<string, string> = {
  approx: 'approximately',
  arch: 'architecture',
  attn: 'attention',
  avg: 'average',
  bc: 'because',
  bs: 'batch size',
  ckpt: 'checkpoint',
  clf: 'classifier',
  cls: 'classification',
  combo: 'combination',
  ctx: 'context',
  dedup: 'deduplication',
  doc: 'document',
  emb: 'embedding',
  esp: 'especially',
  eval: 'evaluation',
  hparams: 'hyperparameters',
  hyperparams: 'hyperparameters',
  img: 'image',
  impl: 'implementation',
  info: 'information',
  lr: 'learning rate',
  max: 'maximum',
  num: 'number',
  perf: 'performance',
  pt: 'pretraining',
  repr: 'representation',
  seq: 'sequence',
  sota: 'state of the art',
  thru: 'through',
  tok: 'token',
  vram: 'GPU memory',
};

/** Shorthand term (as the tokenizer gives it) -> the terms of what it stands for. */
const EXPANSIONS = new Map(Object.entries(SHORTHAND).flatMap(([short, long]) => tokenize(short).map((t) => [t, tokenize(long)] as const)));

/**
 * A name in the plural ("A100s", "H100s", "T5s"): the tokenizer stems words, not names, so the corpus has only the
 * singular. A letter first: "1990s" is a decade.
 */
const NAME_PLURAL = /^[a-z][a-z0-9]*\ds$/;

/** The terms a shorthand term stands for ("avg": ["averag"], "a100s": ["a100"]), or undefined when it is none. */
export function shorthandFor(term: string): string[] | undefined {
  return EXPANSIONS.get(term) ?? (NAME_PLURAL.test(term) ? [term.slice(0, -1)] : undefined);
}

/**
 * Shorthand with more than one reading in ML chat: never searched (which one is meant is in doubt), but no word
 * the corpus lacks either, when it writes one of the readings ("the previous gen", "wildly diff lengths").
 */
const READINGS: Record<string, string[]> = {
  diff: ['difference', 'diffusion'],
  gen: ['generation', 'general'],
  ppl: ['perplexity', 'people'],
  prob: ['probability', 'problem'],
};
const READING_TERMS = new Map(
  Object.entries(READINGS).flatMap(([short, longs]) => tokenize(short).map((t) => [t, longs.map((l) => tokenize(l))] as const)),
);

/**
 * Whether a shorthand term stands for words that all pass `holds` in one of its readings: that of `shorthandFor`, else
 * one of an ambiguous shorthand's ("gen": "generation" or "general"). False for a term that is no shorthand.
 */
export function inSomeReading(term: string, holds: (t: string) => boolean): boolean {
  const one = shorthandFor(term);
  return (one ? [one] : (READING_TERMS.get(term) ?? [])).some((reading) => reading.every(holds));
}
