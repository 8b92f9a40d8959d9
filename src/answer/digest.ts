/**
 * Offline extractive replies, quoting abstract sentences verbatim (numbers, method names and claims
 * survive exactly) with their citation markers. An answer opens with the sentences, from any of
 * the retrieved papers, that answer most of the question, then gives the supporting evidence paper
 * by paper; a yes/no question opens with each paper's finding side by side. A topic summary groups
 * the papers into themes named after the distinctive terms they share.
 */
import type { Paper } from '../corpus/types.js';
import { spelledOutPairs } from '../index/acronyms.js';
import { queryTerms } from '../index/lexical.js';
import { paperTerms, type Sentence } from '../index/paper-terms.js';
import { neutralizeMarkers } from './citations.js';
import type { TermStats } from '../index/search-store.js';
import { tokenize, WORD_RE as TOKEN_WORD } from '../index/tokenize.js';
import { NUMERIC_INTENT, statesQuantity } from './figures.js';
import { type DigestSettings, RELEASE_NOTICE_WEIGHT } from './settings.js';
import type { Source } from './sources.js';

/**
 * "Our code and models will be available at https://…", "data will be released upon acceptance": where to get
 * the work, no finding of it. Such a sentence repeats the paper's subject words and so outscored its findings.
 */
const RELEASE_NOTICE = new RegExp(
  [
    String.raw`https?:\/\/|\bupon acceptance\b`,
    String.raw`\b(?:is|are|be|been)\s+(?:made\s+)?(?:publicly\s+|freely\s+|openly\s+)?(?:available|accessible|released|open[- ]sourced)` +
      String.raw`(?:\s+(?:at|on|via|from|to|for)\b|\s*[.;]|$)`,
    String.raw`\bwe\s+(?:publicly\s+)?(?:release|open[- ]source)\s+(?:our|the|all)\b`,
  ].join('|'),
  'i',
);
/** Asking where to get code, data or weights: a release notice answers that. */
const ASKS_FOR_RELEASE = new RegExp(
  String.raw`\b(?:code|codebase|github|repo|repository|links?|urls?|download|released?|open[- ]?source[ds]?|weights|checkpoints?` +
    String.raw`|available|availability|licen[cs]e[ds]?)\b`,
  'i',
);

export interface ScoredSentence {
  text: string;
  index: number;
  score: number;
}

/** The sentences of an abstract, each scored by the idf of the question's terms it holds. */
export function scoreSentences(question: string, sentences: readonly Sentence[], lexical: TermStats): ScoredSentence[] {
  const q = queryTerms(question);
  const numeric = NUMERIC_INTENT.test(question);
  const release = ASKS_FOR_RELEASE.test(question) ? 1 : RELEASE_NOTICE_WEIGHT;
  return sentences.map(({ text, index, terms: all }) => {
    const terms = new Set(all);
    let score = 0;
    for (const t of q.keys()) if (terms.has(t)) score += lexical.idf(t);
    // Mild length normalisation: long sentences match more by chance.
    score /= Math.sqrt(Math.max(terms.size, 8) / 8);
    if (numeric && statesQuantity(text)) score *= 1.6;
    if (RELEASE_NOTICE.test(text)) score *= release;
    return { text, index, score };
  });
}

/** Pick the best sentences of a paper's abstract, returned in their original order. */
export function keySentences(question: string, paper: Pick<Paper, 'title' | 'abstract'>, lexical: TermStats, max: number): string[] {
  const scored = scoreSentences(question, paperTerms(paper).sentences, lexical);
  const chosen = [...scored].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, max);
  if (chosen.every((c) => c.score === 0)) return scored.slice(0, Math.min(max, 1)).map((s) => s.text);
  return chosen.sort((a, b) => a.index - b.index).map((c) => c.text);
}

/**
 * Corpus text quoted into a digest, unable to open a code block: a ``` run (which, unclosed, would
 * turn the rest of the message into code) becomes look-alike modifier graves (U+02CB). Reference
 * numbers of the paper itself ("[12]") become "(12)", so they never pass for our citations.
 */
