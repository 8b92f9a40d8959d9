/**
 * The on-demand digest (/digest, `research-bot digest`): papers first seen since a time that
 * match the given topics, in the same groups a watching channel gets after an ingest.
 */
import type { Retriever } from '../index/search.js';
import { matchTopics, type TopicGroup } from './match.js';
import type { RadarStore } from './types.js';

export interface DigestView {
  since: string;
  /** Papers first seen since then that are in the live index. */
  newPapers: number;
  topics: string[];
  groups: TopicGroup[];
}

/**
 * Ids of the live papers first seen at or after `since`: a paper's own first-seen date when the
 * index records one, and the generations the radar recorded since then (which covers indexes
 * built before first-seen dates existed).
 */
export async function papersFirstSeenSince(radar: RadarStore | undefined, retriever: Retriever, since: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const p of retriever.corpus.papers) if (p.firstSeen && p.firstSeen >= since) ids.add(p.id);
  for (const rec of (await radar?.generationsSince(since)) ?? []) for (const id of rec.newPaperIds) ids.add(id);
  return [...ids].filter((id) => retriever.corpus.paperById.has(id));
}

export async function digestSince(
  radar: RadarStore | undefined,
  retriever: Retriever,
  opts: { since: string; topics: readonly string[] },
): Promise<DigestView> {
  const pinned = await retriever.pinned();
  const ids = await papersFirstSeenSince(radar, pinned, opts.since);
  const topics = [...new Set(opts.topics.map((t) => t.trim()).filter(Boolean))];
  return { since: opts.since, newPapers: ids.length, topics, groups: await matchTopics(pinned, topics, ids) };
}

/** `days` days before `now`, as ISO-8601 UTC. */
export function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * 86_400_000).toISOString();
}
