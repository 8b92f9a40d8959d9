/**
 * Evaluation over a JSONL question set: retrieval Recall@1/5/10 and MRR by kind (title match),
 * abstention precision/recall, numeric answer-key hits, and citation validity.
 */
import { mulberry32 } from '../seeded-random.js';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { titleKey } from '../corpus/normalize.js';
import { AppError } from '../errors.js';
import type { Confidence } from './abstain.js';
import { answerQuestion, type AnswerResult, type EngineDeps } from './engine.js';
import { answerInThread } from './thread.js';
import type { ThreadAnswer } from './thread-sources.js';

/** Earlier turns a follow-up line may carry: a thread the length people keep one going. */
const MAX_HISTORY = 6;

const lineSchema = z.object({
  id: z.string().optional(),
  question: z.string().min(1),
  kind: z.string().default('unknown'),
  expected_titles: z.array(z.string()).default([]),
  answer_key: z.string().optional(),
  split: z.enum(['tuning', 'heldout']).optional(),
  /** Earlier questions of the same thread, asked in order before this one (a follow-up set). */
  history: z.array(z.string().min(1)).max(MAX_HISTORY).optional(),
});
export type EvalQuestion = z.infer<typeof lineSchema>;

export const SPLITS = ['tuning', 'heldout'] as const;
export type Split = (typeof SPLITS)[number];

/**
 * The questions of one split (all of them when `split` is undefined). Tuning uses one half of a
 * question bank and the other half is reported untouched, so an unknown split name or a file
 * without that split is an error rather than a silent evaluation of nothing or of everything.
 */
export function selectSplit<T extends { split?: string }>(questions: T[], split: string | undefined): T[] {
  if (split === undefined) return questions;
  if (!(SPLITS as readonly string[]).includes(split)) {
    throw new AppError('QUESTION_INVALID', `Unknown split "${split}": use ${SPLITS.join(' or ')}.`);
  }
  const selected = questions.filter((q) => q.split === split);
  if (!selected.length) throw new AppError('QUESTION_INVALID', `No questions are marked "split": "${split}".`);
  return selected;
}

/** Seed of the question bank's tuning/held-out split (scripts/split-bank.mjs). Changing it re-deals the bank. */
export const BANK_SPLIT_SEED = 13;

/**
 * Tuning/held-out split stratified by kind: within each kind (in name order) the questions, sorted
 * by id, are shuffled with the seeded PRNG and dealt alternately. Odd kinds give their extra question
 * to tuning and heldout in turn, so both halves stay within one question of each other overall.
 * It depends only on the ids, kinds and seed, so the split can be recomputed and checked.
 */
export function assignSplits(questions: Array<{ id: string; kind: string }>, seed = BANK_SPLIT_SEED): Map<string, Split> {
  const random = mulberry32(seed);
  const out = new Map<string, Split>();
  const kinds = [...new Set(questions.map((q) => q.kind))].sort();
  let odd = 0;
  for (const kind of kinds) {
    const ids = questions
      .filter((q) => q.kind === kind)
      .map((q) => q.id)
      .sort();
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    const first: Split = odd % 2 === 0 ? 'tuning' : 'heldout';
    const second: Split = first === 'tuning' ? 'heldout' : 'tuning';
    for (const [i, id] of ids.entries()) out.set(id, i % 2 === 0 ? first : second);
    if (ids.length % 2 === 1) odd++;
  }
  return out;
}

/** An eval file's text; one that cannot be read is QUESTION_INVALID, naming it. */
export async function readEvalText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('QUESTION_INVALID', `Cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The valid lines of JSONL text, and what is wrong with each invalid one (by line number). */
export function parseJsonLines<S extends z.ZodType>(text: string, schema: S): { items: z.output<S>[]; errors: string[] } {
  const items: z.output<S>[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = schema.safeParse(JSON.parse(line));
      if (r.success) items.push(r.data);
      else errors.push(`line ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    } catch (err) {
      errors.push(`line ${i + 1}: invalid JSON (${(err as Error).message.slice(0, 60)})`);
    }
  });
  return { items, errors };
}

