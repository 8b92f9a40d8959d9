/**
 * Retrieval for answers: papers (each once, with its best passages), diversified by MMR so
 * near-duplicates do not crowd out other papers, numbered [1]..[n], plus an evidence measure
 * used to decide whether to answer at all.
 */
import type { Paper } from '../corpus/types.js';
import type { AcronymTable } from '../index/acronyms.js';
import { isKnownTerm } from '../index/bm25f.js';
import { queryTerms } from '../index/lexical.js';
import type { PaperHit, Retriever, SearchFilter, SearchResult } from '../index/search.js';
import type { TermStats } from '../index/search-store.js';
import { withoutChatClauses } from '../index/chat-clauses.js';
import { paperMentions, paperTerms } from '../index/paper-terms.js';
import { askersLanguage } from '../index/asker-language.js';
import { asksForReading } from '../index/reading-request.js';
import { ASK } from './settings.js';

export interface Source {
  marker: number;
  paper: Paper;
  score: number;
  /** Best chunk texts for this paper, most relevant first. */
  passages: string[];
  /** The paper's own link: its record's url, else an arXiv title search (the dumps carry no URL). */
  url: string;
  /** URLs mentioned in the abstract: corpus text, never shown as the paper's own link. */
  links: string[];
}

export interface Evidence {
  /** Share of the query's idf mass that the best paper matches (0..1). */
  coverage: number;
  /** The idf mass itself: how much of the question the best paper shares, whatever else the message holds. */
  sharedIdf: number;
  /** The question's idf mass that `coverage` is a share of (its known terms, and its unknown ones outside chat clauses). */
  askedIdf: number;
  /** Query terms the corpus does not contain at all. */
  unknownTerms: string[];
  /** Query terms (stemmed) the corpus knows. */
  knownTerms: number;
  /**
   * The best BM25 score among the hits: the top-ranked paper's after fusion with vectors need not be it,
   * and answerability's thin-evidence rule asks whether any paper shares much of the question.
   */
  topScore: number;
}

export function arxivSearchUrl(title: string): string {
  return `https://arxiv.org/search/?query=${encodeURIComponent(title)}&searchtype=title`;
}

/** The paper's own link. Never a URL from its abstract: anyone can write one there. */
export function paperUrl(paper: Paper): string {
  return paper.url && /^https?:\/\//i.test(paper.url) ? paper.url : arxivSearchUrl(paper.title);
}

/** URLs the abstract mentions (the corpus puts the record's own url in `links` too). */
export function abstractLinks(paper: Paper): string[] {
  return paper.links.filter((l) => l !== paper.url);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  return inter / (a.size + b.size - inter || 1);
}

/** Maximal marginal relevance over paper hits; relevance is the score relative to the best. */
export function diversify(hits: PaperHit[], n: number, lambda = ASK.sources.mmrLambda): PaperHit[] {
  if (hits.length <= 1) return hits.slice(0, n);
  const top = hits[0].score || 1;
  const sets = new Map(hits.map((h) => [h.paper.id, paperTerms(h.paper).all]));
  const chosen: PaperHit[] = [hits[0]];
  const rest = hits.slice(1);
  while (chosen.length < n && rest.length) {
    let bestIdx = 0;
    let best = -Infinity;
    rest.forEach((h, i) => {
      const sim = Math.max(...chosen.map((c) => jaccard(sets.get(h.paper.id)!, sets.get(c.paper.id)!)));
      const mmr = lambda * (h.score / top) - (1 - lambda) * sim;
      if (mmr > best) {
        best = mmr;
        bestIdx = i;
      }
    });
    chosen.push(rest.splice(bestIdx, 1)[0]);
  }
  return chosen;
}

/** How much of the question the best paper shares; it reads the corpus' term statistics, never the retriever. */
export function measureEvidence(lexical: TermStats, query: string, hits: PaperHit[]): Evidence {
  const terms = queryTerms(query);
  // Words no paper uses in a chat clause ("ngl been confused abt this —") are not the question's subject. A clause
  // here is the question's if any word of it is a corpus word: coarser than answerability's reading (abstain.ts,
  // where a clause must name something or share a content word with the best match), so chat words no paper uses
  // ("don't need an essay") still weigh against coverage. Reading it as abstain.ts does was tried (twelfth round):
  // 25 of 11,611 answers changed grade, and fresh tuning lost a flag (28 -> 27).
  const known = (t: string) => isKnownTerm(lexical, t);
  const asked = queryTerms(withoutChatClauses(query, known));
  const foreign = askersLanguage(query, known);
  // Words no paper uses in a chat clause, or in the asker's language ("LoRA는 뭐야?"), are not the subject.
  const weighs = (t: string) => known(t) || (asked.has(t) && !foreign(t));
  const top = hits[0];
  const { total, shared: matched } = idfShare(lexical, terms.keys(), top ? paperTerms(top.paper).all : new Set(), weighs);
  const knownTerms = [...terms.keys()].filter(known).length;
  const unknownTerms = [...terms.keys()].filter((t) => !known(t) && weighs(t));
  return {
    coverage: total ? matched / total : 0,
    sharedIdf: matched,
    askedIdf: total,
    unknownTerms,
    knownTerms,
    topScore: hits.reduce((best, h) => Math.max(best, h.lexicalScore), 0),
  };
}

