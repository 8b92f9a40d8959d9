/**
 * How a word of a question reads where it stands: a subject the corpus may lack ("watermarking", "weather",
 * "RWKV") or English around the subject ("the work that ditches concat-and-chunk", "the biggest model", "throw
 * away"). Tagged by compromise's English lexicon and its rules in context; only words its lexicon lists count
 * (a word it guesses from a suffix, "neuromorphic", may be a subject).
 */
import { createRequire } from 'node:module';

type Nlp = typeof import('compromise/two').default;

// Loading the tagger unpacks its lexicon: about 0.3 s, so only a process that meets a word the corpus lacks pays it.
let tagger: Nlp | undefined;
/** The tagger, loaded on first use; the bot loads it at start-up, before it answers anyone. */
export function loadWordClasses(): Nlp {
  tagger ??= createRequire(import.meta.url)('compromise/two') as Nlp;
  return tagger;
}

/** Tags of words that name no subject: verbs, adjectives and adverbs, in context. */
const NOT_SUBJECT = ['Verb', 'Adjective', 'Adverb'];
/** Read as a subject whatever else it is tagged: "model stealing", "voice cloning". */
const SUBJECT = ['Noun', 'Gerund', 'Value'];

interface TaggedTerm {
  normal?: string;
  tags?: string[];
  /** Set when the tagger guessed the word's class (from a suffix or its neighbours), not found in its lexicon. */
  confidence?: number;
}

/**
 * The words of `text` (lower case, whole words only) that read as a verb, adjective or adverb its
 * lexicon lists. A hyphenated or slashed compound is never among them: the tagger reads its parts.
 */
export function wordsNamingNoSubject(text: string): Set<string> {
  const out = new Set<string>();
  // `confidence` is a term option compromise reads but does not declare.
  const nlp = loadWordClasses();
  const options = { terms: { confidence: true } } as Parameters<ReturnType<Nlp>['json']>[0];
  // Chat shorthand for "you" reads as a verb to the tagger, and its neighbour as a noun ("can u flag …").
  const sentences = nlp(text.replace(/\b(?:u|ya)\b/gi, 'you').replace(/\bur\b/gi, 'your')).json(options) as Array<{ terms?: TaggedTerm[] }>;
  for (const s of sentences) {
    const terms = s.terms ?? [];
    for (const [i, t] of terms.entries()) {
      const tags = t.tags ?? [];
      if (!t.normal || t.confidence !== undefined) continue;
      if (!tags.some((x) => NOT_SUBJECT.includes(x))) continue;
      // A gerund taking an object is a verb ("bumping this", "scaling the data"); without one it may name a subject.
      const next = terms[i + 1]?.tags ?? [];
      const verbal = tags.includes('Gerund') && (next.includes('Determiner') || next.includes('Pronoun'));
      if (tags.some((x) => SUBJECT.includes(x)) && !verbal) continue;
      out.add(t.normal);
    }
  }
  return out;
}
