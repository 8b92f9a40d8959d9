/**
 * Evaluation of topic summaries over a JSONL topic set: of the papers a summary cites, how many are on the topic
 * (precision), how many of the topic's papers it cites (recall), and which papers it cites that share only a word
 * with the topic. A line: `{id, topic, expected_titles, acceptable_titles?, trap?, trap_titles?, split?}`, where expected
 * papers are mainly about the topic and acceptable ones touch it (citing them is neither credit nor fault), and trap
 * papers share only an ambiguous word with it ("mixture" of experts for a data-mixtures topic): the papers the issue
 * says a summary must drop, counted apart among the off-topic ones.
 */
import { z } from 'zod';
import { titleKey } from '../corpus/normalize.js';
import type { Confidence } from './abstain.js';
import { type EngineDeps, summarizeTopic } from './engine.js';
import { citesOnlySources, medianAndP95, parseJsonLines, readEvalText } from './eval.js';

const topicSchema = z.object({
  id: z.string().optional(),
  topic: z.string().min(1),
  expected_titles: z.array(z.string()).min(1),
  acceptable_titles: z.array(z.string()).default([]),
  /** What a keyword match would wrongly pull in ("mixture" of experts for a data-mixtures topic). */
  trap: z.string().optional(),
  /** The papers of the corpus that trap falls into. */
  trap_titles: z.array(z.string()).default([]),
  split: z.enum(['tuning', 'heldout']).optional(),
});
export type EvalTopic = z.infer<typeof topicSchema>;

export function parseTopics(text: string): { topics: EvalTopic[]; errors: string[] } {
  const { items, errors } = parseJsonLines(text, topicSchema);
  return { topics: items, errors };
}

export async function readTopics(path: string): Promise<{ topics: EvalTopic[]; errors: string[] }> {
  return parseTopics(await readEvalText(path));
}

/** Whether JSONL text holds topics: its first line has `topic` and no `question` (`eval` then measures summaries). */
export function isTopicText(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim());
  try {
    const line = JSON.parse(first ?? '') as Record<string, unknown>;
    return typeof line.topic === 'string' && line.question === undefined;
  } catch {
    return false;
  }
}

export interface TopicReport {
  perTopic: Array<{
    id?: string;
    confidence: Confidence;
    cited: number;
    /** Expected papers cited, of all expected. */
    recall: number;
    /** Cited papers that are expected or acceptable, of all cited (1 when nothing is cited). */
    precision: number;
    /** Titles cited that are neither expected nor acceptable. */
    offTopic: string[];
    /** Of those, the trap papers: matched only through an ambiguous word of the topic. */
    trapsCited: string[];
    citationsValid: boolean;
  }>;
  topics: number;
  /** Means over topics. */
  recall: number;
  precision: number;
  /** Summed over topics. */
  cited: number;
  offTopic: number;
  topicsWithOffTopic: number;
  /** Trap papers listed over all topics, and how many of them were cited. */
  traps: { listed: number; cited: number; topicsCiting: number };
  refused: number;
  citationValidity: number;
  ms: { total: number; perTopicP50: number; perTopicP95: number };
  errors: string[];
}

export async function runTopicEval(deps: EngineDeps, topics: EvalTopic[]): Promise<Omit<TopicReport, 'errors'>> {
  const started = Date.now();
  const perTopic: TopicReport['perTopic'] = [];
  const durations: number[] = [];
  let trapsListed = 0;
  for (const t of topics) {
    const t0 = Date.now();
    const r = await summarizeTopic(deps, t.topic);
    durations.push(Date.now() - t0);
    const expected = new Set(t.expected_titles.map(titleKey));
    const fine = new Set([...expected, ...t.acceptable_titles.map(titleKey)]);
    const traps = new Set(t.trap_titles.map(titleKey));
    trapsListed += traps.size;
    const cited = [...new Map(r.citations.map((c) => [titleKey(c.title), c.title])).entries()];
    perTopic.push({
      id: t.id,
      confidence: r.confidence,
      cited: cited.length,
      recall: cited.filter(([k]) => expected.has(k)).length / expected.size,
      precision: cited.length ? cited.filter(([k]) => fine.has(k)).length / cited.length : 1,
      offTopic: cited.filter(([k]) => !fine.has(k)).map(([, title]) => title),
      trapsCited: cited.filter(([k]) => traps.has(k)).map(([, title]) => title),
      citationsValid: citesOnlySources(r),
    });
  }
  const mean = (f: (p: (typeof perTopic)[number]) => number) =>
    perTopic.length ? perTopic.reduce((s, p) => s + f(p), 0) / perTopic.length : 0;
  return {
    perTopic,
    topics: perTopic.length,
    recall: mean((p) => p.recall),
    precision: mean((p) => p.precision),
    cited: perTopic.reduce((s, p) => s + p.cited, 0),
    offTopic: perTopic.reduce((s, p) => s + p.offTopic.length, 0),
    topicsWithOffTopic: perTopic.filter((p) => p.offTopic.length > 0).length,
    traps: {
      listed: trapsListed,
      cited: perTopic.reduce((s, p) => s + p.trapsCited.length, 0),
      topicsCiting: perTopic.filter((p) => p.trapsCited.length > 0).length,
    },
    refused: perTopic.filter((p) => p.confidence === 'none').length,
    citationValidity: mean((p) => (p.citationsValid ? 1 : 0)),
    ms: { total: Date.now() - started, ...medianAndP95(durations, 'perTopic') },
  };
}

export function formatTopicReport(r: TopicReport): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    `Topic summaries: ${r.topics}`,
    `Recall of the topic's papers (mean): ${f(r.recall)}`,
    `Precision of cited papers (mean; expected or acceptable): ${f(r.precision)}`,
    `Cited papers: ${r.cited}, off-topic: ${r.offTopic} (in ${r.topicsWithOffTopic} of ${r.topics} summaries)`,
    `Trap papers (sharing only an ambiguous word) cited: ${r.traps.cited} of ${r.traps.listed} (in ${r.traps.topicsCiting} summaries)`,
    `Refused: ${r.refused}/${r.topics}`,
    `Summaries with only valid citations: ${f(r.citationValidity)}`,
    `Time: ${r.ms.total} ms total, ${r.ms.perTopicP50} ms median, ${r.ms.perTopicP95} ms p95 per summary`,
  ];
  if (r.errors.length) lines.push('', `Skipped ${r.errors.length} bad lines:`, ...r.errors.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}
