/**
 * How a word of a question reads where it stands: a subject the corpus may lack ("watermarking", "weather",
 * "RWKV") or English around the subject ("the work that ditches concat-and-chunk", "the biggest model", "throw
 * away"). Tagged by compromise's English lexicon and its rules in context; only words its lexicon lists count
 * (a word it guesses from a suffix, "neuromorphic", may be a subject). Words of an idiom ("up to snuff", "the
 * elephant in the room") name no subject either, found in npm `idioms`' list.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Nlp = typeof import('compromise/two').default;

// Loading the tagger unpacks its lexicon: about 0.3 s, so only a process that meets a word the corpus lacks pays it.
let tagger: Nlp | undefined;
/** The tagger and the idiom list, loaded on first use; the bot loads them at start-up, before it answers anyone. */
export function loadWordClasses(): Nlp {
  tagger ??= createRequire(import.meta.url)('compromise/two') as Nlp;
  loadIdiomWindows();
  return tagger;
}

/** Tags of words that name no subject: verbs, adjectives and adverbs, in context. */
const NOT_SUBJECT = ['Verb', 'Adjective', 'Adverb'];
/** Read as a subject whatever else it is tagged: "model stealing", "voice cloning". */
const SUBJECT = ['Noun', 'Gerund', 'Value'];

/** Verbs that take a gerund as their object ("keeps saying", "started using", "tried running"). */
const CATENATIVE = new Set(
  (
    'keep keeps kept keeping start starts started starting stop stops stopped try tries tried trying ' +
    'avoid avoids avoided finish finished begin begins began quit'
  ).split(' '),
);

/**
 * English's indefinite pronouns and adverbs ("nobody had proven", "RL anywhere in"): closed-class words that point
 * at no subject. The tagger reads "nobody" as a noun and guesses "anywhere", so they are listed.
 */
const INDEFINITES = new Set(
  `nobody noone nothing nowhere everybody everyone everything everywhere anywhere anyhow anyway anyways
  somewhere someplace somehow`.split(/\s+/),
);

/**
 * Holidays and festivals, one word each, from general knowledge (not from any question set): a word of a holiday of
 * several ("Lunar New Year", "Golden Week") may be a subject elsewhere ("lunar surface maps"), so only those of one.
 */
const HOLIDAYS = `christmas xmas easter thanksgiving halloween diwali deepavali holi eid ramadan hanukkah chanukah passover pesach
  purim sukkot hashanah kippur songkran nowruz navruz oktoberfest hogmanay midsummer chuseok seollal navratri dussehra
  pongal onam vesak lohri vaisakhi baisakhi kwanzaa juneteenth pentecost whitsun bastille`;
/**
 * Days and months ("happy Friday", "snowing here, in April"), days counted from today and holidays: they say when, and
 * name no subject a paper could lack.
 */
const CALENDAR = new Set(
  `monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september
  october november december today tomorrow tonight yesterday ${HOLIDAYS}`.split(/\s+/),
);

/** A day or a month, as written ("Friday", "april"), a day counted from today ("tomorrow") or a holiday ("Diwali"). */
export const isCalendarWord = (word: string) => CALENDAR.has(word.toLowerCase());

interface TaggedTerm {
  normal?: string;
  tags?: string[];
  /** Set when the tagger guessed the word's class (from a suffix or its neighbours), not found in its lexicon. */
  confidence?: number;
}

/** The last text tagged and its reading: a question's words are read twice (what names no subject, verbs after "to"). */
let lastTagged: { text: string; sentences: Array<{ terms?: TaggedTerm[] }> } | undefined;

/** The tagger's reading of `text`, sentence by sentence, each word with its tags and whether they were guessed. */
function taggedSentences(text: string): Array<{ terms?: TaggedTerm[] }> {
  if (lastTagged?.text === text) return lastTagged.sentences;
  // `confidence` is a term option compromise reads but does not declare.
  const options = { terms: { confidence: true } } as Parameters<ReturnType<Nlp>['json']>[0];
  // Chat shorthand for "you" reads as a verb to the tagger, and its neighbour as a noun ("can u flag …").
  const read = text.replace(/\b(?:u|ya)\b/gi, 'you').replace(/\bur\b/gi, 'your');
  const sentences = loadWordClasses()(read).json(options) as Array<{ terms?: TaggedTerm[] }>;
  lastTagged = { text, sentences };
  return sentences;
}

/**
 * The words of `text` (lower case, whole words only) that read as a verb, adjective or adverb its
 * lexicon lists, that stand in an idiom (`wordsInIdioms`), or that say how many ("a bunch of") or which
 * part of the work ("audio side:"). A hyphenated or slashed compound is never among them: the tagger
 * reads its parts.
 */
export function wordsNamingNoSubject(text: string): Set<string> {
  const out = wordsInIdioms(text);
  for (const w of framingNouns(text)) out.add(w);
  for (const s of taggedSentences(text)) {
    const terms = s.terms ?? [];
    for (const [i, t] of terms.entries()) {
      const tags = t.tags ?? [];
      if (t.normal && (INDEFINITES.has(t.normal) || CALENDAR.has(t.normal))) out.add(t.normal);
      if (!t.normal || t.confidence !== undefined) continue;
      if (!tags.some((x) => NOT_SUBJECT.includes(x))) continue;
      // A gerund taking an object is a verb ("bumping this", "scaling the data"), and so is one after a verb that
      // takes a gerund ("everyone keeps saying CPT", "started using"); else it may name a subject ("model stealing":
      // the tagger may read "model" as a verb).
      const next = terms[i + 1]?.tags ?? [];
      const afterVerb = CATENATIVE.has(terms[i - 1]?.normal ?? '');
      // A phrasal verb's gerund is a verb too ("knocking out heads").
      const verbal =
        tags.includes('Gerund') && (next.includes('Determiner') || next.includes('Pronoun') || next.includes('Particle') || afterVerb);
      if (tags.some((x) => SUBJECT.includes(x)) && !verbal) continue;
      out.add(t.normal);
    }
  }
  return out;
}

