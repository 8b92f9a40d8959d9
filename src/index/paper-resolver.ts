/**
 * Which paper a typed id or title means, for every surface (/paper, /similar, /compare, the CLI).
 * An id, an exact title (case and punctuation ignored) or a paper's own name (the part of its
 * title before the colon, "DropPos") resolve to one paper; so does a query whose words all occur
 * in exactly one title. Anything weaker, or several matches, is returned as ranked candidates:
 * "BERT" must never quietly become "bert2BERT". No Discord or CLI types here.
 */
import type { Paper } from '../corpus/types.js';
import { paperIdFor, titleKey } from '../corpus/normalize.js';
import { type AcronymTable, acronymsOf } from './acronyms.js';
import type { PaperHit, SearchOptions } from './search.js';
import type { CorpusSnapshot } from './search-store.js';
import { tokenize } from './tokenize.js';

/** How a candidate matched, strongest first. */
export type PaperMatch = 'id' | 'exact' | 'name' | 'words' | 'abbreviation' | 'substring' | 'terms';

export interface PaperCandidate {
  paper: Paper;
  match: PaperMatch;
}

export type PaperResolution =
  | { kind: 'found'; paper: Paper; match: PaperMatch }
  /** Several papers (or one weak match): the caller lets the person pick; `total` counts all matches. */
  | { kind: 'ambiguous'; query: string; candidates: PaperCandidate[]; total: number }
  | { kind: 'missing'; query: string };

/** Pick buttons a reply can hold, and suggestions a miss offers. */
export const MAX_PAPER_CANDIDATES = 5;
/** The title-terms fallback (typo-free but reordered or inflected words) needs this share of the query's terms. */
const MIN_TERM_SHARE = 0.6;

const RANK: Record<PaperMatch, number> = { id: 7, exact: 6, name: 5, words: 4, abbreviation: 3, substring: 2, terms: 1 };
/** One such match alone is specific enough to open without asking. */
const DECISIVE: ReadonlySet<PaperMatch> = new Set(['id', 'exact', 'name', 'words', 'abbreviation']);

interface TitleEntry {
  paper: Paper;
  key: string;
  /** The title's own name ("DropPos" of "DropPos: Pre-Training …"), when it has one. */
  name?: string;
  /** The title's words with their case ("MosaicBERT"), where a fragment may match at a word's or a hump's start, and lowercased. */
  cased: string[];
  lower: string[];
  terms: Set<string>;
}

// Keyed by the paper list (one per generation), like the acronym table beside it.
const indexes = new WeakMap<readonly Paper[], TitleEntry[]>();

function titleEntries(papers: readonly Paper[]): TitleEntry[] {
  let list = indexes.get(papers);
  if (!list) {
    list = papers.map((paper) => {
      const key = titleKey(paper.title);
      const colon = paper.title.indexOf(':');
      const name = colon > 0 && colon < paper.title.length - 1 ? titleKey(paper.title.slice(0, colon)) : undefined;
      const cased = paper.title
        .normalize('NFKC')
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean);
      const lower = cased.map((w) => w.toLowerCase());
      return { paper, key, ...(name ? { name } : {}), cased, lower, terms: new Set(tokenize(paper.title)) };
    });
    indexes.set(papers, list);
  }
  return list;
}

/**
 * Build the generation's title index and abbreviation table now (at load), so the first /paper
 * after a start or a reindex answers within Discord's 3-second window on a large corpus.
 */
export function warmPaperResolver(papers: readonly Paper[]): void {
  titleEntries(papers);
  acronymsOf(papers);
}

/**
 * The query's terms with a spelled-out abbreviation replaced by its short form ("low rank
 * adaptation" also as "lora"), from the pairs the corpus itself writes.
 */
function abbreviatedForms(acronyms: AcronymTable, terms: string[], words: string[]): string[][] {
  // Long forms are tokenized from abstracts, where "Low-Rank" also yields "lowrank": so does "low rank" here.
  const have = new Set([...terms, ...words.slice(1).flatMap((w, i) => tokenize(`${words[i]}-${w}`))]);
  const out: string[][] = [];
  for (const [short, forms] of acronyms.expansions) {
    for (const form of forms) {
      if (form.length && form.every((t) => have.has(t))) out.push([...terms.filter((t) => !form.includes(t)), short]);
    }
  }
  return out;
}

interface Query {
  key: string;
  terms: string[];
  /** Per term, the long forms the corpus spells it out as ("lora": [["low", "rank", "adapt"], …]). */
  longForms: string[][][];
  /** The query with a long form it contains replaced by the short one. */
  alt: string[][];
  /** Whether any abbreviation pair applies to the query at all. */
  abbreviated: boolean;
  /** Query words long enough to look for inside title words. */
  fragments: string[];
}

/**
 * "bert" in "bert2BERT", "MosaicBERT" or "VacancySBERT", "lora" in "VeLoRA", but not in "exploration":
 * the fragment starts the word or one of its humps, or ends the word.
 */
