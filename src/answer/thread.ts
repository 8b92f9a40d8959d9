/**
 * Answers inside a conversation thread: the question's references ("the second one", "[2]",
 * "compare them") are resolved against the thread's numbered source list, the named papers are
 * pinned at the top of retrieval (or compared side by side), and the result is renumbered so every
 * paper keeps its thread number.
 */
import type { Paper } from '../corpus/types.js';
import { comparePapers, COMPARE_MAX, COMPARE_MIN, type ComparisonResult, type ComparisonRow } from './compare.js';
import { answerQuestion, cleanQuestion, type AnswerResult, type AskOptions, type EngineDeps } from './engine.js';
import type { Turn } from './followup.js';
import { resolveReferences, type Resolution } from './references.js';
import { renumberForThread, ThreadSources, type ThreadAnswer } from './thread-sources.js';

export type ThreadResult = AnswerResult & { comparison?: ComparisonRow[]; resolution: Resolution };

/** The engine's turns from a thread's records, with the thread's numbers for the cited papers. */
export function threadTurns(records: ThreadAnswer[], max = 6): Turn[] {
  return records
    .filter((r) => r.kind !== 'recap')
    .slice(-max)
    .map((r) => ({
      question: r.question,
      answer: r.answer,
      citedTitles: r.citations.map((c) => c.title),
      citedMarkers: r.citations.map((c) => c.marker),
    }));
}

/** Papers for thread numbers, from the retriever's current generation (a paper gone from the index is skipped). */
function papersFor(deps: EngineDeps, list: ThreadSources, markers: number[]): Paper[] {
  const byId = deps.retriever.store.paperById;
  return markers.map((m) => byId.get(list.get(m)?.paperId ?? '')).filter((p): p is Paper => Boolean(p));
}

export async function answerInThread(
  deps: EngineDeps,
  rawQuestion: string,
  records: ThreadAnswer[],
  opts: Omit<AskOptions, 'history' | 'pinned'> = {},
): Promise<ThreadResult> {
  const question = cleanQuestion(rawQuestion);
  const list = ThreadSources.fromRecords(records);
  const resolution = resolveReferences(question, list);
  const papers = papersFor(deps, list, resolution.markers);
  if (resolution.compare && papers.length >= COMPARE_MIN) {
    const compared = await comparePapers(deps, papers.slice(0, COMPARE_MAX), question, { signal: opts.signal });
    return { ...comparisonForThread(compared, list), resolution };
  }
  const answered = await answerQuestion(deps, question, { ...opts, history: threadTurns(records), pinned: papers });
  const { kind: _k, ...result } = renumberForThread({ ...answered, kind: 'followup' }, list);
  return { ...result, resolution };
}

/** /compare: the named papers side by side, in the thread's numbers when asked inside one. */
export async function compareInThread(
  deps: EngineDeps,
  papers: Paper[],
  records: ThreadAnswer[],
  opts: { signal?: AbortSignal } = {},
): Promise<ComparisonResult> {
  const list = ThreadSources.fromRecords(records);
  const question = `Compare ${papers.map((p) => `"${p.title}"`).join(', ')}`;
  return comparisonForThread(await comparePapers(deps, papers, question, opts), list);
}

/** A comparison (markers 1..n) in the thread's numbers: text, citations, sources and table rows alike. */
function comparisonForThread(compared: ComparisonResult, list: ThreadSources): ComparisonResult {
  const { kind: _k, ...renumbered } = renumberForThread({ ...compared, kind: 'compare' }, list);
  const byLocal = new Map(compared.citations.map((c, i) => [c.marker, renumbered.citations[i].marker]));
  return { ...renumbered, comparison: compared.comparison.map((r) => ({ ...r, marker: byLocal.get(r.marker) ?? r.marker })) };
}
