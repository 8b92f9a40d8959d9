/** runEval over a small inline question set, and `research-bot eval --json`. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEvalTable, readQuestions, runEval, type EvalQuestion } from '../../src/answer/eval.js';
import { main } from '../../src/cli.js';
import { buildIndex, captureIO, setCliEnv, SHIPPED_CORPUS, type BuiltIndex } from './helpers.js';

const LINES = [
  {
    id: 'q1',
    kind: 'keyword',
    question: 'how does CLEX extend the context window?',
    expected_titles: ['CLEX: Continuous Length Extrapolation for Large Language Models'],
  },
  {
    id: 'q2',
    kind: 'numeric',
    question: 'by how much does MediSwift cut training FLOPs with sparse pre-training?',
    expected_titles: ['MediSwift: Efficient Sparse Pre-trained Biomedical Language Models'],
    answer_key: '2-2.5x',
  },
  {
    id: 'q3',
    kind: 'numeric',
    question: 'what ImageNet-1K top-1 accuracy does SimCLR with DCL reach at batch size 256?',
    expected_titles: ['Decoupled Contrastive Learning'],
    answer_key: '68.2%',
  },
  {
    id: 'q4',
    kind: 'multi',
    // Two expected papers; a title that is not in the corpus counts as a miss (rank 0).
    question: 'sparse pre-training to reduce training FLOPs',
    expected_titles: ['MediSwift: Efficient Sparse Pre-trained Biomedical Language Models', 'A Paper That Is Not In The Corpus At All'],
  },
  { id: 'u1', kind: 'unanswerable', question: 'where is the best pizza in Naples?', expected_titles: [] },
  {
    id: 'u2',
    kind: 'unanswerable',
    question: 'how many fine-tuning steps does DreamBooth need with Stable Diffusion?',
    expected_titles: [],
  },
  // Deliberately mislabelled, so abstention precision and recall are not trivially 1:
  // an answerable question marked unanswerable (answered: a false negative) ...
  { id: 'm1', kind: 'unanswerable', question: 'what is MediSwift?', expected_titles: [] },
  // ... and an out-of-corpus question marked answerable (abstained: a false positive, rank 0).
  {
    id: 'm2',
    kind: 'keyword',
    question: 'where can I buy a good espresso machine in Naples?',
    expected_titles: ['CLEX: Continuous Length Extrapolation for Large Language Models'],
  },
];
const FILE_TEXT = [
  JSON.stringify(LINES[0]),
  JSON.stringify(LINES[1]),
  '{"id": "broken", "question": "unterminated',
  JSON.stringify(LINES[2]),
  '',
  JSON.stringify({ id: 'bad-schema', question: '' }),
  ...LINES.slice(3).map((l) => JSON.stringify(l)),
].join('\n');

let built: BuiltIndex;
let dir: string;
let file: string;

beforeAll(async () => {
  built = await buildIndex();
  dir = await mkdtemp(join(tmpdir(), 'rb-eval-'));
  file = join(dir, 'questions.jsonl');
  await writeFile(file, `${FILE_TEXT}\n`);
});
afterAll(async () => {
  await built?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let written = 0;
/** A question file of these lines, in the test's directory. */
async function writeLines(lines: object[]): Promise<string> {
  const path = join(dir, `lines-${++written}.jsonl`);
  await writeFile(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return path;
}

describe('readQuestions', () => {
  it('parses good lines and reports bad ones by line number', async () => {
    const { questions, errors } = await readQuestions(file);
    expect(questions.map((q) => q.id)).toEqual(LINES.map((l) => l.id));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^line 3: invalid JSON/);
    expect(errors[1]).toMatch(/^line 6: question:/);
    expect(questions[0].kind).toBe('keyword');
  });

  it('a missing file is a QUESTION_INVALID error', async () => {
    await expect(readQuestions(join(dir, 'nope.jsonl'))).rejects.toMatchObject({ code: 'QUESTION_INVALID' });
  });
});

