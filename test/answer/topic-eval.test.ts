/** Topic summaries measured against a topic set (src/answer/topic-eval.ts), and `research-bot eval` on one. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeTopic } from '../../src/answer/engine.js';
import { isTopicText, readTopics, runTopicEval } from '../../src/answer/topic-eval.js';
import { main } from '../../src/cli.js';
import { buildIndex, type BuiltIndex, captureIO, SHIPPED_CORPUS, setCliEnv } from './helpers.js';

const TOPIC = 'data mixtures for pretraining';
let built: BuiltIndex;
let dir: string;
beforeAll(async () => {
  built = await buildIndex();
  dir = await mkdtemp(join(tmpdir(), 'rb-topic-eval-'));
});
afterAll(async () => {
  await built?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function writeLines(name: string, lines: unknown[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return file;
}

describe('runTopicEval', () => {
  it('counts the cited papers that are expected (recall), fine to cite (precision), and names the rest as off-topic', async () => {
    const summary = await summarizeTopic({ retriever: built.retriever }, TOPIC);
    const cited = [...new Set(summary.citations.map((c) => c.title))];
    expect(cited.length).toBeGreaterThanOrEqual(3);
    const file = await writeLines('one.jsonl', [
      {
        id: 't1',
        topic: TOPIC,
        expected_titles: [cited[0], 'A Paper That Is Not In The Corpus'],
        acceptable_titles: [cited[1]],
        trap_titles: [cited[2], 'Another Paper That Is Not In The Corpus'],
      },
    ]);
    const { topics, errors } = await readTopics(file);
    expect(errors).toEqual([]);
    const report = await runTopicEval({ retriever: built.retriever }, topics);
    const [t] = report.perTopic;
    expect(t.cited).toBe(cited.length);
    expect(t.recall).toBe(0.5);
    expect(t.precision).toBeCloseTo(2 / cited.length, 10);
    expect(t.offTopic).toEqual(cited.slice(2));
    // The trap paper cited is counted apart, of the two listed.
    expect(t.trapsCited).toEqual([cited[2]]);
    expect(report.traps).toEqual({ listed: 2, cited: 1, topicsCiting: 1 });
    expect(t.citationsValid).toBe(true);
    expect(report).toMatchObject({ topics: 1, offTopic: cited.length - 2, topicsWithOffTopic: 1, refused: 0 });
  });

  it('reports a line without expected papers, or without a topic, and reads the others', async () => {
    const file = await writeLines('mixed.jsonl', [
      {
        id: 'ok',
        topic: TOPIC,
        expected_titles: ['CMR Scaling Law: Predicting Critical Mixture Ratios for Continual Pre-training of Language Models'],
      },
      { id: 'none', topic: 'kv cache compression', expected_titles: [] },
      { id: 'question', question: 'what is LoRA?', expected_titles: ['x'] },
      'not json',
    ]);
    const { topics, errors } = await readTopics(file);
    expect(topics.map((t) => t.id)).toEqual(['ok']);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^line 2: expected_titles/);
    expect(errors[2]).toMatch(/^line 4: invalid JSON/);
  });

  it('tells a topic file from a question file by its first line', () => {
    const lines = (...l: unknown[]) => `\n${l.map((x) => JSON.stringify(x)).join('\n')}\n`;
    expect(isTopicText(lines({ topic: TOPIC, expected_titles: ['x'] }, { question: 'what is LoRA?' }))).toBe(true);
    expect(isTopicText(lines({ question: 'what is LoRA?', topic: 'adapters' }))).toBe(false);
    expect(isTopicText('')).toBe(false);
    expect(isTopicText('not json')).toBe(false);
  });
});

describe('research-bot eval on a topic set', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = setCliEnv({ CORPUS_DIR: SHIPPED_CORPUS, INDEX_DIR: built.indexDir });
  });
  afterAll(() => restore?.());
  const line = (id: string, split: string) => ({
    id,
    topic: TOPIC,
    split,
    expected_titles: ['CMR Scaling Law: Predicting Critical Mixture Ratios for Continual Pre-training of Language Models'],
  });

  it('measures the summaries of the chosen split, as a report or one JSON document', async () => {
    const file = await writeLines('split.jsonl', [line('a', 'tuning'), line('b', 'heldout'), line('c', 'heldout')]);
    const text = captureIO();
    expect(await main(['eval', file], text.io)).toBe(0);
    expect(text.out()).toContain('Topic summaries: 3');
    expect(text.out()).toMatch(/Precision of cited papers \(mean; expected or acceptable\): \d\.\d{3}/);
    const json = captureIO();
    expect(await main(['eval', file, '--split', 'heldout', '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.out()).perTopic.map((t: { id: string }) => t.id)).toEqual(['b', 'c']);
    expect(json.err()).toBe('');
  });

  it('a topic file without any usable topic fails with QUESTION_INVALID', async () => {
    const file = await writeLines('bad.jsonl', [{ topic: TOPIC, expected_titles: [] }]);
    const c = captureIO();
    expect(await main(['eval', file, '--json'], c.io)).toBe(1);
    expect(JSON.parse(c.out())).toEqual({ error: { code: 'QUESTION_INVALID', message: expect.stringContaining('No usable topics') } });
  });
});