export function quoteCorpusText(text: string): string {
  return neutralizeMarkers(text.replace(/`{3,}/g, (run) => '\u02CB'.repeat(run.length)));
}

/**
 * The opening line of offline answers before they opened with what the papers say. Answers stored
 * by earlier versions still carry it, so a thread recap strips it from them.
 */
export const DIGEST_OPENER = /^Found \d+ relevant papers? in the corpus; the closest match is [^\n]*\n+/;

/** One abstract sentence of one retrieved paper, scored by how much of the question it answers. */
export interface Candidate {
  source: Source;
  text: string;
  /** Position in the abstract. */
  index: number;
  score: number;
}

/** Pairs of question terms next to each other (stop words removed): the question's phrases. */
function phrases(question: string): Array<[string, string]> {
  const terms = tokenize(question);
  const out: Array<[string, string]> = [];
  for (let i = 1; i < terms.length; i++) if (terms[i] !== terms[i - 1]) out.push([terms[i - 1], terms[i]]);
  return out;
}

/** Whether `a` and `b` occur within `window` terms of each other in the term sequence. */
function near(terms: readonly string[], a: string, b: string, window: number): boolean {
  let lastA = Number.NEGATIVE_INFINITY;
  let lastB = Number.NEGATIVE_INFINITY;
  for (const [i, t] of terms.entries()) {
    if (t === a) lastA = i;
    else if (t === b) lastB = i;
    else continue;
    if (Math.abs(lastA - lastB) <= window) return true;
  }
  return false;
}

/**
 * Every sentence of every source, scored for the question: the idf of the question's terms it
 * contains (scoreSentences), plus the question's phrases it keeps together, weighted by how close
 * its paper is to the best one (a sentence of a weaker match must answer more to come first).
 */
export function scoreCandidates(question: string, sources: Source[], lexical: TermStats, settings: DigestSettings): Candidate[] {
  const top = sources[0]?.score || 1;
  const pairs = phrases(question);
  const out: Candidate[] = [];
  for (const source of sources) {
    const prior = 1 - settings.paperPrior + settings.paperPrior * Math.min(1, source.score / top);
    const sentences = paperTerms(source.paper).sentences;
    for (const s of scoreSentences(question, sentences, lexical)) {
      const terms = sentences[s.index].terms;
      let phrase = 0;
      for (const [a, b] of pairs) if (near(terms, a, b, settings.phraseWindow)) phrase += Math.min(lexical.idf(a), lexical.idf(b));
      const score = s.score > 0 ? (s.score + settings.phraseWeight * phrase) * prior : 0;
      out.push({ source, text: s.text, index: s.index, score });
    }
  }
  return out;
}

/** A sentence that answers part of the question and states a number. */
const statesNumber = (c: Candidate) => c.score > 0 && statesQuantity(c.text);

const byScore = (a: Candidate, b: Candidate) => b.score - a.score || a.source.marker - b.source.marker || a.index - b.index;

/**
 * "does X help?", "is X better than Y?", "can you …?": a question answered by yes or no.
 * "Is there a paper…" and "do any papers…" ask for papers, not a verdict.
 */
export function isYesNoQuestion(question: string): boolean {
  const q = question.trim();
  if (/^(?:is|are) there\b|^(?:does|do|did|has|have) (?:any|anyone|anybody|some|you know)\b/i.test(q)) return false;
  return /^(?:(?:so|and|but|hey|ok|okay|also)[,:]?\s+)*(?:does|do|did|is|are|was|were|can|could|will|would|should|has|have|had)\b/i.test(q);
}

/**
 * A comparison ("better than Y", "X vs Y", "X or Y"): which way a finding points depends on the order, so no
 * verdict. Nor for "is X the same as / different from / similar to Y": a finding that X improves says neither.
 */
const COMPARATIVE =
  /\b(?:better|worse|faster|slower|than|vs\.?|versus|compared?|outperforms?|beats?|or|same|different|differs?|similar|equivalent|identical)\b/i;
/** Wording that reports a finding against: only a sentence that says so is read as a "no". */
const AGAINST = new RegExp(
  "\\b(?:does not|do not|did not|doesn't|don't|didn't|fails? to|cannot" +
    '|no (?:significant |clear |consistent )?(?:improvement|gain|benefit|effect|advantage)|hurts?|harms?|degrades?|worse|underperforms?)\\b',
  'i',
);
/** Wording that reports a finding for; read as a "yes" only in a sentence that reports a result (RESULT). */
const FOR = new RegExp(
  '\\b(?:improv(?:e|es|ed|ing|ement|ements)|outperforms?|outperformed|better|helps?|helped|boosts?|boosted|benefits?|gains?' +
    '|surpass(?:es|ed)?|speeds? up|faster)\\b',
  'i',
);

/**
 * A sentence reporting a result ("we find that", "results show"), not background: "improving X has
 * been a goal" is no finding that X improves.
 */
const RESULT = new RegExp(
  '\\b(?:we (?:find|found|show|showed|observe|observed|demonstrate|demonstrated)' +
    '|(?:results?|experiments?|analys[ie]s) (?:show|shows|indicate|indicates|suggest|suggests|demonstrate|demonstrates|reveal|reveals)' +
    '|(?:finds?|shows?|demonstrates?|reveals?) that|leads? to)\\b',
  'i',
);

/** The finding a sentence states for a yes/no question: `yes`, `no`, or undefined when its wording does not say. */
export function findingOf(sentence: string): 'yes' | 'no' | undefined {
  const against = AGAINST.test(sentence);
  // "does not improve": the negated verb is no finding for.
  const supports = FOR.test(sentence.replace(new RegExp(`${AGAINST.source}(?:\\s+\\w+)?`, 'gi'), ' '));
  if (against === supports) return undefined;
  if (against) return 'no';
  return RESULT.test(sentence) ? 'yes' : undefined;
}

/** A quoted sentence with its marker. */
const cite = (c: Candidate) => `${quoteCorpusText(c.text)} [${c.source.marker}]`;

/**
 * The opening of a yes/no answer: each paper's most responsive sentence, side by side, led by the
 * verdict its wording states ("Yes, in [1]: … But [2] finds: …"); no verdict where it states none,
 * or where the question compares two things (the sentence may name them the other way round).
 */
function sideBySide(question: string, best: Candidate[]): string {
  const verdicts = !COMPARATIVE.test(question);
  const first = verdicts ? findingOf(best[0].text) : undefined;
  const parts = best.map((c, i) => {
    const finding = verdicts ? findingOf(c.text) : undefined;
    const quoted = quoteCorpusText(c.text);
    const m = c.source.marker;
    if (i === 0) return first ? `${first === 'yes' ? 'Yes' : 'No'}, in [${m}]: ${quoted}` : `In [${m}]: ${quoted}`;
    if (first && finding && finding !== first) return `But [${m}] finds: ${quoted}`;
    if (first && finding === first) return `Also in [${m}]: ${quoted}`;
    return `[${m}] reports: ${quoted}`;
  });
  return parts.join(' ');
}

/** An abbreviation as compared, whatever its case or plural: "LLMs" is "llm". */
const abbreviationKey = (short: string) => short.replace(/s$/, '').toLowerCase();

/** Whether a sentence spells the abbreviation out: "… the Mixture-of-Experts (MoE) …" (the pairs acronyms.ts mines). */
export function spellsOut(text: string, short: string): boolean {
  const key = abbreviationKey(short);
  for (const pair of spelledOutPairs(text)) if (abbreviationKey(pair.short) === key) return true;
  return false;
}

/** The opening: the one or two sentences that answer most directly, or each paper's finding side by side. */
function leadOf(
  question: string,
  numeric: boolean,
  ranked: Candidate[],
  lexical: TermStats,
  settings: DigestSettings,
  short: string | undefined,
): { text: string; used: Candidate[] } {
  if (!ranked[0] || ranked[0].score <= 0) return { text: '', used: [] };
  // "what does MoE stand for?": the best sentence that spells it out answers that, whatever else outscores it.
  const best = (short && ranked.find((c) => c.score > 0 && spellsOut(c.text, short))) || ranked[0];
  if (isYesNoQuestion(question)) {
    const floor = best.score * settings.sideBySideShare;
    const perPaper: Candidate[] = [];
    for (const c of ranked) {
      if (perPaper.length >= settings.sideBySideMax || c.score < floor) break;
      if (perPaper.some((p) => p.source === c.source)) continue;
      // A paper's finding is the best of its sentences that states one ("X improves…"), when one is close enough.
      const stated = ranked.find((o) => o.source === c.source && o.score >= floor && findingOf(o.text));
      perPaper.push(stated ?? c);
    }
    return { text: sideBySide(question, perPaper), used: perPaper };
  }
  const used = [best];
  // Of the close runners-up, the one that answers a part of the question the first leaves out.
  const asked = [...queryTerms(question).keys()];
  const termsOf = (c: Candidate) => new Set(paperTerms(c.source.paper).sentences[c.index].terms);
  const covered = termsOf(best);
  const novelty = (c: Candidate) => {
    const terms = termsOf(c);
    return asked.reduce((sum, t) => sum + (terms.has(t) && !covered.has(t) ? lexical.idf(t) : 0), 0);
  };
  const close = ranked.filter((c) => c !== best && c.score >= best.score * settings.leadSecondShare);
  let second = close.reduce<Candidate | undefined>((pick, c) => (!pick || novelty(c) > novelty(pick) ? c : pick), undefined);
  // A question asking for a quantity is answered by a sentence that states one: when neither of
  // the two above does, the best-ranked sentence that does takes the second place, if it is the
  // best match's own or close to the best sentence ("how much do wrong labels hurt?" is not
  // answered by another paper's parameter count).
  if (numeric && !statesQuantity(best.text) && !(second && statesQuantity(second.text))) {
    const near = (c: Candidate) => c.source === best.source || c.score >= best.score * settings.leadSecondShare;
    second = ranked.find((c) => c !== best && statesNumber(c) && near(c)) ?? second;
  }
  if (second && settings.leadMax > 1) used.push(second);
  return { text: used.map(cite).join(' '), used };
}

const sentenceKey = (c: Candidate) => `${c.source.marker}:${c.index}`;

/** One of several questions in a message, and whether anything here is close to it. */
export interface QuestionPart {
  question: string;
  answered: boolean;
}

/** What a numbered part nothing here answers says, instead of the closest sentence about something else. */
export const UNANSWERED_PART = '_No paper here answers this one._';

/** Separate questions in one message: each part's opening, numbered, from all the sources. */
function leadsOfParts(
  parts: QuestionPart[],
  sources: Source[],
  lexical: TermStats,
  settings: DigestSettings,
): { text: string; used: Candidate[] } {
  const leads = parts.map(({ question, answered }) => {
    if (!answered) return { text: UNANSWERED_PART, used: [] };
    const ranked = scoreCandidates(question, sources, lexical, settings).sort(byScore);
    return leadOf(question, NUMERIC_INTENT.test(question), ranked, lexical, settings, undefined);
  });
  return {
    text: leads
      .map((l, i) => (l.text ? `**${i + 1}.** ${l.text}` : ''))
      .filter(Boolean)
      .join('\n\n'),
    used: leads.flatMap((l) => l.used),
  };
}

/**
 * An offline answer: the sentences that answer most of the question first, then each paper's
 * supporting sentences ("**Title** [n]: …", in abstract order, the opening's sentences not repeated).
 */
export function answerDigest(
  question: string,
  sources: Source[],
  lexical: TermStats,
  settings: DigestSettings,
  opts: { expands?: string; parts?: QuestionPart[] } = {},
): string {
  if (!sources.length) return '';
  const ranked = scoreCandidates(question, sources, lexical, settings).sort(byScore);
  const numeric = NUMERIC_INTENT.test(question);
  const lead = opts.parts
    ? leadsOfParts(opts.parts, sources, lexical, settings)
    : leadOf(question, numeric, ranked, lexical, settings, opts.expands);
  // By paper and position: the parts' openings were picked from their own scoring of the same sentences.
  const leadKeys = new Set(lead.used.map(sentenceKey));
  const inLead = (c: Candidate) => leadKeys.has(sentenceKey(c));
  const blocks = sources.map((source, i) => {
    const own = ranked.filter((c) => c.source === source);
    // A paper none of whose sentences match is shown by its opening sentence only.
    const budget = own[0]?.score ? (i === 0 ? settings.perPaper.first : settings.perPaper.others) : 1;
    // Scoreless sentences are picked in abstract order, so a paper matched on its title shows its opening.
    const top = own.slice(0, budget).filter((c) => !inLead(c));
    // Asked for a quantity, the best match shows the numbers it states about the question, not only its top sentences.
    if (i === 0 && numeric) {
      const numbers = own.slice(budget).filter((c) => !inLead(c) && statesNumber(c));
      top.push(...numbers.slice(0, settings.perPaper.first));
    }
    const rest = top.length
      ? top
      : own
          .filter((c) => !inLead(c))
          .sort((a, b) => b.score - a.score || a.index - b.index)
          .slice(0, 1);
    const text = rest
      .sort((a, b) => a.index - b.index)
      .map((c) => c.text)
      .join(' ');
    return `**${quoteCorpusText(source.paper.title)}** [${source.marker}]${text ? `: ${quoteCorpusText(text)}` : ''}`;
  });
  return [lead.text, ...blocks].filter(Boolean).join('\n\n');
}

/** Words as the tokenizer sees them, hyphenated compounds split into their parts. */
const WORD_RE = /[\p{L}\p{N}]+/gu;

interface Theme {
  name: string;
  members: Source[];
}

/**
 * A word as a name shows it: acronyms and names with inner capitals as written ("LLM", "LoRA", "GPT-4"), other
 * words lowercased, title case included ("Pre-Training" in a title is "pre-training").
 */
const asWritten = (word: string) => (word.split(/[-'’/]/).some((part) => /\p{Lu}/u.test(part.slice(1))) ? word : word.toLowerCase());

/** Per stem, the surface words it comes from in `text`, counted (to name a theme in words people wrote). */
function surfaces(text: string, into: Map<string, Map<string, number>>): void {
  for (const m of text.matchAll(WORD_RE)) {
    const [t] = tokenize(m[0]);
    if (!t) continue;
    const forms = into.get(t) ?? new Map<string, number>();
    const form = asWritten(m[0]);
    forms.set(form, (forms.get(form) ?? 0) + 1);
    into.set(t, forms);
  }
}

const commonest = (forms: Map<string, number> | undefined, fallback: string) =>
  [...(forms ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? fallback;

/**
 * Words that name no theme however rare a corpus makes them, because every paper could use them:
 * "model", "approach", "results", "publicly available". Stems, as the tokenizer gives them.
 */
const GENERIC = new Set(
  tokenize(
    'model models approach approaches method methods framework technique results performance task tasks study studies ' +
      'propose proposed show shows new novel use using used based various different existing recent significant improve ' +
      'improves improved improvement effective efficient outputs output input inputs example examples number way ways ' +
      'available publicly open source simple strong high low large small better best state art wide range key',
  ),
);

/** A word as written (see asWritten) and its one term: a hyphenated compound's joined form ("pre-training": "pretrain"). */
interface Word {
  term: string;
  surface: string;
}

/** A text's clauses as words (stop words dropped): phrases never run across punctuation ("pretraining (CPT)"). */
function clauses(text: string): Word[][] {
  return text
    .split(/[.,;:!?()[\]{}"“”]+/)
    .map((c) =>
      [...c.matchAll(TOKEN_WORD)].flatMap((m) => {
        const terms = tokenize(m[0]);
        return terms.length ? [{ term: terms[terms.length - 1], surface: asWritten(m[0]) }] : [];
      }),
    )
    .filter((c) => c.length > 0);
}

/** The two-word phrases of a paper's clauses, each with how it is written. */
function phrasesOf(clauseWords: Word[][]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const c of clauseWords) {
    for (let i = 0; i + 1 < c.length; i++) {
      if (c[i].term === c[i + 1].term) continue;
      const key = `${c[i].term} ${c[i + 1].term}`;
      const written = out.get(key) ?? new Map<string, number>();
      const surface = `${c[i].surface} ${c[i + 1].surface}`;
      written.set(surface, (written.get(surface) ?? 0) + 1);
      out.set(key, written);
    }
  }
  return out;
}

/**
 * Themes: repeatedly, the distinctive term or two-word phrase (not generic, not only the topic's
 * own words) that the most remaining papers share, weighted by how often they use it and its idf,
 * gathers those papers. A term counts for a paper that is about it (its title, or repeated in its
 * abstract); a phrase, rarer by nature, wherever the paper writes it, and it weighs by both its
 * words, so "speculative decoding" outranks "decoding". A theme is named by its phrase, or by the
 * phrase its papers share around its term, else the term. Papers sharing nothing are listed after
 * the themes.
 */
export function themesOf(
  topic: string,
  sources: Source[],
  lexical: TermStats,
  settings: DigestSettings,
): { themes: Theme[]; rest: Source[] } {
  const asked = new Set(tokenize(topic));
  const holders = new Map<string, Set<Source>>();
  /** Per term or phrase, its uses across the papers: a theme's term is one its papers keep coming back to. */
  const uses = new Map<string, number>();
  const weightOf = new Map<string, number>();
  const forms = new Map<string, Map<string, number>>();
  const phrasesBy = new Map<Source, Map<string, Map<string, number>>>();
  const hold = (key: string, s: Source, n: number) => {
    uses.set(key, (uses.get(key) ?? 0) + n);
    const set = holders.get(key) ?? new Set<Source>();
    set.add(s);
    holders.set(key, set);
  };
  // Generic words and numbers name nothing; "KV" may in a phrase ("KV cache"), while a theme's single
  // word needs three letters and rarity (it is not the topic's own word, nor a compound's joined form).
  const named = (t: string) => !GENERIC.has(t) && /\p{L}{2}/u.test(t);
  const distinctive = (t: string) => named(t) && /\p{L}{3}/u.test(t) && !asked.has(t) && lexical.idf(t) >= settings.themes.minIdf;
  for (const s of sources) {
    const text = `${s.paper.title}. ${s.paper.abstract}`;
    surfaces(text, forms);
    const { title, tf, all } = paperTerms(s.paper);
    for (const t of all) {
      if (!forms.has(t) || !distinctive(t)) continue;
      // What the paper is about (its title, or repeated in its abstract), not a word it uses in passing.
      if (!title.has(t) && (tf.get(t) ?? 0) < 2) continue;
      weightOf.set(t, lexical.idf(t));
      hold(t, s, (tf.get(t) ?? 0) + (title.has(t) ? 1 : 0));
    }
    const phrases = phrasesOf(clauses(text));
    phrasesBy.set(s, phrases);
    const inTitle = phrasesOf(clauses(s.paper.title));
    for (const [key, written] of phrases) {
      const [a, b] = key.split(' ');
      // Both words name something, not only the topic's: "continual pretraining" on a pretraining topic, not "training data".
      if (!named(a) || !named(b) || (asked.has(a) && asked.has(b))) continue;
      const n = [...written.values()].reduce((x, y) => x + y, 0);
      // As for a term, what the paper is about: "unlock the full potential" once in passing is no theme.
      if (!inTitle.has(key) && n < 2) continue;
      weightOf.set(key, lexical.idf(a) + lexical.idf(b));
      hold(key, s, n);
    }
  }
  const themes: Theme[] = [];
  let left = [...sources];
  while (themes.length < settings.themes.max && left.length >= settings.themes.minPapers) {
    let best: { term: string; members: Source[]; weight: number } | undefined;
    for (const [term, set] of holders) {
      const members = left.filter((s) => set.has(s));
      if (members.length < settings.themes.minPapers) continue;
      const weight = members.length * (uses.get(term) ?? 0) * (weightOf.get(term) ?? 0);
      if (!best || weight > best.weight || (weight === best.weight && term < best.term)) best = { term, members, weight };
    }
    if (!best) break;
    themes.push({ name: themeName(best.term, best.members, phrasesBy, forms, named, settings), members: best.members });
    left = left.filter((s) => !best.members.includes(s));
  }
  return { themes, rest: left };
}

/** A phrase as its papers write it; else the phrase around `term` that at least two of the theme's papers share; else the term. */
function themeName(
  term: string,
  members: Source[],
  phrasesBy: Map<Source, Map<string, Map<string, number>>>,
  forms: Map<string, Map<string, number>>,
  named: (t: string) => boolean,
  settings: DigestSettings,
): string {
  const around = (key: string) => {
    const [a, b] = key.split(' ');
    return key === term || ((a === term || b === term) && named(a) && named(b));
  };
  const shared = new Map<string, { papers: number; written: Map<string, number> }>();
  for (const s of members) {
    for (const [key, written] of phrasesBy.get(s) ?? []) {
      if (!around(key)) continue;
      const entry = shared.get(key) ?? { papers: 0, written: new Map<string, number>() };
      entry.papers++;
      for (const [w, n] of written) entry.written.set(w, (entry.written.get(w) ?? 0) + n);
      shared.set(key, entry);
    }
  }
  const best = [...shared.entries()]
    .filter(([, e]) => e.papers >= settings.themes.minPapers)
    .sort((a, b) => b[1].papers - a[1].papers || a[0].localeCompare(b[0]))[0];
  const name = best ? commonest(best[1].written, best[0]) : commonest(forms.get(term), term);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** An offline topic summary: the papers grouped by theme, one verbatim sentence each. */
export function themedDigest(topic: string, sources: Source[], lexical: TermStats, settings: DigestSettings): string {
  if (!sources.length) return '';
  const line = (s: Source, about: string) => {
    const [sentence] = keySentences(about, s.paper, lexical, 1);
    return `- **${quoteCorpusText(s.paper.title)}** [${s.marker}]${sentence ? `: ${quoteCorpusText(sentence)}` : ''}`;
  };
  const { themes, rest } = themesOf(topic, sources, lexical, settings);
  const groups = themes.map((t) => {
    const markers = t.members.map((s) => `[${s.marker}]`).join('');
    return [`**${quoteCorpusText(t.name)}** ${markers}`, ...t.members.map((s) => line(s, `${topic} ${t.name}`))].join('\n');
  });
  if (rest.length) {
    const lines = rest.map((s) => line(s, topic));
    groups.push(themes.length ? [`**Other papers on the topic**`, ...lines].join('\n') : lines.join('\n'));
  }
  return groups.join('\n\n');
}