export function parseQuestions(text: string): { questions: EvalQuestion[]; errors: string[] } {
  const { items, errors } = parseJsonLines(text, lineSchema);
  return { questions: items, errors };
}

export async function readQuestions(path: string): Promise<{ questions: EvalQuestion[]; errors: string[] }> {
  return parseQuestions(await readEvalText(path));
}

export interface KindRow {
  kind: string;
  n: number;
  answerable: number;
  r1: number;
  r5: number;
  r10: number;
  mrr: number;
  abstained: number;
  /** Answers per confidence level: answerable with `none` are wrongly refused, unanswerable with `high` wrongly answered. */
  confidence: Record<Confidence, number>;
  numericHit?: number;
  citationsValid: number;
}

export interface EvalReport {
  rows: KindRow[];
  overall: KindRow;
  abstention: { precision: number; recall: number; truePositives: number; falsePositives: number; falseNegatives: number };
  /** The same measure counting `low` as flagged too: how often a hedge lands on an unanswerable question. */
  flagged: { precision: number; recall: number; truePositives: number; falsePositives: number; falseNegatives: number };
  /** Answerable questions answered with `low` confidence (the cost of the hedges) and refused (`none`). */
  answerableGraded: { n: number; low: number; refused: number };
  numeric: { n: number; hits: number };
  /** Answered (not refused) answerable questions citing an expected paper anywhere in the answer. */
  cited: { n: number; hits: number };
  /** Answered (not refused) answerable questions whose opening paragraph cites an expected paper; numeric keys in it. */
  lead: { n: number; cited: number; numericN: number; numericHits: number };
  citationValidity: number;
  perQuestion: Array<{
    id?: string;
    kind: string;
    ranks: number[];
    abstained: boolean;
    confidence: Confidence;
    /** Why the engine abstained (which signal fired), for reading failures by category. */
    abstainReason?: string;
    numericHit?: boolean;
    /** The answer cites an expected paper (answerable questions it answers). */
    expectedCited?: boolean;
    /** The answer's opening paragraph cites an expected paper (answerable questions). */
    leadCited?: boolean;
    /** The answer's opening paragraph holds the numeric answer key. */
    leadNumericHit?: boolean;
    citationsValid: boolean;
    mode: string;
  }>;
  errors: string[];
  mode: string;
  ms: { total: number; perQuestionP50: number; perQuestionP95: number };
}

/** The reply's first paragraph after the notes in italics (low confidence, fallback): what a reader sees first. */
export function leadParagraph(answer: string): string {
  return answer.split('\n\n').find((p) => p.trim() && !/^_[^\n]*_$/.test(p.trim())) ?? '';
}

/** Every [n] in the reply and every citation names one of its sources. */
export function citesOnlySources(r: Pick<AnswerResult, 'answer' | 'sources' | 'citations'>): boolean {
  const markers = new Set(r.sources.map((s) => s.marker));
  return [...r.answer.matchAll(/\[(\d+)\]/g)].every((m) => markers.has(Number(m[1]))) && r.citations.every((c) => markers.has(c.marker));
}

/** The median and p95 of per-item times, named `<per>P50` and `<per>P95`. */
export function medianAndP95<P extends string>(durations: number[], per: P): Record<`${P}P50` | `${P}P95`, number> {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    [`${per}P50`]: sorted[Math.floor(sorted.length / 2)] ?? 0,
    [`${per}P95`]: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0,
  } as Record<`${P}P50` | `${P}P95`, number>;
}

/** A thread's records after asking `questions` in it, one after the other, as the bot stores them. */
async function askInThread(deps: EngineDeps, questions: string[]): Promise<ThreadAnswer[]> {
  const records: ThreadAnswer[] = [];
  for (const question of questions) {
    const ans = await answerInThread(deps, question, records);
    records.push({
      kind: records.length ? 'followup' : 'ask',
      question,
      answer: ans.answer,
      abstained: ans.abstained,
      citations: ans.citations,
      sources: ans.sources,
    });
  }
  return records;
}