/**
 * The words of `text` (lower case) that follow "to" as its verb ("pretrained on ECGs to *detect* PTSD"), guessed
 * ones too: "to" opens no phrase naming where work is taken there.
 */
export function verbsAfterTo(text: string): Set<string> {
  const out = new Set<string>();
  for (const s of taggedSentences(text)) {
    const terms = s.terms ?? [];
    for (const [i, t] of terms.entries()) {
      const next = terms[i + 1];
      if (t.normal === 'to' && next?.normal && next.tags?.includes('Infinitive')) out.add(next.normal);
    }
  }
  return out;
}

/**
 * Whether a phrase only names things ("per diem for the nyc trip", "data mixing for llama"): no verb but a gerund
 * inside it, no pronoun, question word or interjection. A clause tells or asks something ("my labmate and i have a
 * bet going", "deadline is tonight", "asking for a friend"); "no rush tho" is an interjection's.
 */
export function namesOnly(text: string): boolean {
  const doc = loadWordClasses()(text);
  if (doc.has('(#Pronoun|#QuestionWord|#Expression)')) return false;
  if (doc.match('#Verb').not('#Gerund').found) return false;
  return !doc.terms().first().has('#Gerund');
}

/**
 * A noun saying how many ("a bunch of", "a ton of", "loads of", "a handful of"): an amount, not a subject, though a
 * noun to the tagger ("pull out a bunch of differently sized backbones").
 */
const AMOUNT_ONE = 'bunch|ton|load|lot|couple|handful|heap|pile|slew|boatload|truckload|shitload';
const AMOUNT_MANY = 'tons|loads|lots|heaps|piles|bunches|boatloads';
const QUANTITY = new RegExp(String.raw`\b(?:an?\s+(?:whole\s+|huge\s+|big\s+|small\s+)?(${AMOUNT_ONE})|(${AMOUNT_MANY}))\s+of\b`, 'gi');

/** The nouns of `text` (lower case) that say how many: "bunch" in "a bunch of", "tons" in "tons of". */
export function quantityWords(text: string): Set<string> {
  return new Set([...text.matchAll(QUANTITY)].map((m) => (m[1] ?? m[2]).toLowerCase()));
}

/**
 * A noun saying which part of the work is meant ("audio side: …", "on the eval front", "the data side of things"):
 * where the question is, not what it asks about, though a noun to the tagger. Only after a word naming that part, so
 * "side effects" and "side by side" are not read so.
 */
const AREA_NOUN = '(side|front)';
const AREA = new RegExp(
  [
    // "on the audio side", "from the infra front"
    String.raw`\b(?:on|from|at)\s+(?:the|our|my|their|your)\s+(?:[\w-]+\s+){1,2}?${AREA_NOUN}\b(?![\w-]*\s+(?:effects?|channels?|by)\b)`,
    // "audio side: …", "eval front -" opening a message
    String.raw`^\s*(?:[\w-]+\s+){1,2}?${AREA_NOUN}\s*(?:[:,\u2014\u2013]|\s-\s)`,
    // "the data side of things"
    String.raw`\b[\w-]+\s+${AREA_NOUN}\s+of\s+things\b`,
  ].join('|'),
  'gi',
);

/** The nouns of `text` (lower case) that say how many ("a bunch of") or which part of the work ("audio side:"). */
export function framingNouns(text: string): Set<string> {
  const out = quantityWords(text);
  for (const m of text.matchAll(AREA)) out.add((m[1] ?? m[2] ?? m[3]).toLowerCase());
  return out;
}

/** Words in a row of an idiom that a question must share with it for its words to read as the idiom's. */
const IDIOM_WINDOW = 3;
const IDIOM_WORD = /[a-z]+(?:'[a-z]+)?/g;
let idiomWindows: Set<string> | undefined;

/** Every run of three words of an English idiom list (npm `idioms`, 7,272 idioms: "the jury is still out", "up to snuff"). */
function loadIdiomWindows(): Set<string> {
  if (idiomWindows) return idiomWindows;
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('idioms/package.json')), 'idioms.txt');
  const out = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const words = line.toLowerCase().match(IDIOM_WORD) ?? [];
    for (let i = 0; i + IDIOM_WINDOW <= words.length; i++) out.add(words.slice(i, i + IDIOM_WINDOW).join(' '));
  }
  idiomWindows = out;
  return out;
}

/**
 * The words of `text` (lower case) that stand in three words in a row of an English idiom ("is FineWeb up to *snuff*",
 * "the *elephant* in the room", "the *upshot* of"): the idiom's, not a subject. In another word order ("is the jury
 * still out") no run is the idiom's.
 */
export function wordsInIdioms(text: string): Set<string> {
  const windows = loadIdiomWindows();
  const words = text.toLowerCase().replace(/[’]/g, "'").match(IDIOM_WORD) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + IDIOM_WINDOW <= words.length; i++) {
    const run = words.slice(i, i + IDIOM_WINDOW);
    if (windows.has(run.join(' '))) for (const w of run) out.add(w);
  }
  return out;
}
