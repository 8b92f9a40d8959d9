/**
 * How well retrieval evidence answers the question: `none` (nothing in the corpus is close:
 * refuse), `low` (answer with the closest papers, saying plainly what no paper mentions) or
 * `high`. `none` only when no paper matches, the best one covers almost none of the question, or
 * most of the question is words no paper uses. The finer signals grade an answer `low` rather
 * than refusing it, because on questions written by others they misfire on answerable ones
 * (abbreviations the papers spell out, ordinary two-part questions). Signals for `low`: the
 * question names something (a method, model or dataset) the corpus never mentions; the question
 * names something the corpus does know, but the evidence is split (the best paper never names
 * it, and the close matches that do name it cover little else of the question: "KV cache" +
 * "2-bit quantization" when the corpus has quantization papers and, separately, KV-cache papers);
 * the most complete close match lacks two content words, or one rare subject word ("speech" in at
 * most ~3% of the papers), that another close match is about (a split by topic); or a large share
 * of the question is words no paper uses; or the best match says little of the question in meaning, each word by
 * its nearest word in general English word vectors (meaning-coverage.ts). A split's `low` says no paper joins the missing words
 * with the rest of the question, since other papers do mention them. A follow-up rewritten from its
 * thread is graded on its own words; it is `low` when it takes the thread's work to a subject ("…for
 * MoE models?", "…to video?") that no close match mentions, or asks what thing the work used ("what robot arm?")
 * when no close match says anything of it (asked-thing.ts). A question plainly asking for a figure ("how many GPUs
 * did they use?") is `low` when no close match's abstract states a number about it (figures.ts); one taking a method to a
 * field ("…but for ViTs") when the best match never names the field and no close match naming it covers as much of
 * the question (fields.ts). With an LLM, this
 * decides only `none`; the model judges the rest (INSUFFICIENT_EVIDENCE, PARTIAL_EVIDENCE), as PaperQA2 does.
 * The thresholds are the profile's `answerability` settings (settings.ts).
 */
import { type AcronymTable, acronymsOf } from '../index/acronyms.js';
import { bm25Idf, docFreqOf, isKnownTerm } from '../index/bm25f.js';
import { queryTerms } from '../index/lexical.js';
import { opensQuestion, sentencesOf } from '../index/question-parts.js';
import { withoutChatClauses } from '../index/chat-clauses.js';
import { QUESTION_NOUN } from '../index/chat-frame.js';
import { hasPaperTitled } from '../index/paper-resolver.js';
import { paperMentions, paperTerms } from '../index/paper-terms.js';
import { spaceUnspacedScripts, tokenize, WORD_RE } from '../index/tokenize.js';
import { loadWordVectors, type WordSimilarity } from '../index/word-vectors.js';
import { askersLanguage, inAnotherLanguage } from '../index/asker-language.js';
import { inSomeReading, shorthandFor } from '../index/chat-shorthand.js';
import type { PaperHit, SearchFilter } from '../index/search.js';
import type { CorpusSnapshot, TermStats } from '../index/search-store.js';
import { describeFilter, hasUserFilter } from '../search-filter.js';
import type { AnswerabilitySettings } from './settings.js';
import { askedThings } from './asked-thing.js';
import { fieldsNamed } from './fields.js';
import { type FigureAsked, figureAsked, statesFigure } from './figures.js';
import { meaningCoverage } from './meaning-coverage.js';
import { asksForList, asksSeveral, type Evidence, idfShare } from './sources.js';
import { framingNouns, isCalendarWord, namesOnly, verbsAfterTo, wordsInIdioms, wordsNamingNoSubject } from './word-class.js';

/**
 * What answerability reads of the corpus: its term statistics and its abbreviation pairs, never
 * the retriever (the hits are searched before, by the caller).
 */
export interface CorpusTerms {
  termStats: TermStats;
  acronyms: AcronymTable;
  /** Whether a paper of the corpus has this title (or one holding all its words); unset, quoted titles are not checked. */
  hasTitle?: (title: string) => boolean;
  /** General English word vectors (loaded on first call), for how near in meaning a question is to a paper; unset: not read. */
  wordVectors?: () => WordSimilarity;
}

/** The corpus terms of one generation (its abbreviation table is mined once per generation and cached). */
export function corpusTerms(corpus: Pick<CorpusSnapshot, 'termStats' | 'papers' | 'paperById'>): CorpusTerms {
  return {
    termStats: corpus.termStats,
    acronyms: acronymsOf(corpus.papers),
    hasTitle: (t) => hasPaperTitled(corpus, t),
    wordVectors: loadWordVectors,
  };
}