export async function runEval(deps: EngineDeps, questions: EvalQuestion[]): Promise<Omit<EvalReport, 'errors'>> {
  const started = Date.now();
  const per: EvalReport['perQuestion'] = [];
  const durations: number[] = [];
  for (const q of questions) {
    const records = q.history?.length ? await askInThread(deps, q.history) : undefined;
    const t0 = Date.now();
    const ans: AnswerResult = records ? await answerInThread(deps, q.question, records) : await answerQuestion(deps, q.question);
    durations.push(Date.now() - t0);
    // A follow-up is searched as the engine read it (earlier words carried), not as its bare words.
    const hits = await deps.retriever.search(records ? ans.query : q.question, { k: 10 });
    const keys = hits.map((h) => titleKey(h.paper.title));
    const ranks = q.expected_titles.map((t) => keys.indexOf(titleKey(t)) + 1);
    const lead = leadParagraph(ans.answer);
    const expected = new Set(q.expected_titles.map(titleKey));
    const leadMarkers = new Set([...lead.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])));
    const answered = expected.size > 0 && !ans.abstained;
    const citationsValid = citesOnlySources(ans);
    per.push({
      id: q.id,
      kind: q.kind,
      ranks,
      abstained: ans.abstained,
      confidence: ans.confidence,
      abstainReason: ans.abstainReason,
      numericHit: q.answer_key !== undefined ? ans.answer.includes(q.answer_key) : undefined,
      expectedCited: answered ? ans.citations.some((c) => expected.has(titleKey(c.title))) : undefined,
      leadCited: answered ? ans.sources.some((s) => leadMarkers.has(s.marker) && expected.has(titleKey(s.title))) : undefined,
      leadNumericHit: answered && q.answer_key !== undefined ? lead.includes(q.answer_key) : undefined,
      citationsValid,
      mode: ans.mode,
    });
  }
  const rowFor = (kind: string, items: typeof per): KindRow => {
    const ans = items.filter((p) => p.ranks.length > 0);
    const recall = (k: number) =>
      ans.length ? ans.reduce((s, p) => s + p.ranks.filter((r) => r > 0 && r <= k).length / p.ranks.length, 0) / ans.length : 0;
    const mrr = ans.length
      ? ans.reduce((s, p) => s + (p.ranks.some((r) => r > 0) ? 1 / Math.min(...p.ranks.filter((r) => r > 0)) : 0), 0) / ans.length
      : 0;
    const numeric = items.filter((p) => p.numericHit !== undefined);
    return {
      kind,
      n: items.length,
      answerable: ans.length,
      r1: recall(1),
      r5: recall(5),
      r10: recall(10),
      mrr,
      abstained: items.filter((p) => p.abstained).length,
      confidence: {
        high: items.filter((p) => p.confidence === 'high').length,
        low: items.filter((p) => p.confidence === 'low').length,
        none: items.filter((p) => p.confidence === 'none').length,
      },
      numericHit: numeric.length ? numeric.filter((p) => p.numericHit).length / numeric.length : undefined,
      citationsValid: items.length ? items.filter((p) => p.citationsValid).length / items.length : 1,
    };
  };
  const kinds = [...new Set(per.map((p) => p.kind))];
  const detection = (flag: (p: (typeof per)[number]) => boolean) => {
    const tp = per.filter((p) => p.ranks.length === 0 && flag(p)).length;
    const fp = per.filter((p) => p.ranks.length > 0 && flag(p)).length;
    const fn = per.filter((p) => p.ranks.length === 0 && !flag(p)).length;
    return {
      precision: tp + fp ? tp / (tp + fp) : 1,
      recall: tp + fn ? tp / (tp + fn) : 1,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
    };
  };
  const numeric = per.filter((p) => p.numericHit !== undefined);
  return {
    rows: kinds.map((k) =>
      rowFor(
        k,
        per.filter((p) => p.kind === k),
      ),
    ),
    overall: rowFor('all', per),
    abstention: detection((p) => p.abstained),
    flagged: detection((p) => p.confidence !== 'high'),
    answerableGraded: {
      n: per.filter((p) => p.ranks.length > 0).length,
      low: per.filter((p) => p.ranks.length > 0 && p.confidence === 'low').length,
      refused: per.filter((p) => p.ranks.length > 0 && p.confidence === 'none').length,
    },
    numeric: { n: numeric.length, hits: numeric.filter((p) => p.numericHit).length },
    cited: {
      n: per.filter((p) => p.expectedCited !== undefined).length,
      hits: per.filter((p) => p.expectedCited).length,
    },
    lead: {
      n: per.filter((p) => p.leadCited !== undefined).length,
      cited: per.filter((p) => p.leadCited).length,
      numericN: per.filter((p) => p.leadNumericHit !== undefined).length,
      numericHits: per.filter((p) => p.leadNumericHit).length,
    },
    citationValidity: per.length ? per.filter((p) => p.citationsValid).length / per.length : 1,
    perQuestion: per,
    mode: deps.chat ? `llm (${deps.chat.model})` : 'extractive (offline)',
    ms: { total: Date.now() - started, ...medianAndP95(durations, 'perQuestion') },
  };
}