/** The idf the terms that `weighs` counts add up to, and the part of it that `words` (a paper's) holds. */
export function idfShare(
  lexical: TermStats,
  terms: Iterable<string>,
  words: ReadonlySet<string>,
  weighs: (term: string) => boolean,
): { total: number; shared: number } {
  let total = 0;
  let shared = 0;
  for (const t of terms) {
    if (!weighs(t)) continue;
    total += lexical.idf(t);
    if (words.has(t)) shared += lexical.idf(t);
  }
  return { total, shared };
}

/**
 * "which papers…", "list the papers…", "any papers on…": the user wants every paper that
 * matches, so an answer may cite more than the usual five; so does asking what to read ("moe reading list pls").
 */
export function asksForList(question: string): boolean {
  return (
    asksForReading(question) ||
    /\b(?:which|what|list|any|all)\b[^?.]{0,40}\bpapers\b|\bpapers\s+(?:about|on|that|which|using|propos)/i.test(question)
  );
}

/**
 * A question in several parts, each of which another paper may answer: a list after a colon
 * ("model merging: instruction vectors, merging before RLHF, model zoos") or two questions in one
 * ("what is X, and how does Y…").
 */
export function asksSeveral(question: string): boolean {
  return (
    // Linear: each item stops at the first comma, colon or question mark (no nested quantifiers to backtrack).
    /:\s*[^\s:?,][^:?,]*,\s*[^\s,?]/.test(question) ||
    /\b(?:what|how|which|who|why)\b[^?]*,\s*(?:and\s+)?(?:what|how|which|who|why)\b/i.test(question)
  );
}

export interface GatherOptions {
  max: number;
  filter?: SearchFilter;
  /** Drop papers scoring below this share of the best one. */
  minRelative?: number;
  candidates?: number;
  /** MMR trade-off between relevance and novelty (diversify). */
  mmrLambda?: number;
  /** Keep only papers that use two of the query's terms together (onTopic), within this many terms. */
  cooccurrenceWindow?: number;
  signal?: AbortSignal;
  /** Epoch ms by which the question must be embedded (the answer's budget); past it, lexical only. */
  deadline?: number;
  /** The query is read already (readQuestion): the search does not read it again. */
  read?: boolean;
}

export interface GatheredSources {
  sources: Source[];
  hits: PaperHit[];
  evidence: Evidence;
  retrieval: SearchResult['retrieval'];
  degraded?: string;
}

export async function gatherSources(retriever: Retriever, query: string, opts: GatherOptions): Promise<GatheredSources> {
  const { hits, retrieval, degraded } = await retriever.searchWithMode(query, {
    k: opts.candidates ?? Math.max(20, opts.max * 3),
    filter: opts.filter,
    signal: opts.signal,
    deadline: opts.deadline,
    read: opts.read,
  });
  const lexical = retriever.corpus.termStats;
  const evidence = measureEvidence(lexical, query, hits);
  const top = hits[0]?.score ?? 0;
  const close = hits.filter((h) => h.score >= top * (opts.minRelative ?? 0.3));
  const relevant = opts.cooccurrenceWindow === undefined ? close : onTopic(lexical, query, close, opts.cooccurrenceWindow);
  const picked = diversify(relevant, opts.max, opts.mmrLambda);
  const sources = picked.map((h, i) => ({
    marker: i + 1,
    paper: h.paper,
    score: h.score,
    passages: h.chunks.slice(0, 3).map((c) => c.chunk.text),
    url: paperUrl(h.paper),
    links: abstractLinks(h.paper),
  }));
  return { sources, hits, evidence, retrieval, ...(degraded ? { degraded } : {}) };
}