const QUOTED = /["“”]([^"“”\n]{8,200})["“”]/g;

/**
 * Spans in double quotes that read as a paper's title ("Attention Is All You Need"): three words or more, half of
 * them or more in title case (a capital, then a small letter: acronyms do not count, so a quoted keyword question
 * such as "LAWA-style ckpt averaging vs EMA/SWA for LLM PT" is none), and no question mark at the end (someone's
 * question quoted whole).
 */
export function quotedTitles(question: string): string[] {
  return [...question.matchAll(QUOTED)]
    .map((m) => m[1].trim())
    .filter((t) => {
      const words = t.split(/\s+/);
      return !t.endsWith('?') && words.length >= 3 && words.filter((w) => /^(?:\p{Lu}\p{Ll}|\p{N})/u.test(w)).length * 2 >= words.length;
    });
}

// Acronyms (KV, NER), CamelCase (DreamBooth), names with digits (H100, Phi-2), Capitalised words.
// Matches must be whole words, so "LLaMA" is one name rather than the fragments "LLa" and "MA".
const ENTITY_RE =
  /(?<![A-Za-z0-9])(?:[A-Z]{2,}[a-z]*s?|[A-Za-z]*[a-z][A-Z][A-Za-z]*|[A-Za-z]+-?\d+[A-Za-z0-9-]*|[A-Z][a-z]+(?:-[A-Za-z]+)*)(?![A-Za-z0-9])/g;
/** One plain capitalised word ("Stable", "Diffusion"): often an ordinary word inside a product name. */
const PLAIN_WORD = /^[A-Z][a-z]+$/;

/**
 * "tasks like NER", "such as Mixtral", "Mixtral-style models": the name is an example of what the
 * user means, not the thing asked about, so a paper need not mention it to answer.
 */
const EXAMPLE_BEFORE = /(?:\blike|\bsuch as|\be\.g\.,?|\bi\.e\.,?|\bfor (?:example|instance),?|\bsimilar to|\bincluding|\bakin to)\s*$/i;
const EXAMPLE_MARK = '-(?:style|like|ish|type|esque|inspired)';
/** "Mixtral-style" as one name. */
const EXAMPLE_SUFFIX = new RegExp(`${EXAMPLE_MARK}$`, 'i');
/** "-style" right after a name ("BERT-style": the name matched is "BERT"). */
const EXAMPLE_SUFFIX_AFTER = new RegExp(`^${EXAMPLE_MARK}\\b`, 'i');
const EXAMPLE_MARKS = new RegExp(`${EXAMPLE_MARK}\\b`, 'gi');

export interface EntityMention {
  name: string;
  /** Named only as an example ("like NER", "Mixtral-style"). */
  example: boolean;
}

/** The text without the names given as examples, and the "-style" that marks them: they are not part of what is asked. */
function withoutExamples(text: string, entities: EntityMention[]): string {
  let out = text.replace(EXAMPLE_MARKS, ' ');
  for (const e of entities) if (e.example) out = out.split(e.name.replace(EXAMPLE_SUFFIX, '')).join(' ');
  return out;
}

/** Named things in a question with whether each is only an example, skipping a capital that only starts a sentence. */
export function entityMentions(question: string): EntityMention[] {
  const out: EntityMention[] = [];
  for (const m of question.matchAll(ENTITY_RE)) {
    const before = question.slice(0, m.index).trimEnd();
    const sentenceStart = before === '' || /[.!?:]$/.test(before);
    if (sentenceStart && /^[A-Z][a-z]+$/.test(m[0])) continue;
    if (/^(?:I|I'm|LLMs?|LMs?|AI|ML|NLP)$/.test(m[0]) || isCalendarWord(m[0])) continue;
    if (out.some((e) => e.name === m[0])) continue;
    const after = question.slice(m.index + m[0].length);
    const example = EXAMPLE_BEFORE.test(question.slice(0, m.index)) || EXAMPLE_SUFFIX.test(m[0]) || EXAMPLE_SUFFIX_AFTER.test(after);
    out.push({ name: m[0], example });
  }
  return out;
}

/** Named things in a question, skipping a capital that only starts a sentence. */
export function namedEntities(question: string): string[] {
  return entityMentions(question).map((e) => e.name);
}

export type Confidence = 'high' | 'low' | 'none';

export interface ConfidenceDecision {
  confidence: Confidence;
  /** Why it is not `high`. */
  reason?: string;
  /** The question's words or names no close paper mentions (for "no paper here mentions X"). */
  missing: string[];
  /**
   * The missing words are in the corpus, only in other papers than those covering the rest of the
   * question (split evidence): "no paper here joins X with the rest of the question".
   */
  apart?: boolean;
  /** What the missing words are apart from is the thread's earlier question, not the rest of this one (a follow-up). */
  fromThread?: boolean;
}

export interface AbstainOptions {
  /** The search's filter, so that an empty result caused by it says so rather than blaming the corpus. */
  filter?: SearchFilter;
  /**
   * The question is a follow-up, graded on its own words while its search carried the thread's: `pointed` when
   * it names papers of the thread ("which of these…", "it"), whose wording about them is no gap in the corpus;
   * `searched` is the text its search read, thread words included.
   */
  followUp?: { pointed: boolean; searched: string };
}

export function decideConfidence(
  corpus: CorpusTerms,
  question: string,
  hits: PaperHit[],
  evidence: Evidence,
  settings: AnswerabilitySettings,
  opts: AbstainOptions = {},
): ConfidenceDecision {
  if (hits.length === 0) {
    const reason = hasUserFilter(opts.filter)
      ? `no paper ${describeFilter(opts.filter)} matches it`
      : inAnotherLanguage(question, (t) => isKnownTerm(corpus.termStats, t))
        ? 'the papers here are in English, and no word of the question is one they use'
        : 'no paper in the corpus matches the question';
    return { confidence: 'none', reason, missing: [] };
  }
  // Refusing says nothing here is close: not so when the best match shares a rare word or several common ones.
  // The unit of both "close" and "thin": the idf of a word only one paper uses.
  const rareWord = bm25Idf(corpus.termStats.size, 1);
  const somethingClose = evidence.sharedIdf >= settings.noneSharedWords * rareWord;
  const lexical = corpus.termStats;
  const table = corpus.acronyms;
  const entities = entityMentions(question).map((e) => ({ ...e, terms: nameTerms(e.name) }));
  const close = closeMatches(hits, table, settings);
  // Initialisms a close match spells out ("NI": "Natural Instructions").
  const spelled = new Set(entities.filter((e) => close.some((p) => spellsInitials(p, e.name))).flatMap((e) => e.terms));
  // Known: in the corpus, an abbreviation it only spells out ("KD" for "knowledge distillation"), an
  // initialism a close match spells out, or chat shorthand for a word the corpus uses ("avg" for "average").
  const known = (t: string) =>
    isKnownTerm(lexical, t) || table.expansions.has(t) || spelled.has(t) || inSomeReading(t, (x) => isKnownTerm(lexical, x));
  // ... or a truncation the close matches spell out in full ("params").
  const knownHere = (t: string) => known(t) || spelledOutIn(close, t);
  // A clause carries the question when it names something or uses a content word the best match
  // mentions. Not any close match: chat words are searched too, and "this came up in my notes" finds a
  // clinical-notes paper among them.
  const named = new Set(entities.filter((e) => !e.example).flatMap((e) => e.terms));
  const carries = (t: string) => named.has(t) || (knownHere(t) && lexical.idf(t) >= settings.split.contentIdf && mentions(close[0], t));
  // Words in the asker's language ("LoRA는 뭐야?", "was ist LoRA?") are neither missing nor a subject.
  const foreign = askersLanguage(question, (t) => isKnownTerm(lexical, t));
  // The question as answerability reads it: without its chat clauses.
  const asked = withoutChatClauses(question, knownHere, carries, lackedSubjects(question, knownHere, foreign));
  // `none` says nothing here is close. A message asking, in a sentence of its own, something a close match covers,
  // beside chat or a request no paper answers ("how many tokens is FineWeb? and while you are at it, tell me why my
  // toaster only toasts one side"), is answered, `low`.
  const refused = () =>
    askedInPart(lexical, settings, asked, close, (s) => unknownWords(lexical, s, entities, knownHere, foreign).share) ? 'low' : 'none';
  // Refused only when the best match covers little of the question also as answerability reads it: a chat sentence
  // with a corpus word ("the delivery guy said he'd be here in 5 minutes. so meanwhile, …") is no part of it.
  if (evidence.coverage < settings.coverage && !somethingClose && coverageOf(lexical, asked, hits[0]) < settings.coverage) {
    return {
      confidence: refused(),
      reason: `the best match covers only ${(evidence.coverage * 100).toFixed(0)}% of the question`,
      missing: [],
    };
  }
  const gap = unknownWords(lexical, asked, entities, knownHere, foreign);
  if (gap.share >= settings.noneUnknownWordShare && !somethingClose) {
    return { confidence: refused(), reason: `the corpus never mentions ${gap.words.join(', ')}`, missing: gap.words };
  }
  // A paper asked about by its title that no paper here has: whatever the closest work says, it is not that paper's.
  const hasTitle = corpus.hasTitle;
  const untitled = hasTitle && quotedTitles(question).find((t) => !hasTitle(t));
  if (untitled) return { confidence: 'low', reason: `the corpus has no paper titled "${untitled}"`, missing: [] };
  // In a question in another language, a plain capitalised word is more likely its noun ("Unterschied") than a name.
  const ownWord = (e: { name: string; terms: string[] }) => PLAIN_WORD.test(e.name) && e.terms.every(foreign);
  const unknown = entities.filter(
    (e) => !e.example && e.terms.length > 0 && e.terms.every((t) => !known(t)) && !ownWord(e) && !capitalisedWord(question, e.name),
  );
  if (unknown.length > 0) {
    const names = unknown.map((u) => u.name);
    return { confidence: 'low', reason: `the corpus never mentions ${names.join(', ')}`, missing: names };
  }
  const phrase = unwrittenName(question, hits);
  if (phrase) return { confidence: 'low', reason: `no paper found names ${phrase}`, missing: [phrase] };
  // What was searched, said of a follow-up in another language: the words carried from its thread.
  const searched = opts.followUp?.searched;
  const read = searched
    ? readInOtherLanguage(
        searched,
        withoutChatClauses(searched, knownHere, carries),
        known,
        askersLanguage(searched, (t) => isKnownTerm(lexical, t)),
      )
    : readInOtherLanguage(question, asked, known, foreign);
  if (read) {
    const words = read.map((w) => (w === '…' ? w : `"${w}"`)).join(', ');
    return {
      confidence: 'low',
      reason: `the papers here are in English, so only ${words} ${read.length > 1 ? 'were' : 'was'} searched`,
      missing: [],
    };
  }
  if (settings.singlePaper) {
    // A question naming the best paper's own rare method or model ("DropPos ImageNet-1K results")
    // is about that paper; details its abstract lacks are for the answer to report. Its own name is
    // in its title: "VLMs" in the abstract of a VLM pre-training paper is vocabulary, and a question
    // joining VLMs with RLHF is not about that paper.
    const { title } = paperTerms(hits[0].paper);
    const anchored = entities.some((e) => isSpecificName(lexical, settings, e) && e.terms.every((t) => title.has(t)));
    const split =
      splitByName(lexical, settings, question, close, entities) ??
      (anchored ? undefined : splitByTopic(lexical, settings, question, close, entities));
    if (split) return { confidence: 'low', ...split, apart: true };
  }
  // A follow-up takes the thread's work somewhere ("…for MoE models?"); "has anyone applied X to PPO?", "does X also
  // work for speech?" ask whether work took X there. The search read both, so a paper joining them is among the close
  // matches. Only so asked: read in any question, a word after a preposition the close matches lack cost answers (eval
  // tuning halves, measured so: unanswerable flagged 67 -> 73 of 86, answerable `low` 15 -> 36).
  const takenTo = opts.followUp ? question : ASKS_WHETHER_DONE.test(asked) ? asked : undefined;
  const alone = takenTo === undefined ? undefined : newSubject(lexical, takenTo, close, entities, knownHere);
  if (alone) {
    const fromThread = opts.followUp !== undefined;
    return {
      confidence: 'low',
      reason: `no paper here joins ${alone} with ${fromThread ? 'the earlier question' : 'the rest of the question'}`,
      missing: [alone],
      apart: true,
      ...(fromThread ? { fromThread } : {}),
    };
  }
  if (gap.subjectShare >= settings.unknownWordShare && !opts.followUp?.pointed) {
    return { confidence: 'low', reason: `the corpus never mentions ${gap.subjects.join(', ')}`, missing: gap.subjects };
  }
  // Asked for a figure ("how many GPUs…?"), a close match or the paper the asking clause names must state one: the
  // corpus holds abstracts, and a figure none of them gives is a detail no paper here answers. Read in the question as
  // typed: the chat clauses `asked` drops can hold it ("GrowLength: how many steps …") or show it is no figure asked
  // ("is there a dataset of how long responses are").
  const figure = figureAsked(question);
  if (figure) {
    // A follow-up's clause names no paper of its own: it asks about the thread's, which are the close matches.
    const checked = opts.followUp ? close : [...close, ...namedIn(figure, hits, table, asked, lexical)];
    if (!checked.some((p) => statesFigure(p.hit.paper, figure))) {
      const what = figure.counted ? `no number of "${figure.counted}"` : 'no such figure';
      return { confidence: 'low', reason: `the closest papers' abstracts give ${what}`, missing: [] };
    }
  }
  // A follow-up asking what or which thing the thread's work used ("what robot arm did they use?"): when no close
  // match says anything of it, in words or in meaning, the abstract does not give it. Only in a thread: read in
  // single questions too, nothing changed on the tuning halves, so it is not. Tuning follow-ups: unanswerable flagged
  // 7 -> 8 of 12; judged blind on 80 questions of details (twenty-fourth round): 1 -> 2 of 20 in a thread, answerable
  // unchanged.
  if (opts.followUp && !figure) {
    const lacked = thingNoPaperSays(lexical, question, close, corpus.wordVectors, settings.meaning?.nearWord ?? NEAR_THING);
    if (lacked) return { confidence: 'low', reason: `the closest papers' abstracts do not say which ${lacked}`, missing: [] };
  }
  // Coverage as answerability reads the question: shorthand or an initialism a close match spells out ("calib") is no
  // gap, nor is an amount ("a ton of") or a part of the work ("audio side:").
  const framing = new Set([...framingNouns(question)].flatMap((w) => tokenize(w)));
  const noGap = (t: string) => knownHere(t) || framing.has(t);
  const spelledIdf = evidence.unknownTerms.filter(noGap).reduce((sum, t) => sum + lexical.idf(t), 0);
  const coverage = evidence.sharedIdf / Math.max(evidence.askedIdf - spelledIdf, Number.MIN_VALUE);
  if (
    evidence.topScore < settings.thin.maxScore * rareWord &&
    coverage < settings.thin.maxCoverage &&
    !namesTitleOf(lexical, settings, question, close[0])
  ) {
    const lacking = wordsLacking(lexical, asked, close[0]);
    const not = lacking.length ? ` and never mentions ${lacking.map((w) => `"${w}"`).join(', ')}` : '';
    return {
      confidence: 'low',
      reason: `no paper here is close to the whole question: the best match covers ${(coverage * 100).toFixed(0)}% of it${not}`,
      missing: [],
    };
  }
  const meaning = settings.meaning;
  const vectors = meaning && !opts.followUp ? corpus.wordVectors?.() : undefined;
  if (meaning && vectors) {
    // Examples ("like NER", "BERT-style"), idioms ("up to snuff"), framing ("a ton of", "audio side:") and English
    // verbs, adjectives and adverbs no paper uses ("ditches": the unknown words `gap` read as no subject) are no part
    // of what is asked; a question asking for several papers is said by them together.
    const meant = withoutExamples(asked, entities);
    const notAsked = new Set([...wordsInIdioms(asked), ...framingNouns(asked)]);
    const subjects = new Set(gap.subjects);
    for (const w of gap.words) if (!subjects.has(w)) notAsked.add(w.toLowerCase());
    const read = (p: PaperTerms) => ({
      words: paperTerms(p.hit.paper).words,
      says: (t: string) => mentions(p, t) || inSomeReading(t, (x) => mentions(p, x)) || spelledOutIn([p], t) || spelled.has(t),
    });
    const list = asksForList(question);
    const several = asksSeveral(question);
    const papers = list || several ? close : close.slice(0, 1);
    const near = meaningCoverage(lexical, vectors, meant, papers.map(read), notAsked, meaning.nearWord);
    if (near.share < meaning.minCoverage) {
      const far = near.far.map((w) => `"${w}"`).join(', ');
      const reason = far
        ? `the closest paper is about something else: nothing in it comes near ${far}`
        : `the closest paper is about something else: it comes near ${(near.share * 100).toFixed(0)}% of the question in meaning`;
      return { confidence: 'low', reason, missing: [] };
    }
    // A field the question takes a method to ("…but for ViTs", "…for ASR pretraining"), read in the question as
    // typed: the chat clauses `asked` drops are those the best match says nothing of, and such a field can be one.
    // A question of several parts asks for its subjects apart, so does a list of papers on topics joined by "or" or
    // "and" ("which papers are about binarized weights or speech recognition?"): no join is asked for.
    const cover = (p: PaperTerms) => meaningCoverage(lexical, vectors, meant, [read(p)], notAsked, meaning.nearWord).share;
    const typed = withoutExamples(question, entities);
    const fields = several ? undefined : fieldsNoPaperJoins(typed, close, list);
    if (fields) {
      return { confidence: 'low', reason: `no paper here joins ${fields.join(' with ')}`, missing: fields, apart: true };
    }
    const field = several ? undefined : fieldNoPaperJoins(lexical, settings, { typed, meant }, close, cover, list);
    if (field) {
      return { confidence: 'low', reason: `no paper here joins ${field} with the rest of the question`, missing: [field], apart: true };
    }
  }
  return { confidence: 'high', missing: [] };
}

/** The idf share of `text`'s corpus words that `hit`'s paper uses. */
function coverageOf(lexical: TermStats, text: string, hit: PaperHit): number {
  const known = (t: string) => isKnownTerm(lexical, t);
  const { total, shared } = idfShare(lexical, queryTerms(text).keys(), paperTerms(hit.paper).all, known);
  return total ? shared / total : 0;
}

/**
 * Whether a message of several sentences asks, in one of them, what a close match covers as it would be covered asked
 * alone: a sentence that asks, mostly in words the corpus uses, that a close match covers at least `coverage` of.
 */
function askedInPart(
  lexical: TermStats,
  settings: AnswerabilitySettings,
  asked: string,
  close: PaperTerms[],
  unknownShare: (sentence: string) => number,
): boolean {
  const sentences = sentencesOf(asked);
  if (sentences.length < 2) return false;
  return sentences.some(
    (s) =>
      s.asks &&
      unknownShare(s.text) < settings.noneUnknownWordShare &&
      close.some((p) => coverageOf(lexical, s.text, p.hit) >= settings.coverage),
  );
}

/**
 * A plain word with a capital that opens a sentence run on after a question without its mark ("… LLM Anyway I'm off
 * to walk the dog", "… Bought new laces on the way in"): read in lower case, the tagger reads it as a verb,
 * adjective or adverb, which no name is ("medusa decoding", "is muon better" read it as a noun).
 */
function capitalisedWord(question: string, name: string): boolean {
  return PLAIN_WORD.test(name) && wordsNamingNoSubject(question.replaceAll(name, name.toLowerCase())).has(name.toLowerCase());
}

/** A question asking whether work was done: "has anyone applied …", "anyone used …", "does X also work for …". */
const ASKS_WHETHER_DONE = new RegExp(
  [
    // Not "does anyone know …", "if anyone has an idea": asking for help, not whether work was done.
    String.raw`\b(?:has|have|did|if|whether)\s+(?:anyone|anybody|someone|somebody)\b(?!\s+(?:knows?|knew|ha(?:s|ve)\s+an?\s+idea)\b)`,
    String.raw`\b(?:anyone|anybody)\s+(?:tried|try|used|use|applied|apply|combined|done|did)\b`,
    String.raw`\balso\s+(?:work|works|help|helps|hold|holds|transfer|transfers|apply|applies)\b`,
  ].join('|'),
  'i',
);

/** Words no paper uses, read as subjects, that make a clause a subject the corpus lacks rather than chat. */
const LACKED_SUBJECT_WORDS = 2;
/** A clause labelling the question's topic: "regex q", "docker question". */
const TOPIC_LABEL = new RegExp(String.raw`\s${QUESTION_NOUN}\s*$`, 'i');

/**
 * Whether a clause asks about a subject the corpus lacks: it opens as a question ("how do i file travel reimbursement
 * for neurips", then ", which form"), or it opens the message naming a topic ("per diem for the nyc trip, 75 or 90 a
 * day?"), and two or more of its words no paper uses read as subjects in the message (one, in a label such as "regex
 * q:"), not the verbs, adjectives and adverbs of chat. An aside telling something ("my labmate and i have a bet
 * going", "deadline is tonight") names things too, but asks nothing. The tagger is read only for a clause with enough
 * such words.
 */
function lackedSubjects(message: string, known: (t: string) => boolean, foreign: (t: string) => boolean): (clause: string) => boolean {
  let notSubject: Set<string> | undefined;
  return (clause) => {
    const lacked = (clause.match(WORD_RE) ?? []).filter((w) => {
      const terms = tokenize(w);
      return terms.length > 0 && !/^\d+$/.test(w) && !terms.some(known) && !terms.every(foreign);
    });
    const opening = message.trimStart().startsWith(clause.trim());
    // "regex q: how do i match lines…" labels its topic: one word no paper uses names it.
    const needed = opening && TOPIC_LABEL.test(clause) ? 1 : LACKED_SUBJECT_WORDS;
    if (lacked.length < needed) return false;
    if (!opensQuestion(clause) && !(opening && namesOnly(clause))) return false;
    notSubject ??= wordsNamingNoSubject(message);
    return lacked.filter((w) => !notSubject?.has(w.toLowerCase())).length >= needed;
  };
}

/** The most words a note names as searched. */
const MAX_READ_WORDS = 6;

/**
 * A question partly in another language than the corpus' ("用LoRA微调的时候学习率怎么设置?", "was ist
 * LoRA?"): only its words the corpus knows were searched, so an answer from them is partial. Those
 * words of the asked text, once each and at most six (then "…"), or undefined when no word of the
 * question is in the asker's language (`foreign`). The whole question is read for that: a follow-up
 * in another language leaves its own clause out as chat, and only the words carried from the thread
 * are asked.
 */
function readInOtherLanguage(
  question: string,
  asked: string,
  known: (t: string) => boolean,
  foreign: (t: string) => boolean,
): string[] | undefined {
  if (!tokenize(question).some(foreign)) return undefined;
  const read = new Map<string, string>();
  for (const [w] of spaceUnspacedScripts(asked).matchAll(WORD_RE)) {
    if (tokenize(w).some(known) && !read.has(w.toLowerCase())) read.set(w.toLowerCase(), w);
  }
  const words = [...read.values()];
  if (!words.length) return undefined;
  return words.length > MAX_READ_WORDS ? [...words.slice(0, MAX_READ_WORDS), '…'] : words;
}

/** Chat shorthand shorter than this ("lr") is too ambiguous to read as the start of a longer word. */
const MIN_TRUNCATION = 4;

/**
 * "params", "langs", "astro": a truncation of a word the close matches spell out in full
 * ("parameters", "languages", "astronomy") is not a word the corpus lacks.
 */
function spelledOutIn(close: PaperTerms[], term: string): boolean {
  if (term.length < MIN_TRUNCATION || !/^[a-z]+$/.test(term)) return false;
  const longer = (x: string) => x.length > term.length && x.startsWith(term);
  return close.some((p) => [...p.title].some(longer) || [...p.tf.keys()].some(longer));
}

/** An abbreviation of two to five capitals, with an optional plural "s" ("NI", "PTs"). */
const INITIALISM = /^([A-Z]{2,5})s?$/;

/**
 * "NI" for "Natural Instructions", "PT" for "pre-training": an initialism whose letters start
 * consecutive words (or parts of a hyphenated word) of a close match is a name that paper spells
 * out, though it never writes the abbreviation. Only close matches count: across a whole corpus,
 * some run of words has any short initialism's letters.
 */
function spellsInitials(p: PaperTerms, name: string): boolean {
  const letters = INITIALISM.exec(name)?.[1].toLowerCase();
  if (!letters) return false;
  for (const text of [p.hit.paper.title, p.hit.paper.abstract]) {
    const initials = (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).map((w) => w[0]).join('');
    if (initials.includes(letters)) return true;
  }
  return false;
}

/** Papers found that a clause asking for a figure may be about (a message's other questions find the rest). */
const FIGURE_PAPERS = 10;

/** A number with a magnitude: "7T", "405B", "1.5M", "128k". */
const SIZE = /^\d+(?:\.\d+)?[kmbt]$/i;

/**
 * The words of the asked text (the question without its chat clauses: "no rush tho, cheers", "its 3am
 * and i cant sleep so") the corpus never uses (no term of the word known, abbreviations included),
 * with their idf share; and of those the subjects, without the verbs, adjectives and adverbs around them
 * (word-class.ts), with theirs. Names given only as examples are not asked about.
 */
function unknownWords(
  lexical: TermStats,
  asked: string,
  entities: EntityMention[],
  known: (t: string) => boolean,
  foreign: (t: string) => boolean,
): { share: number; words: string[]; subjectShare: number; subjects: string[] } {
  const text = withoutExamples(asked, entities);
  let mass = 0;
  let missing = 0;
  let missingSubjects = 0;
  const words: string[] = [];
  const subjects: string[] = [];
  const seen = new Set<string>();
  let notSubject: Set<string> | undefined;
  for (const m of text.matchAll(WORD_RE)) {
    // A word in the asker's language that no paper uses ("LoRA는 뭐야?", "was ist LoRA?") is not a subject.
    const terms = tokenize(m[0]).filter((t) => known(t) || !foreign(t));
    const key = terms.join(' ');
    // A size ("7T", "405B", "128k") is for the answer to report, no name the corpus lacks ("i know qwen2 was 7T").
    if (terms.length === 0 || seen.has(key) || SIZE.test(m[0])) continue;
    seen.add(key);
    const weight = Math.max(...terms.map((t) => lexical.idf(t)));
    mass += weight;
    if (terms.some(known)) continue;
    missing += weight;
    words.push(m[0]);
    // English around the subject ("the work that ditches …", "the biggest model") is no subject the corpus lacks,
    // though a question of such words only ("where can I buy a good espresso machine") is about nothing here.
    notSubject ??= wordsNamingNoSubject(text);
    if (notSubject.has(m[0].toLowerCase())) continue;
    missingSubjects += weight;
    subjects.push(m[0]);
  }
  return { share: mass ? missing / mass : 0, words, subjectShare: mass ? missingSubjects / mass : 0, subjects };
}

/**
 * The question uses a rare word of the paper's title ("main idea of UniViTAR?"): it asks about that
 * paper, whose abstract need not repeat the question's other words ("main", "idea"). A compound names the
 * title by all its rare parts: "swe-bench" shares "bench" with "Struc-Bench" but is another name, while
 * "finance-specific" names a finance paper.
 */
function namesTitleOf(lexical: TermStats, settings: AnswerabilitySettings, question: string, p: PaperTerms): boolean {
  const maxDocs = Math.max(1, lexical.size * settings.split.maxDocShare);
  const rareInTitle = (t: string) => p.title.has(t) && docFreqOf(lexical, t) <= maxDocs;
  for (const [w] of question.matchAll(WORD_RE)) {
    const terms = tokenize(w);
    const { parts, joined } = compound(terms);
    // Its rare parts (a part no paper uses is rarest) name it; a common one ("-specific", "-based") only qualifies.
    const named = terms.length === 1 || p.title.has(joined) || parts.every((t) => p.title.has(t) || docFreqOf(lexical, t) > maxDocs);
    if (named && terms.some(rareInTitle)) return true;
    // Chat shorthand for a title word ("eval" for "evaluation") names it as the word would.
    if (terms.length === 1 && shorthandFor(joined)?.some(rareInTitle)) return true;
  }
  return false;
}

/** A word's terms as `tokenize` gives them: a compound ("time-series") is its parts, then their joined form. */
function compound(terms: string[]): { parts: string[]; joined: string } {
  return { parts: terms.length > 1 ? terms.slice(0, -1) : terms, joined: terms[terms.length - 1] };
}

/** The asked text's rarest words (up to four) that a paper never mentions: what a thin match lacks. */
function wordsLacking(lexical: TermStats, asked: string, p: PaperTerms): string[] {
  const words = new Map<string, number>();
  for (const m of asked.matchAll(WORD_RE)) {
    const terms = tokenize(m[0]).filter((t) => isKnownTerm(lexical, t));
    if (terms.length === 0 || terms.some((t) => mentions(p, t))) continue;
    words.set(m[0], Math.max(...terms.map((t) => lexical.idf(t))));
  }
  return [...words]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([w]) => w);
}

interface PaperTerms {
  hit: PaperHit;
  table: AcronymTable;
  title: ReadonlySet<string>;
  /** Abstract term frequencies. */
  tf: ReadonlyMap<string, number>;
}

function paperAt(hit: PaperHit, table: AcronymTable): PaperTerms {
  const { title, tf } = paperTerms(hit.paper);
  return { hit, table, title, tf };
}

function closeMatches(hits: PaperHit[], table: AcronymTable, settings: AnswerabilitySettings): PaperTerms[] {
  const best = hits[0].score;
  return hits
    .slice(0, settings.closeMatches.count)
    .filter((h) => h.score >= best * settings.closeMatches.minRelative)
    .map((hit) => paperAt(hit, table));
}

/**
 * The paper a clause asking for a figure names, if it is found but not among the close matches (in a message of
 * several questions, one clause's paper can rank below those the others found): the first found that mentions the
 * clause's rarest word naming it ("Yi-34B" in "how many GPUs Yi-34B was trained on", not "GPUs": by those, a paper
 * stating them would be chosen), of its words answerability reads ("re: the discussion above" names no paper).
 */
function namedIn(figure: FigureAsked, hits: PaperHit[], table: AcronymTable, asked: string, lexical: TermStats): PaperTerms[] {
  const found = hits.slice(0, FIGURE_PAPERS).map((hit) => paperAt(hit, table));
  const read = new Set(tokenize(asked));
  const naming = figure.subject.filter((t) => read.has(t) && found.some((p) => mentions(p, t)));
  const rarest = naming.sort((a, b) => lexical.idf(b) - lexical.idf(a))[0];
  const named = rarest === undefined ? undefined : found.find((p) => mentions(p, rarest));
  return named ? [named] : [];
}

/** Directly or through an abbreviation pair: a paper writing "knowledge distillation" mentions "KD". */
const mentions = (p: PaperTerms, t: string) => paperMentions(p.table, p.hit.paper, t);
/** The paper is about the term, not just using it in passing: in its title or repeated in its abstract. */
const isAbout = (p: PaperTerms, t: string) => p.title.has(t) || (p.tf.get(t) ?? 0) >= 2;

function nameTerms(name: string): string[] {
  return tokenize(name.replace(EXAMPLE_SUFFIX, '').replace(/-/g, ' '));
}

/** A name the question asks about (not an example) that is rare in the corpus: a specific subject, not vocabulary. */
function isSpecificName(lexical: TermStats, settings: AnswerabilitySettings, e: EntityMention & { terms: string[] }): boolean {
  const maxDocs = Math.max(1, lexical.size * settings.split.maxDocShare);
  return !e.example && e.terms.length > 0 && !PLAIN_WORD.test(e.name) && e.terms.every((t) => docFreqOf(lexical, t) <= maxDocs);
}

/**
 * Both papers are about a rare word (`split.subjectIdf`) the question does not use: the name is the subject's own
 * vocabulary, said by one paper and left unsaid by the other ("PDE" of a paper on PINNs for PDEs, never written by
 * the best match, on PINNs for chaotic systems), not a second subject.
 */
function sharesSubject(lexical: TermStats, settings: AnswerabilitySettings, asked: Set<string>, a: PaperTerms, b: PaperTerms): boolean {
  const about = (p: PaperTerms) => [...p.title, ...p.tf.keys()].filter((t) => isAbout(p, t));
  const theirs = new Set(about(b));
  return about(a).some((t) => theirs.has(t) && !asked.has(t) && isKnownTerm(lexical, t) && lexical.idf(t) >= settings.split.subjectIdf);
}

function splitByName(
  lexical: TermStats,
  settings: AnswerabilitySettings,
  question: string,
  close: PaperTerms[],
  known: Array<EntityMention & { terms: string[] }>,
): { reason: string; missing: string[] } | undefined {
  const nameTermSet = new Set(known.flatMap((e) => e.terms));
  const asked = new Set(queryTerms(question).keys());
  const rest = [...asked].filter((t) => !nameTermSet.has(t) && isKnownTerm(lexical, t));
  const overlap = (p: PaperTerms) => rest.reduce((sum, t) => sum + (mentions(p, t) ? lexical.idf(t) : 0), 0);
  const bestOverlap = overlap(close[0]);
  if (bestOverlap === 0) return undefined;
  for (const e of known) {
    if (!isSpecificName(lexical, settings, e)) continue;
    if (e.terms.every((t) => mentions(close[0], t))) continue;
    const naming = close.filter((p) => e.terms.every((t) => mentions(p, t)));
    if (naming.length === 0) continue;
    const apart = Math.max(...naming.map(overlap)) < bestOverlap * settings.split.minOverlap;
    if (apart && !naming.some((p) => sharesSubject(lexical, settings, asked, p, close[0]))) {
      return {
        reason:
          `no paper covers ${e.name} together with the rest of the question: the closest matches never mention ` +
          `${e.name}, and the papers that do are about something else`,
        missing: [e.name],
      };
    }
  }
  return undefined;
}

/**
 * The question joins two subjects the corpus only has apart ("binarize a speech recognition
 * model": binarization papers, and separately speech papers). For every close match, the
 * question's words it lacks that another close match is about; if even the most complete match
 * lacks a large share that way, no single paper answers the question. Words, not stems, are the
 * unit, so "ImageNet-1K" (imagenet, 1k, imagenet1k) weighs as one word.
 */
function splitByTopic(
  lexical: TermStats,
  settings: AnswerabilitySettings,
  question: string,
  close: PaperTerms[],
  entities: EntityMention[],
): { reason: string; missing: string[] } | undefined {
  const best = topicSplit(lexical, settings, question, close, entities);
  if (!best || best.share < settings.split.topicShare) return undefined;
  return {
    reason: `no single paper covers the whole question; the closest matches leave out "${best.lacking.join(' ')}", which only other papers discuss`,
    missing: best.lacking,
  };
}

function topicSplit(
  lexical: TermStats,
  settings: AnswerabilitySettings,
  question: string,
  close: PaperTerms[],
  entities: EntityMention[],
): { share: number; lacking: string[] } | undefined {
  if (close.length < 2) return undefined;
  const asked = withoutExamples(question, entities);
  const words = new Map<string, { word: string; terms: string[]; weight: number }>();
  for (const m of asked.matchAll(WORD_RE)) {
    const terms = tokenize(m[0]).filter((t) => isKnownTerm(lexical, t));
    const key = terms.join(' ');
    if (terms.length === 0 || words.has(key)) continue;
    words.set(key, { word: m[0], terms, weight: Math.max(...terms.map((t) => lexical.idf(t))) });
  }
  const mass = [...words.values()].reduce((sum, w) => sum + w.weight, 0);
  if (mass === 0) return undefined;
  let best: { share: number; lacking: string[] } | undefined;
  for (const p of close) {
    let worst = { share: 0, lacking: [] as string[] };
    for (const other of close) {
      if (other === p) continue;
      const lacking = [...words.values()].filter((w) => !w.terms.some((t) => mentions(p, t)) && w.terms.some((t) => isAbout(other, t)));
      const content = lacking.filter((w) => w.weight >= settings.split.contentIdf).map((w) => w.word);
      // One missing common word is wording ("speed up" vs "faster"); a subject takes two or more
      // content words, or one rare word ("speech", "legal") that another close match is about.
      if (content.length < 2 && !lacking.some((w) => w.weight >= settings.split.subjectIdf)) continue;
      const share = lacking.reduce((sum, w) => sum + w.weight, 0) / mass;
      if (share > worst.share) worst = { share, lacking: content };
    }
    if (!best || worst.share < best.share) best = worst;
  }
  return best;
}

/** How near in meaning a word of the thread's papers must come to the thing asked for, when the profile reads no meaning. */
const NEAR_THING = 0.5;

/** The thing a "what"/"which" question asks for (as typed) when no close match says anything of it, in words or in meaning. */
function thingNoPaperSays(
  lexical: TermStats,
  question: string,
  close: PaperTerms[],
  wordVectors: (() => WordSimilarity) | undefined,
  near: number,
): string | undefined {
  for (const thing of askedThings(question)) {
    const head = thing.at(-1) ?? '';
    const terms = tokenize(head);
    if (!terms.length || !terms.some((t) => isKnownTerm(lexical, t))) continue;
    if (close.some((p) => terms.some((t) => mentions(p, t)))) continue;
    // The tagger and the vectors are read only now: a CLI process that never meets such a thing loads neither (the bot
    // has both from start-up).
    if (wordsNamingNoSubject(question).has(head.toLowerCase())) continue;
    const vectors = wordVectors?.();
    const nearest = vectors ? Math.max(0, ...close.map((p) => vectors.closest(head.toLowerCase(), paperTerms(p.hit.paper).words))) : 1;
    if (nearest < near) return thing.join(' ');
  }
  return undefined;
}

/** What opens the phrase naming where a method is taken: "work for MoE", "extended to video", "tried on speech". */
const PREPOSITION = /^(?:for|to|on|in|with|across|beyond|into)$/i;
const DETERMINER = /^(?:a|an|the|this|that|these|those|any|other|such|some|their|its|our|your)$/i;
/** Words of such a phrase read as its subject: "for text-to-image diffusion models" reads three. */
const PHRASE_WORDS = 3;

/**
 * "which of these work for MoE models?", "does that also work for speech?", "has that been extended to video
 * transformers?": the subject a follow-up takes the thread's work to, named after a preposition, that no close
 * match mentions. The search carried the thread's words, so the close matches are the thread's papers and any
 * paper joining them with that subject; when none mentions it, no paper here joins the two. A question asking
 * whether anyone took a work somewhere ("has anyone applied GaLore to PPO?") is read the same way. The word found,
 * if any.
 */
function newSubject(
  lexical: TermStats,
  question: string,
  close: PaperTerms[],
  entities: EntityMention[],
  known: (t: string) => boolean,
): string | undefined {
  const asked = withoutExamples(question, entities);
  const words = [...asked.matchAll(WORD_RE)].map((m) => m[0]);
  const inCorpus = (t: string) => isKnownTerm(lexical, t);
  let notSubject: Set<string> | undefined;
  for (let i = 0; i < words.length; i++) {
    if (!PREPOSITION.test(words[i])) continue;
    let j = i + 1;
    while (j < words.length && DETERMINER.test(words[j])) j++;
    for (let k = 0; k < PHRASE_WORDS && j < words.length && tokenize(words[j]).length > 0; k++, j++) {
      // A compound ("time-series") is its parts and their joined form: mentioned as one, or part by part.
      const terms = tokenize(words[j]);
      const { parts, joined } = compound(terms);
      if (!terms.some(inCorpus) || !parts.every((t) => known(t) || !inCorpus(t))) continue;
      // "deciding which pages to fetch", "to keep compute down": a verb after the preposition names no subject.
      notSubject ??= new Set([...wordsNamingNoSubject(asked), ...verbsAfterTo(asked)]);
      if (notSubject.has(words[j].toLowerCase())) continue;
      const said = (p: PaperTerms) => mentions(p, joined) || parts.every((t) => !inCorpus(t) || mentions(p, t));
      if (!close.some(said)) return words[j];
    }
  }
  return undefined;
}

/** In a list question, a field named after "or"/"and" is one of the topics listed, not one joined with the rest. */
const listedTopic = (list: boolean, typed: string, at: number) => list && /\b(?:or|and)\b/i.test(typed.slice(0, at));

/**
 * Two fields the question joins ("japanese ASR", "german radiology reports") that no close match says together, by
 * any of their words: the corpus has each apart, whatever else either paper covers. Not fields given as alternatives
 * ("japanese or korean", "images/audio") or listed topics ("which papers are about X or Y"). As typed.
 */
function fieldsNoPaperJoins(typed: string, close: PaperTerms[], list: boolean): string[] | undefined {
  const fields = [...new Map(fieldsNamed(typed).map((f) => [f.name, f])).values()];
  if (fields.length < 2) return undefined;
  const at = fields.map((f) => f.at);
  if (/\bor\b|\//i.test(typed.slice(Math.min(...at), Math.max(...at)))) return undefined;
  if (fields.some((f) => listedTopic(list, typed, f.at))) return undefined;
  if (close.some((p) => fields.every((f) => f.said.some((t) => mentions(p, t))))) return undefined;
  return fields.map((f) => f.typed);
}

/**
 * A close match scoring this near the best is as good a reading of the question: chat words reorder near ties ("help
 * me out here, …" put a prompt-tuning paper 4% above a medical one). Set by that reading, not fitted: the fields
 * flagged on the tuning sides have their best paper naming the field at most 0.67 of the best score.
 */
const AS_GOOD_A_MATCH = 0.9;

/**
 * The field (fields.ts) a question names that the best match never does, when no close match naming it covers as
 * much of the rest of the question in words (the split's `minOverlap` of the best overlap) or says as much of the
 * question in meaning as the best match: the corpus has the method and the field apart. As typed ("ViTs"). The field
 * is read in the question as typed, the rest in what is asked (`meant`: no chat, no examples).
 */
function fieldNoPaperJoins(
  lexical: TermStats,
  settings: AnswerabilitySettings,
  question: { typed: string; meant: string },
  close: PaperTerms[],
  cover: (p: PaperTerms) => number,
  list: boolean,
): string | undefined {
  for (const field of fieldsNamed(question.typed)) {
    if (listedTopic(list, question.typed, field.at)) continue;
    const says = (p: PaperTerms) => field.said.some((t) => mentions(p, t));
    if (says(close[0])) continue;
    const rest = [...new Set(tokenize(question.meant))].filter(
      (t) => !field.said.includes(t) && isKnownTerm(lexical, t) && lexical.idf(t) >= settings.split.contentIdf,
    );
    const overlap = (p: PaperTerms) => rest.reduce((sum, t) => sum + (mentions(p, t) ? lexical.idf(t) : 0), 0);
    const most = Math.max(...close.map(overlap));
    const naming = close.filter(says);
    if (naming.some((p) => p.hit.score >= AS_GOOD_A_MATCH * close[0].hit.score)) continue;
    if (naming.some((p) => overlap(p) >= settings.split.minOverlap * most)) continue;
    const bestCover = naming.length > 0 ? cover(close[0]) : 0;
    if (naming.some((p) => cover(p) >= bestCover)) continue;
    return field.typed;
  }
  return undefined;
}

/** Capitalised words in a row ("Segment Anything", "Harry Potter"). */
const NAME_RUN = /(?<![\p{L}\p{N}])\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)+(?![\p{L}\p{N}])/gu;
/** Papers found that a name of several words is looked for in: the search read its words, so a paper writing it ranks high. */
const NAME_PAPERS = 10;

/**
 * A name of several capitalised words that none of the papers found writes ("fine-tune Segment Anything for medical
 * images"): each word is in the corpus, the name is not, so the word-by-word check reads it as known. Not the first
 * word of a sentence, which is capitalised anyway. Compared without spaces, hyphens or a final plural "s" ("Domain Adaptive
 * Pretraining" is written "domain-adaptive pre-training"), so a name written otherwise is found rather than missed.
 */
function unwrittenName(question: string, hits: PaperHit[]): string | undefined {
  const found = [...question.matchAll(NAME_RUN)];
  if (found.length === 0) return undefined;
  // A message in title case ("How Does LoRA Compare To Full Fine-Tuning?") capitalises every word, names or not.
  const words = question.match(/\p{L}+/gu) ?? [];
  if (words.filter((w) => /^\p{Lu}/u.test(w)).length >= words.length * TITLE_CASE_SHARE) return undefined;
  let texts: string[] | undefined;
  for (const m of found) {
    const opens = /(?:^|[.!?:])\s*$/.test(question.slice(0, m.index));
    // A word joining two phrases is no part of a name ("Pretraining For Domain Adaptation"), nor a sentence's first.
    const runs = (opens ? m[0].replace(/^\S+\s*/, '') : m[0]).split(JOINING_WORD);
    for (const run of runs.map((r) => r.trim()).filter((r) => /\s/.test(r))) {
      // A plural "s" at the end ("…Models"), not that of "Loss" or "Corpus".
      const name = squeezed(run).replace(/(?<![su])s$/, '');
      texts ??= hits.slice(0, NAME_PAPERS).map((h) => squeezed(`${h.paper.title} ${h.paper.abstract}`));
      if (!texts.some((t) => t.includes(name))) return run;
    }
  }
  return undefined;
}

/** Half the words capitalised or more: a title-case message. */
const TITLE_CASE_SHARE = 0.5;
const JOINING_WORD =
  /\s(?:To|For|Of|On|In|At|By|With|From|Into|And|Or|Vs|The|A|An|Is|Are|Was|Were|Be|Do|Does|Did|How|What|Why|Which|Who|Can|Should|Would)(?=\s|$)/;

/** Lower case, without spaces, hyphens and dashes: "Domain-Adaptive Pre-training" → "domainadaptivepretraining". */
const squeezed = (text: string) => text.toLowerCase().replace(/[\s\-‐–]+/g, '');
