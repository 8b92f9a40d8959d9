/**
 * Which of a set of papers match watched topics: the retriever's own ranking (BM25F, fused with
 * vectors when the index has them) restricted to those papers, then a relevance bar on the share
 * of the topic's idf weight the paper covers (the measure abstention uses), so that a paper
 * sharing one common word with a topic is not announced.
 */
import { scoreSentences } from '../answer/digest.js';
import { measureEvidence } from '../answer/sources.js';
import type { Paper } from '../corpus/types.js';
import type { Retriever } from '../index/search.js';

/** Share of a topic's idf weight a paper must contain to count as matching it. */
export const TOPIC_MATCH_COVERAGE = 0.5;
/** Papers listed per topic in one digest. */
export const MAX_PAPERS_PER_TOPIC = 5;
const REASON_CHARS = 220;

export interface TopicMatch {
  paper: Paper;
  score: number;
  /** Share of the topic's idf weight the paper contains (0..1). */
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

function bestSentence(retriever: Retriever, topic: string, paper: Paper): string {
  const stats = retriever.corpus.termStats;
  const scored = scoreSentences(topic, paper.abstract, stats).sort((a, b) => b.score - a.score || a.index - b.index);
  const text = (scored[0]?.score ? scored[0].text : (scored[0]?.text ?? paper.title)).replace(/\s+/g, ' ').trim();
  return text.length > REASON_CHARS ? `${text.slice(0, REASON_CHARS - 1).trimEnd()}…` : text;
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
      const coverage = measureEvidence(retriever, topic, [h]).coverage;
      if (coverage < TOPIC_MATCH_COVERAGE) continue;
      matches.push({
        paper: h.paper,
        score: h.score,
        coverage,
        reason: bestSentence(retriever, topic, h.paper),
        ...(h.paper.firstSeen ? { firstSeen: h.paper.firstSeen } : {}),
      });
    }
    if (matches.length)
      groups.push({ topic, matches: matches.slice(0, MAX_PAPERS_PER_TOPIC), more: Math.max(0, matches.length - MAX_PAPERS_PER_TOPIC) });
  }
  return groups;
}