describe('runEval', () => {
  let questions: EvalQuestion[];
  let report: Awaited<ReturnType<typeof runEval>>;

  beforeAll(async () => {
    ({ questions } = await readQuestions(file));
    report = await runEval({ retriever: built.retriever }, questions);
  });

  it('has one result per question, in order', () => {
    expect(report.perQuestion.map((p) => p.id)).toEqual(questions.map((q) => q.id));
    expect(report.mode).toBe('extractive (offline)');
    for (const p of report.perQuestion) expect(p.mode).toBe('extractive');
  });

  it('ranks: the expected papers are found, the missing title is rank 0', () => {
    const byId = new Map(report.perQuestion.map((p) => [p.id, p]));
    expect(byId.get('q1')!.ranks).toEqual([1]);
    expect(byId.get('q2')!.ranks).toEqual([1]);
    expect(byId.get('q3')!.ranks).toEqual([1]);
    const q4 = byId.get('q4')!.ranks;
    expect(q4[0]).toBeGreaterThanOrEqual(1);
    expect(q4[0]).toBeLessThanOrEqual(5);
    expect(q4[1]).toBe(0);
    expect(byId.get('u1')!.ranks).toEqual([]);
    expect(byId.get('m2')!.ranks).toEqual([0]);
  });

  it('recall and MRR agree with the per-question ranks', () => {
    const answerable = report.perQuestion.filter((p) => p.ranks.length > 0);
    const recall = (k: number) =>
      answerable.reduce((s, p) => s + p.ranks.filter((r) => r > 0 && r <= k).length / p.ranks.length, 0) / answerable.length;
    const mrr =
      answerable.reduce((s, p) => s + (p.ranks.some((r) => r > 0) ? 1 / Math.min(...p.ranks.filter((r) => r > 0)) : 0), 0) /
      answerable.length;
    expect(report.overall.answerable).toBe(5);
    expect(report.overall.n).toBe(8);
    expect(report.overall.r1).toBeCloseTo(recall(1), 10);
    expect(report.overall.r5).toBeCloseTo(recall(5), 10);
    expect(report.overall.r10).toBeCloseTo(recall(10), 10);
    expect(report.overall.mrr).toBeCloseTo(mrr, 10);
    // q4 finds one of its two titles, m2 none.
    expect(report.overall.r10).toBeCloseTo(3.5 / 5, 10);
    expect(report.overall.mrr).toBeCloseTo((3 + 1 / report.perQuestion[3].ranks[0]) / 5, 10);
  });

  it('rows per kind add up to the overall row', () => {
    expect(report.rows.map((r) => r.kind).sort()).toEqual(['keyword', 'multi', 'numeric', 'unanswerable']);
    expect(report.rows.find((r) => r.kind === 'unanswerable')).toMatchObject({
      n: 3,
      answerable: 0,
      abstained: 1,
      confidence: { high: 1, low: 1, none: 1 },
    });
    expect(report.rows.find((r) => r.kind === 'keyword')).toMatchObject({ n: 2, answerable: 2, r1: 0.5, abstained: 1 });
    expect(report.rows.reduce((s, r) => s + r.n, 0)).toBe(report.overall.n);
    expect(report.rows.reduce((s, r) => s + r.abstained, 0)).toBe(report.overall.abstained);
    const numeric = report.rows.find((r) => r.kind === 'numeric')!;
    expect(numeric.n).toBe(2);
    expect(numeric.r1).toBe(1);
  });

  it('abstention numbers agree with the per-question results', () => {
    const tp = report.perQuestion.filter((p) => p.ranks.length === 0 && p.abstained).length;
    const fp = report.perQuestion.filter((p) => p.ranks.length > 0 && p.abstained).length;
    const fn = report.perQuestion.filter((p) => p.ranks.length === 0 && !p.abstained).length;
    expect(report.abstention).toMatchObject({ truePositives: tp, falsePositives: fp, falseNegatives: fn });
    // u1 abstains (a true positive); m2 abstains though labelled answerable; u2 is answered with
    // low confidence (the corpus has diffusion papers, none on DreamBooth); m1 is answered.
    expect(report.perQuestion.filter((p) => p.abstained).map((p) => p.id)).toEqual(['u1', 'm2']);
    expect(report.perQuestion.every((p) => p.abstained === (p.confidence === 'none'))).toBe(true);
    expect([tp, fp, fn]).toEqual([1, 1, 2]);
    expect(report.abstention.precision).toBeCloseTo(1 / 2, 10);
    expect(report.abstention.recall).toBeCloseTo(1 / 3, 10);
    expect(report.overall.abstained).toBe(2);
    // Counting `low` as flagged: u2 joins the true positives.
    expect(report.perQuestion.find((p) => p.id === 'u2')!.confidence).toBe('low');
    expect(report.flagged).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 1 });
    // Of the answerable questions flagged, m2 is refused and none is merely hedged.
    const answerable = report.perQuestion.filter((p) => p.ranks.length > 0);
    expect(report.answerableGraded).toEqual({
      n: answerable.length,
      low: answerable.filter((p) => p.confidence === 'low').length,
      refused: 1,
    });
    expect(report.answerableGraded.low + report.answerableGraded.refused).toBe(report.flagged.falsePositives);
  });

  it('counts the answers citing an expected paper, anywhere and in the opening', () => {
    const answered = report.perQuestion.filter((p) => p.ranks.length > 0 && !p.abstained);
    expect(report.cited.n).toBe(answered.length);
    expect(report.cited.hits).toBe(answered.filter((p) => p.expectedCited).length);
    // q1-q3 cite their paper; m2 (abstained) is not counted; the opening cites no more than the whole answer.
    for (const id of ['q1', 'q2', 'q3']) expect(report.perQuestion.find((p) => p.id === id)!.expectedCited).toBe(true);
    expect(report.perQuestion.find((p) => p.id === 'm2')!.expectedCited).toBeUndefined();
    expect(report.lead.cited).toBeLessThanOrEqual(report.cited.hits);
    expect(formatEvalTable({ ...report, errors: [] })).toContain(`Answer cites an expected paper: ${report.cited.hits}/${report.cited.n}`);
  });

  it('numeric answer keys are found and citations are valid', () => {
    expect(report.numeric).toEqual({ n: 2, hits: 2 });
    expect(report.perQuestion.filter((p) => p.numericHit !== undefined).map((p) => p.id)).toEqual(['q2', 'q3']);
    expect(report.citationValidity).toBe(1);
    expect(report.perQuestion.every((p) => p.citationsValid)).toBe(true);
  });

  it('the table shows every kind and the skipped lines', () => {
    const table = formatEvalTable({ ...report, errors: ['line 3: invalid JSON (x)'] });
    expect(table).toContain('| all | 8 |');
    expect(table).toContain('| unanswerable | 3 | - | - | - | - | 1/3 | 1/1/1 |');
    expect(table).toContain(
      'Abstention: precision 0.500, recall 0.333 (1 correct, 1 answerable questions abstained, 2 unanswerable answered)',
    );
    expect(table).toContain(
      'Flagged (confidence low or none): precision 0.667, recall 0.667 (2 unanswerable flagged, 1 answerable flagged',
    );
    expect(table).toContain('Answerable questions: 0/5 answered with low confidence, 1/5 refused');
    expect(table).toContain('Numeric answer key found: 2/2');
    expect(table).toContain('Skipped 1 bad lines:');
  });
});

