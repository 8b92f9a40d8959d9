/**
 * Which of a set of papers match watched topics: the retriever's own ranking (BM25F, fused with
 * vectors when the index has them) restricted to those papers, then a relevance bar: one
 * sentence of the paper (or its title) must carry most of the topic's idf weight (the coverage
 * measure abstention uses, per sentence), so that a paper sharing one common word with a topic,
 * or its words scattered over unrelated sentences, is not announced.
 */
import type { Paper } from '../corpus/types.js';
import { queryTerms } from '../index/lexical.js';
import type { Retriever } from '../index/search.js';
import { paperTerms } from '../index/paper-terms.js';

/**
 * Share of a topic's idf weight one sentence must carry. 0.75: the rare words of a topic are
 * required and a very common one is not ("code generation" needs both words; "retrieval
 * augmented generation" needs the first two). Measured on the shipped corpus (README).
 */
export const TOPIC_MATCH_COVERAGE = 0.75;
/** Papers listed per topic in one digest. */
export const MAX_PAPERS_PER_TOPIC = 5;
const REASON_CHARS = 220;

export interface TopicMatch {
  paper: Paper;
  score: number;
  /** Share of the topic's idf weight its best sentence (or the title) contains (0..1). */
  coverage: number;
  /** The sentence of the title or abstract that matches the topic best. */
  reason: string;
  firstSeen?: string;
}

export interface TopicGroup {
  topic: string;
  matches: TopicMatch[];
  /** Matches beyond MAX_PAPERS_PER_TOPIC. */
  more: number;
}

/**
 * The title or abstract sentence that covers most of the topic's idf weight, and that share.
 * Per sentence, not per abstract: "code is available" and "video generation" in two sentences
 * are not a paper about code generation.
 */
export function bestSentence(retriever: Retriever, topic: string, paper: Paper): { text: string; coverage: number } {
  const stats = retriever.corpus.termStats;
  const terms = [...queryTerms(topic).keys()];
  const total = terms.reduce((sum, t) => sum + stats.idf(t), 0);
  let best = { text: paper.title, coverage: -1 };
  const read = paperTerms(paper);
  for (const { text, terms: sentenceTerms } of [{ text: paper.title, terms: read.titleTerms }, ...read.sentences]) {
    const words = new Set(sentenceTerms);
    const matched = terms.reduce((sum, t) => sum + (words.has(t) ? stats.idf(t) : 0), 0);
    const coverage = total ? matched / total : 0;
    if (coverage > best.coverage) best = { text, coverage };
  }
  const text = best.text.replace(/\s+/g, ' ').trim();
  return {
    text: text.length > REASON_CHARS ? `${text.slice(0, REASON_CHARS - 1).trimEnd()}…` : text,
    coverage: Math.max(0, best.coverage),
  };
}

/**
 * For each topic, the papers among `paperIds` that match it, best first; topics with no match
 * are left out. `retriever` should be pinned (one generation for every topic).
 */
export async function matchTopics(retriever: Retriever, topics: readonly string[], paperIds: readonly string[]): Promise<TopicGroup[]> {
  const ids = [...new Set(paperIds)].filter((id) => retriever.corpus.paperById.has(id));
  if (!ids.length) return [];
  const groups: TopicGroup[] = [];
  for (const topic of topics) {
    const hits = await retriever.search(topic, { k: ids.length, filter: { paperIds: ids } });
    const matches: TopicMatch[] = [];
    for (const h of hits) {
      const { text, coverage } = bestSentence(retriever, topic, h.paper);
      if (coverage < TOPIC_MATCH_COVERAGE) continue;
      matches.push({
        paper: h.paper,
        score: h.score,
        coverage,
        reason: text,
        ...(h.paper.firstSeen ? { firstSeen: h.paper.firstSeen } : {}),
      });
    }
    if (matches.length)
      groups.push({ topic, matches: matches.slice(0, MAX_PAPERS_PER_TOPIC), more: Math.max(0, matches.length - MAX_PAPERS_PER_TOPIC) });
  }
  return groups;
}