function fragmentOf(word: string, lower: string, fragment: string): boolean {
  for (let i = lower.indexOf(fragment); i >= 0; i = lower.indexOf(fragment, i + 1)) {
    if (i === 0 || i + fragment.length === lower.length) return true;
    const prev = word[i - 1];
    const cur = word[i];
    if ((/\p{Lu}/u.test(cur) && !/\p{Lu}/u.test(prev)) || /\p{N}/u.test(prev) !== /\p{N}/u.test(cur)) return true;
  }
  return false;
}

function matchOf(e: TitleEntry, q: Query): PaperMatch | undefined {
  if (e.name === q.key) return 'name';
  const has = (t: string) => e.terms.has(t);
  let hits = 0;
  for (const t of q.terms) if (e.terms.has(t)) hits++;
  if (q.terms.length && hits === q.terms.length) return 'words';
  if (q.abbreviated && (q.terms.every((t, n) => has(t) || q.longForms[n].some((f) => f.every(has))) || q.alt.some((a) => a.every(has))))
    return 'abbreviation';
  // Fragments of words: a match, never a decisive one. The whole-key test first: it rejects most titles cheaply.
  if (
    q.fragments.length &&
    q.fragments.every((w) => e.key.includes(w)) &&
    q.fragments.every((w) => e.cased.some((word, n) => fragmentOf(word, e.lower[n], w)))
  )
    return 'substring';
  if (q.terms.length && hits / q.terms.length >= MIN_TERM_SHARE) return 'terms';
  return undefined;
}

interface Scored extends PaperCandidate {
  score: number;
}

/** Higher kind, then the title starting with the query, then the query as a phrase, then the shorter title. */
function before(a: Scored, b: Scored): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.paper.title.length !== b.paper.title.length) return a.paper.title.length < b.paper.title.length;
  return a.paper.title < b.paper.title;
}

export function resolvePaper(
  corpus: Pick<CorpusSnapshot, 'papers' | 'paperById'>,
  idOrTitle: string,
  max = MAX_PAPER_CANDIDATES,
): PaperResolution {
  const query = idOrTitle.trim();
  const key = titleKey(query);
  if (!key) return { kind: 'missing', query };
  const byId = corpus.paperById.get(query) ?? corpus.paperById.get(query.toLowerCase());
  if (byId) return { kind: 'found', paper: byId, match: 'id' };
  // Ids are derived from the normalised title: an exact title is one lookup.
  const exact = corpus.paperById.get(paperIdFor(query));
  if (exact && titleKey(exact.title) === key) return { kind: 'found', paper: exact, match: 'exact' };

  const entries = titleEntries(corpus.papers);
  const acronyms = acronymsOf(corpus.papers);
  const terms = [...new Set(tokenize(query))];
  const words = key.split(' ');
  const longForms = terms.map((t) => acronyms.expansions.get(t) ?? []);
  const alt = abbreviatedForms(acronyms, terms, words);
  const abbreviated = terms.length > 0 && (alt.length > 0 || longForms.some((f) => f.length > 0));
  const q: Query = { key, terms, longForms, alt, abbreviated, fragments: words.filter((w) => w.length >= 2) };
  // Only the best `max` are kept (a common word can match most of a large corpus), with the count.
  const top: Scored[] = [];
  let total = 0;
  let names = 0;
  for (const e of entries) {
    const match = matchOf(e, q);
    if (!match) continue;
    total++;
    if (match === 'name') names++;
    const phrase = e.key.startsWith(key) ? 0.5 : ` ${e.key} `.includes(` ${key} `) ? 0.25 : 0;
    const s: Scored = { paper: e.paper, match, score: RANK[match] + phrase };
    if (top.length === max && !before(s, top[max - 1])) continue;
    let at = top.length;
    while (at > 0 && before(s, top[at - 1])) at--;
    top.splice(at, 0, s);
    if (top.length > max) top.pop();
  }
  if (!total) return { kind: 'missing', query };
  // A paper's own name is as good as its title, unless several papers share it.
  if (names === 1 || (total === 1 && DECISIVE.has(top[0].match))) return { kind: 'found', paper: top[0].paper, match: top[0].match };
  return { kind: 'ambiguous', query, candidates: top.map(({ paper, match }) => ({ paper, match })), total };
}

/**
 * Whether a paper of the corpus has this title, or one holding all of its words ("Attention Is All You
 * Need" is no title here): a title quoted in a question names the paper it is about.
 */
export function hasPaperTitled(corpus: Pick<CorpusSnapshot, 'papers' | 'paperById'>, title: string): boolean {
  const r = resolvePaper(corpus, title);
  return r.kind === 'found' || (r.kind === 'ambiguous' && r.candidates.some((c) => DECISIVE.has(c.match)));
}

/** The closest papers to a title nothing matched: a search over the query, as /search would rank them. */
export async function suggestPapers(
  retriever: { search(query: string, opts?: SearchOptions): Promise<PaperHit[]> },
  query: string,
  max = MAX_PAPER_CANDIDATES,
): Promise<Paper[]> {
  if (!titleKey(query)) return [];
  return (await retriever.search(query, { k: max })).map((h) => h.paper);
}