/** Whether two different terms of `pairs` occur within `window` positions of each other in `terms`. */
function together(terms: readonly string[], asked: Set<string>, window: number): boolean {
  const last = new Map<string, number>();
  for (const [i, t] of terms.entries()) {
    if (!asked.has(t)) continue;
    for (const [other, j] of last) if (other !== t && i - j <= window) return true;
    last.set(t, i);
  }
  return false;
}

/**
 * The hits that use at least two of the query's terms together (within `window` terms, stop words
 * not counted, in the title or the abstract). A paper that has each word only apart matched the
 * words, not the subject: for "data mixtures", a mixture-of-experts paper that also says "data"
 * somewhere. A one-term query, or one that no hit uses together, keeps every hit.
 */
export function onTopic(lexical: TermStats, query: string, hits: PaperHit[], window: number): PaperHit[] {
  const asked = new Set([...queryTerms(query).keys()].filter((t) => isKnownTerm(lexical, t)));
  if (asked.size < 2) return hits;
  const kept = hits.filter((h) => {
    const p = paperTerms(h.paper);
    return together(p.titleTerms, asked, window) || together(p.abstractTerms, asked, window);
  });
  return kept.length ? kept : hits;
}

/** Papers a follow-up's search found that join the pins, at most. */
const MAX_WIDENED = 2;

/** What a follow-up asks of the thread's papers: its own words, and the earlier question it picks among the answers of. */
export interface PinQuestion {
  question: string;
  earlier: string;
}

/**
 * "any of those use MCTS?": a follow-up picking among several papers of the thread by a rare word of its own that none
 * of them mentions. The papers its search found that mention that word and the thread's subject (the rarest word of
 * the earlier question every pin mentions) answer it, though the thread never showed them: they follow the pins, the
 * ones saying most of the follow-up's words first. A paper with the word alone ("which of these work for MoE models?"
 * finds MoE papers about something else) is none. Only between several pins: one paper asked about ("does it work on
 * ImageNet?") is the question's subject, not a list.
 */
export function widenPins(
  corpus: { termStats: TermStats; acronyms: AcronymTable },
  asked: PinQuestion,
  pinned: Paper[],
  hits: PaperHit[],
  minIdf: number,
): Paper[] {
  if (pinned.length < 2) return [];
  const lexical = corpus.termStats;
  const mentions = (p: Paper, t: string) => paperMentions(corpus.acronyms, p, t);
  const own = [...queryTerms(asked.question).keys()].filter(
    (t) => isKnownTerm(lexical, t) && lexical.idf(t) >= minIdf && !pinned.some((p) => mentions(p, t)),
  );
  if (!own.length) return [];
  // The thread's subject: the rarest word of the earlier question that every pin mentions ("unlearning").
  const subject = [...queryTerms(asked.earlier).keys()]
    .filter((t) => isKnownTerm(lexical, t) && pinned.every((p) => mentions(p, t)))
    .sort((a, b) => lexical.idf(b) - lexical.idf(a))[0];
  if (!subject) return [];
  const ids = new Set(pinned.map((p) => p.id));
  // The papers saying most of what the follow-up asks first (idf of its words they mention), then by the search.
  const says = (p: Paper) => own.reduce((sum, t) => sum + (mentions(p, t) ? lexical.idf(t) : 0), 0);
  return hits
    .filter((h) => !ids.has(h.paper.id) && mentions(h.paper, subject))
    .map((h, i) => ({ paper: h.paper, said: says(h.paper), i }))
    .filter((c) => c.said > 0)
    .sort((a, b) => b.said - a.said || a.i - b.i)
    .slice(0, MAX_WIDENED)
    .map((c) => c.paper);
}

/**
 * Pinned papers first (a follow-up named them), then the retrieved ones not already pinned, renumbered
 * 1..n. The list keeps its length unless the pins alone are longer.
 */
export function pinSources(retrieved: Source[], pinned: Paper[], hits: PaperHit[]): Source[] {
  const ids = new Set(pinned.map((p) => p.id));
  const first = pinned.map((paper): Omit<Source, 'marker'> => {
    const hit = hits.find((h) => h.paper.id === paper.id);
    return {
      paper,
      score: hit?.score ?? retrieved[0]?.score ?? 1,
      passages: hit ? hit.chunks.slice(0, 3).map((c) => c.chunk.text) : [paper.abstract],
      url: paperUrl(paper),
      links: abstractLinks(paper),
    };
  });
  const rest = retrieved.filter((s) => !ids.has(s.paper.id)).slice(0, Math.max(0, retrieved.length - first.length));
  return [...first, ...rest].map((s, i) => ({ ...s, marker: i + 1 }));
}
