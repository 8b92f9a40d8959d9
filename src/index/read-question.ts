/**
 * A message as retrieval reads it: without Discord's markup (discord-markup.ts) and the names of the people it greets
 * and of its writer (addressing.ts: "Hi Priya, …", "Many thanks,\nHelen"), in lower case if written in capitals,
 * each typo as the corpus word it misses by one edit ("pretarining"), as the quoted question if it relays one, without
 * the sentences about nothing here beside the question when the engine reads it (asides: "… oh and how long can cooked
 * rice sit out?") and the occasions it names in several words (occasions.ts: "happy Lunar New Year"), then without its
 * chat frame ("tldr:", "can someone explain"). Typos come after the capitals (a word in capitals is never corrected)
 * and before the frame, as "heyy quick questoin -" is a frame once "questoin" is "question". The engine reads a
 * question once and searches what it read; the search reads any other text itself.
 */
import { withoutAddressing } from './addressing.js';
import { questionCore, relayedQuestion } from './chat-frame.js';
import { withoutOccasions } from './occasions.js';
import { type AsideReading, withoutAsides } from './question-parts.js';
import { withoutMarkup } from './discord-markup.js';
import { isKnownTerm } from './bm25f.js';
import type { TermStats } from './search-store.js';
import { type Correction, correctSpelling } from './spelling.js';
import { WORD_RE } from './tokenize.js';

export interface ReadQuestion {
  /** The message as typed but for Discord's markup ("**unrelated, but** …"): where frame openers and dates are read. */
  unmarked: string;
  /**
   * The message with its typos read as corpus words, only the quoted question if it relays one (`relayedQuestion`),
   * and without its asides when read for them (`withoutAsides`).
   */
  text: string;
  /** That text without its chat frame: what is searched and graded. */
  core: string;
  corrections: Correction[];
  /** Asides left out that asked something ("should I get winter tyres or all-season ones?"): the reply names them. */
  asides: string[];
}

export function readQuestion(typed: string, lexical: TermStats, asides?: AsideReading): ReadQuestion {
  const unmarked = withoutMarkup(typed);
  const known = (t: string) => isKnownTerm(lexical, t);
  const spelled = correctSpelling(unshout(withoutAddressing(unmarked, known)), lexical);
  const relayed = relayedQuestion(spelled.text, known) ?? spelled.text;
  const read = asides ? withoutAsides(relayed, lexical, asides) : { text: relayed, asked: [] };
  // Occasions go after the asides: their names help tell a line of holiday chat from the question's detail.
  const text = withoutOccasions(read.text);
  return { unmarked, text, core: questionCore(text), corrections: spelled.corrections, asides: read.asked };
}

/** The share of a message's words in capitals from which it is written in capitals. */
const SHOUTED_SHARE = 0.8;
/** ... and the fewest such words: "RLHF vs DPO?" names things. */
const SHOUTED_WORDS = 3;

/** Letters, at least two, and none in lower case: "RLHF", "WHAT'S", "PRE-TRAINING", "GPT-4". */
const inCapitals = (w: string) => /\p{Lu}.*\p{Lu}/su.test(w) && !/\p{Ll}/u.test(w);

/**
 * A message written in capitals ("HOW DOES LORA COMPARE TO FULL FINETUNING") says nothing by its case, yet
 * answerability reads a word in capitals as a name, and a name no paper uses is what it reports missing. Such a
 * message is read in lower case, as chat is mostly typed. Lower-casing only its English words was measured too:
 * it kept shorthand and truncations ("PARAMS", "INIT", "ASTRO") as names (eval tuning halves in capitals, answerable
 * `low` 34 against 18 in lower case and 18 as written).
 */
export function unshout(text: string): string {
  const words = [...text.matchAll(WORD_RE)].map((m) => m[0]).filter((w) => /\p{L}/u.test(w));
  const shouted = words.filter(inCapitals).length;
  return shouted >= SHOUTED_WORDS && shouted >= SHOUTED_SHARE * words.length ? text.toLowerCase() : text;
}
