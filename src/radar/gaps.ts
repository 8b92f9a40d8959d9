/**
 * What the corpus lacks, from the answer and feedback logs (FEEDBACK_DIR/answers.jsonl,
 * feedback.jsonl) and nothing else: questions that were abstained on, answered with low
 * confidence, or voted 👎, grouped by similar wording (token overlap), with how often and when
 * they were last asked, the papers that come closest, and what the 👎 voters wrote about them.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Retriever } from '../index/search.js';
import { tokenize } from '../index/tokenize.js';

export type GapReason = 'abstained' | 'low' | 'downvoted';

/** A 👎 voter's note on one of a gap's answers (the question is that answer's wording). */
export interface GapNote {
  note: string;
  time: string;
  question: string;
}

export interface GapCluster {
  /** The most recent wording. */
  question: string;
  /** Up to three other wordings, most recent first. */
  variants: string[];
  count: number;
  lastAsked: string;
  reasons: Record<GapReason, number>;
  closest: Array<{ paperId: string; title: string }>;
  /** The latest notes from users whose vote on the answer is 👎, newest first (at most MAX_GAP_NOTES). */
  notes: GapNote[];
}

/** Two questions belong together when their term sets overlap this much (Jaccard). */
export const GAP_SIMILARITY = 0.5;
/** The most recent gap questions read; older ones are left out. */
export const MAX_GAP_QUESTIONS = 5000;
const MAX_CLUSTERS = 1000;
/** Notes shown per gap. */
export const MAX_GAP_NOTES = 3;
const GAP_KINDS = new Set(['ask', 'followup', 'qa', 'summarize', undefined]);

interface GapQuestion {
  question: string;
  time: string;
  reason: GapReason;
  key: string;
  notes?: GapNote[];
}

async function* jsonLines(path: string): AsyncGenerator<Record<string, unknown>> {
  let input: ReturnType<typeof createReadStream>;
  try {
    input = createReadStream(path);
    await new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    try {
      const rec = JSON.parse(line) as unknown;
      if (rec && typeof rec === 'object') yield rec as Record<string, unknown>;
    } catch {
      // a torn last line was never acknowledged
    }
  }
}

/** Gap questions from the logs, oldest first, one per answer (its strongest reason). */
async function readGapQuestions(feedbackDir: string): Promise<GapQuestion[]> {
  const byAnswer = new Map<string, GapQuestion>();
  const questions = new Map<string, { question: string; time: string }>();
  for await (const r of jsonLines(join(feedbackDir, 'answers.jsonl'))) {
    if (r.type !== 'answer' || typeof r.answerId !== 'string' || typeof r.question !== 'string') continue;
    if (!GAP_KINDS.has(r.kind as string)) continue;
    const time = String(r.time ?? '');
    questions.set(r.answerId, { question: r.question, time });
    const reason: GapReason | undefined =
      r.abstained === true || r.confidence === 'none' ? 'abstained' : r.confidence === 'low' ? 'low' : undefined;
    if (reason) byAnswer.set(r.answerId, { question: r.question, time, reason, key: r.answerId });
    if (byAnswer.size > MAX_GAP_QUESTIONS * 2) byAnswer.delete(byAnswer.keys().next().value!);
  }
  // Each user's latest vote counts; a 👎 later changed to 👍 is not a gap.
  const votes = new Map<string, { answerId: string; vote: string; question: unknown; time: string }>();
  // Each user's latest note per answer, bounded like the questions.
  const notes = new Map<string, { answerId: string; note: string; time: string }>();
  for await (const v of jsonLines(join(feedbackDir, 'feedback.jsonl'))) {
    if (typeof v.answerId !== 'string' || typeof v.userId !== 'string') continue;
    if (v.type === 'note' && typeof v.note === 'string') {
      const key = `${v.answerId} ${v.userId}`;
      notes.delete(key);
      notes.set(key, { answerId: v.answerId, note: v.note, time: String(v.time ?? '') });
      if (notes.size > MAX_GAP_QUESTIONS * 2) notes.delete(notes.keys().next().value!);
      continue;
    }
    if (v.type !== 'vote') continue;
    votes.set(`${v.answerId} ${v.userId}`, {
      answerId: v.answerId,
      vote: String(v.vote),
      question: v.question,
      time: String(v.time ?? ''),
    });
  }
  for (const v of votes.values()) {
    if (v.vote !== 'down' || byAnswer.has(v.answerId)) continue;
    const asked = questions.get(v.answerId);
    const question = asked?.question ?? (typeof v.question === 'string' ? v.question : undefined);
    if (question) byAnswer.set(v.answerId, { question, time: asked?.time ?? v.time, reason: 'downvoted', key: v.answerId });
  }
  // A note counts while its author's vote on the answer is still 👎.
  for (const [key, n] of notes) {
    const gap = byAnswer.get(n.answerId);
    if (!gap || votes.get(key)?.vote !== 'down') continue;
    gap.notes = [...(gap.notes ?? []), { note: n.note, time: n.time, question: gap.question }];
  }
  return [...byAnswer.values()].sort((a, b) => a.time.localeCompare(b.time)).slice(-MAX_GAP_QUESTIONS);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  const union = a.size + b.size - inter;
  return union ? inter / union : 1;
}

/** Greedy single pass: each question joins the first cluster whose first wording it overlaps enough. */
export function clusterGaps(questions: readonly GapQuestion[]): Omit<GapCluster, 'closest'>[] {
  const clusters: Array<{ terms: Set<string>; items: GapQuestion[] }> = [];
  for (const q of questions) {
    const terms = new Set(tokenize(q.question));
    const home = clusters.find((c) => jaccard(c.terms, terms) >= GAP_SIMILARITY);
    if (home) home.items.push(q);
    else if (clusters.length < MAX_CLUSTERS) clusters.push({ terms, items: [q] });
  }
  return clusters
    .map(({ items }) => {
      const recent = [...items].reverse();
      const wordings = [...new Set(recent.map((i) => i.question.trim()))];
      const reasons: Record<GapReason, number> = { abstained: 0, low: 0, downvoted: 0 };
      for (const i of items) reasons[i.reason]++;
      const notes = items
        .flatMap((i) => i.notes ?? [])
        .sort((a, b) => b.time.localeCompare(a.time))
        .slice(0, MAX_GAP_NOTES);
      return { question: wordings[0], variants: wordings.slice(1, 4), count: items.length, lastAsked: recent[0].time, reasons, notes };
    })
    .sort((a, b) => b.count - a.count || b.lastAsked.localeCompare(a.lastAsked));
}

/** The gap clusters, most asked first, each with its `closest` papers (at most `limit` clusters). */
export async function findGaps(
  feedbackDir: string,
  retriever: Retriever,
  opts: { limit?: number; papers?: number } = {},
): Promise<GapCluster[]> {
  const clusters = clusterGaps(await readGapQuestions(feedbackDir)).slice(0, opts.limit ?? 20);
  const pinned = await retriever.pinned();
  const out: GapCluster[] = [];
  for (const c of clusters) {
    const hits = await pinned.search(c.question, { k: opts.papers ?? 3 });
    out.push({ ...c, closest: hits.map((h) => ({ paperId: h.paper.id, title: h.paper.title })) });
  }
  return out;
}