export function formatEvalTable(r: EvalReport): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    `Mode: ${r.mode}; retrieval: ${r.rows.length ? '' : ''}`.replace(/; retrieval: $/, ''),
    '',
    '| kind | n | R@1 | R@5 | R@10 | MRR | abstained | confidence high/low/none | numeric hit | citations valid |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of [...r.rows, r.overall]) {
    const rec = row.answerable ? `${f(row.r1)} | ${f(row.r5)} | ${f(row.r10)} | ${f(row.mrr)}` : '- | - | - | -';
    const graded = `${row.confidence.high}/${row.confidence.low}/${row.confidence.none}`;
    const numeric = row.numericHit === undefined ? '-' : f(row.numericHit);
    lines.push(`| ${row.kind} | ${row.n} | ${rec} | ${row.abstained}/${row.n} | ${graded} | ${numeric} | ${f(row.citationsValid)} |`);
  }
  const a = r.abstention;
  lines.push(
    '',
    `Abstention: precision ${f(a.precision)}, recall ${f(a.recall)} (${a.truePositives} correct, ${a.falsePositives} ` +
      `answerable questions abstained, ${a.falseNegatives} unanswerable answered)`,
    `Flagged (confidence low or none): precision ${f(r.flagged.precision)}, recall ${f(r.flagged.recall)} (${r.flagged.truePositives} ` +
      `unanswerable flagged, ${r.flagged.falsePositives} answerable flagged, ${r.flagged.falseNegatives} unanswerable answered with high confidence)`,
    `Answerable questions: ${r.answerableGraded.low}/${r.answerableGraded.n} answered with low confidence, ` +
      `${r.answerableGraded.refused}/${r.answerableGraded.n} refused`,
    `Numeric answer key found: ${r.numeric.hits}/${r.numeric.n}`,
    `Answer cites an expected paper: ${r.cited.hits}/${r.cited.n}`,
    `Opening paragraph cites an expected paper: ${r.lead.cited}/${r.lead.n}; holds the numeric key: ${r.lead.numericHits}/${r.lead.numericN}`,
    `Answers with only valid citations: ${f(r.citationValidity)}`,
    `Time: ${r.ms.total} ms total, ${r.ms.perQuestionP50} ms median, ${r.ms.perQuestionP95} ms p95 per answer`,
  );
  if (r.errors.length) lines.push('', `Skipped ${r.errors.length} bad lines:`, ...r.errors.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}