describe('runEval: a line with earlier questions is a follow-up in a thread', () => {
  const CLEX = 'CLEX: Continuous Length Extrapolation for Large Language Models';
  const followUp = { id: 'f1', kind: 'pronoun', question: 'what training length did it use?', expected_titles: [CLEX] };

  it('asks the earlier questions first, so "it" is the paper the thread was about', async () => {
    const { questions, errors } = await readQuestions(
      await writeLines([
        {
          ...followUp,
          history: ['which paper generalises position embedding scaling with continuous dynamics to extrapolate context length?'],
        },
        { ...followUp, id: 'f0' },
      ]),
    );
    expect(errors).toEqual([]);
    expect(questions[0].history).toHaveLength(1);
    const report = await runEval({ retriever: built.retriever }, questions);
    const [inThread, alone] = report.perQuestion;
    // In the thread the search carries the earlier question's words, and the answer leads with the paper.
    expect(inThread.ranks).toEqual([1]);
    expect(inThread.leadCited).toBe(true);
    // Asked alone, the same words do not find it first: the thread is what the line measures.
    expect(alone.ranks[0]).not.toBe(1);
  });

  it('a line whose history is not a list of questions is reported, not asked', async () => {
    const { questions, errors } = await readQuestions(await writeLines([{ ...followUp, history: 'one string' }]));
    expect(questions).toEqual([]);
    expect(errors[0]).toMatch(/^line 1: history/);
  });
});

describe('research-bot eval', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = setCliEnv({ CORPUS_DIR: SHIPPED_CORPUS, INDEX_DIR: built.indexDir });
  });
  afterAll(() => restore?.());

  it('--json prints one JSON document and nothing else on stdout', async () => {
    const c = captureIO();
    const code = await main(['eval', file, '--json'], c.io);
    expect(code).toBe(0);
    const text = c.out();
    expect(text.trim().startsWith('{')).toBe(true);
    const report = JSON.parse(text);
    expect(report.errors).toHaveLength(2);
    expect(report.perQuestion).toHaveLength(8);
    expect(report.overall.n).toBe(8);
    expect(report.abstention).toMatchObject({ truePositives: 1, falsePositives: 1, falseNegatives: 2 });
    expect(report.numeric).toEqual({ n: 2, hits: 2 });
    expect(c.err()).toBe('');
  });

  it('prints a table without --json', async () => {
    const c = captureIO();
    expect(await main(['eval', file], c.io)).toBe(0);
    expect(c.out()).toContain('| kind | n | R@1 |');
    expect(c.out()).toContain('Skipped 2 bad lines:');
    expect(() => JSON.parse(c.out())).toThrow();
  });

  it('a file without any usable question fails with QUESTION_INVALID', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, 'not json\n{"question": ""}\n');
    const c = captureIO();
    expect(await main(['eval', bad, '--json'], c.io)).toBe(1);
    expect(JSON.parse(c.out())).toEqual({ error: { code: 'QUESTION_INVALID', message: expect.stringContaining('No usable questions') } });
  });
});

describe('eval/calibration.jsonl (the second calibration set shipped with the project)', () => {
  it('parses, and every expected title is a paper of the shipped corpus', async () => {
    const { questions, errors } = await readQuestions(join(SHIPPED_CORPUS, '..', '..', 'eval', 'calibration.jsonl'));
    expect(errors).toEqual([]);
    expect(questions.length).toBeGreaterThanOrEqual(50);
    const titles = new Set(built.retriever.store.papers.map((p) => p.title));
    for (const q of questions) {
      if (q.kind === 'unanswerable') expect(q.expected_titles, q.question).toEqual([]);
      else {
        expect(q.expected_titles.length, q.question).toBeGreaterThan(0);
        for (const t of q.expected_titles) expect(titles.has(t), t).toBe(true);
      }
    }
  });
});
