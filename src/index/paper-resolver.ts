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
  /** The title's words with their case ("MosaicBERT"), where a fragment may match at a word's or a hump's start. */
  cased: string[];
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
      return { paper, key, ...(name ? { name } : {}), cased, terms: new Set(tokenize(paper.title)) };
    });
    indexes.set(papers, list);
  }
  return list;
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

function hasTerm(acronyms: AcronymTable, e: TitleEntry, t: string): boolean {
  return e.terms.has(t) || (acronyms.expansions.get(t)?.some((f) => f.every((x) => e.terms.has(x))) ?? false);
}

/**
 * "bert" in "bert2BERT", "MosaicBERT" or "VacancySBERT", "lora" in "VeLoRA", but not in "exploration":
 * the fragment starts the word or one of its humps, or ends the word.
 */
function fragmentOf(word: string, fragment: string): boolean {
  const lower = word.toLowerCase();
  for (let i = lower.indexOf(fragment); i >= 0; i = lower.indexOf(fragment, i + 1)) {
    if (i === 0 || i + fragment.length === lower.length) return true;
    const prev = word[i - 1];
    const cur = word[i];
    if ((/\p{Lu}/u.test(cur) && !/\p{Lu}/u.test(prev)) || /\p{N}/u.test(prev) !== /\p{N}/u.test(cur)) return true;
  }
  return false;
}

function matchOf(e: TitleEntry, q: { key: string; words: string[]; terms: string[]; alt: string[][] }, acronyms: AcronymTable) {
  if (q.terms.length && q.terms.every((t) => e.terms.has(t))) return 'words' as const;
  if (q.terms.length && (q.terms.every((t) => hasTerm(acronyms, e, t)) || q.alt.some((a) => a.every((t) => e.terms.has(t)))))
    return 'abbreviation' as const;
  // Fragments of words: a match, never a decisive one. One letter would match everything.
  const fragments = q.words.filter((w) => w.length >= 2);
  if (fragments.length && fragments.every((w) => e.cased.some((tw) => fragmentOf(tw, w)))) return 'substring' as const;
  if (q.terms.length) {
    const hits = q.terms.filter((t) => e.terms.has(t)).length;
    if (hits / q.terms.length >= MIN_TERM_SHARE) return 'terms' as const;
  }
  return undefined;
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
  const q = { key, words: key.split(' '), terms, alt: abbreviatedForms(acronyms, terms, key.split(' ')) };
  const scored: Array<PaperCandidate & { score: number; title: number }> = [];
  for (const e of entries) {
    const match: PaperMatch | undefined = e.name === key ? 'name' : matchOf(e, q, acronyms);
    if (!match) continue;
    // Within a kind: the title starting with the query, then the query as a phrase, then the shorter title.
    const phrase = e.key.startsWith(key) ? 0.5 : ` ${e.key} `.includes(` ${key} `) ? 0.25 : 0;
    scored.push({ paper: e.paper, match, score: RANK[match] + phrase, title: e.key.length });
  }
  scored.sort((a, b) => b.score - a.score || a.title - b.title || a.paper.title.localeCompare(b.paper.title));
  const names = scored.filter((s) => s.match === 'name');
  if (names.length === 1) return { kind: 'found', paper: names[0].paper, match: 'name' };
  if (scored.length === 1 && DECISIVE.has(scored[0].match)) return { kind: 'found', paper: scored[0].paper, match: scored[0].match };
  if (!scored.length) return { kind: 'missing', query };
  return {
    kind: 'ambiguous',
    query,
    candidates: scored.slice(0, max).map(({ paper, match }) => ({ paper, match })),
    total: scored.length,
  };
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
