/** `research-bot digest` and `research-bot gaps` through the CLI entry point. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run, useOfflineCliEnv } from '../helpers/cli.js';
import { FileRadarStore } from '../../src/radar/file-store.js';
import { startTestDatabase, type TestDatabase } from '../servers/postgres-server.js';
import { addNewPapers, PROTEIN, SPEC_A, SPEC_B, useTempRoot, writeBaseCorpus } from './fixtures.js';

const root = useTempRoot('cli');
useOfflineCliEnv(() => {});

function useDirs(name: string) {
  const base = join(root(), name);
  const dirs = { corpus: join(base, 'corpus'), index: join(base, 'index'), feedback: join(base, 'feedback') };
  process.env.CORPUS_DIR = dirs.corpus;
  process.env.INDEX_DIR = dirs.index;
  process.env.FEEDBACK_DIR = dirs.feedback;
  return dirs;
}

let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.close();
});

describe.each(['vectra', 'postgres'])('research-bot digest (STORE=%s)', (store) => {
  it('lists the papers an ingest added that match each topic, ranked, with the matching sentence; nothing older', async () => {
    const dirs = useDirs(`digest-${store}`);
    if (store === 'postgres') {
      db ??= await startTestDatabase();
      await db.reset();
      process.env.STORE = 'postgres';
      process.env.DATABASE_URL = db.url;
    }
    await writeBaseCorpus(dirs.corpus);
    expect((await run('ingest')).code).toBe(0);
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await addNewPapers(dirs.corpus);
    expect((await run('ingest')).code).toBe(0);

    const json = await run(
      'digest',
      '--since',
      between,
      '--topic',
      'speculative decoding',
      '--topic',
      'protein folding',
      '--topic',
      'robot grasping',
      '--json',
    );
    expect(json.code).toBe(0);
    const view = JSON.parse(json.out);
    expect(view.newPapers).toBe(3);
    expect(view.groups.map((g: { topic: string }) => g.topic)).toEqual(['speculative decoding', 'protein folding']);
    const spec = view.groups[0].papers;
    expect(spec.map((p: { title: string }) => p.title).sort()).toEqual([SPEC_A, SPEC_B].sort());
    expect(spec[0].score).toBeGreaterThanOrEqual(spec[1].score);
    for (const p of spec) expect(p.reason).toMatch(/speculative decoding/i);
    expect(spec[0].reason).not.toMatch(/\. [A-Z]/); // one sentence
    expect(view.groups[1].papers.map((p: { title: string }) => p.title)).toEqual([PROTEIN]);

    // Papers of the first ingest are not new since `between`; a time after both ingests has none.
    const base = JSON.parse((await run('digest', '--since', between, '--topic', 'diffusion models', '--json')).out);
    expect(base.groups).toEqual([]);
    const later = JSON.parse((await run('digest', '--since', new Date().toISOString(), '--topic', 'speculative decoding', '--json')).out);
    expect(later).toMatchObject({ newPapers: 0, groups: [] });

    const text = await run('digest', '--since', between.slice(0, 10), '--topic', 'speculative decoding');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/speculative decoding\n {2}1\. /);
    expect(text.out).toContain(SPEC_A);
  }, 60_000);
});

describe('research-bot digest', () => {
  it('defaults to the watched topics; without any it is a usage error, as is a bad --since', async () => {
    const dirs = useDirs('digest-watched');
    await writeBaseCorpus(dirs.corpus);
    expect((await run('ingest')).code).toBe(0);
    const noTopics = await run('digest', '--since', '2020-01-01');
    expect(noTopics.code).toBe(2);
    expect(noTopics.err).toMatch(/No channel watches a topic yet/);
    const bad = await run('digest', '--since', 'last week', '--topic', 'x');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--since must be a date/);

    const since = new Date().toISOString();
    await new FileRadarStore(dirs.index).addWatch({ guildId: '1', channelId: '2', topic: 'protein folding', createdBy: '3' });
    await addNewPapers(dirs.corpus);
    expect((await run('ingest')).code).toBe(0);
    const view = JSON.parse((await run('digest', '--since', since, '--json')).out);
    expect(view.topics).toEqual(['protein folding']);
    expect(view.groups[0].papers.map((p: { title: string }) => p.title)).toEqual([PROTEIN]);
  });
});

describe('research-bot gaps', () => {
  const answer = (answerId: string, question: string, time: string, extra: Record<string, unknown>) =>
    JSON.stringify({
      type: 'answer',
      answerId,
      time,
      kind: 'ask',
      question,
      answer: '…',
      mode: 'extractive',
      citations: [],
      sources: [],
      droppedCitations: 0,
      ...extra,
    });
  const vote = (answerId: string, userId: string, v: 'up' | 'down', time: string) =>
    JSON.stringify({ type: 'vote', answerId, question: null, userId, vote: v, time });

  it('groups abstained, low-confidence and 👎 questions by wording, with counts, last time asked and closest papers', async () => {
    const dirs = useDirs('gaps');
    await writeBaseCorpus(dirs.corpus);
    expect((await run('ingest')).code).toBe(0);
    await mkdir(dirs.feedback, { recursive: true });
    await writeFile(
      join(dirs.feedback, 'answers.jsonl'),
      [
        answer('a1', 'How does quantum error correction work with transformers?', '2026-11-01T10:00:00.000Z', {
          abstained: true,
          confidence: 'none',
        }),
        answer('a2', 'quantum error correction with transformers', '2026-11-03T10:00:00.000Z', { abstained: true }),
        answer('a3', 'Which diffusion models beat GANs on video synthesis?', '2026-11-02T10:00:00.000Z', {
          abstained: false,
          confidence: 'low',
        }),
        answer('a4', 'What is retrieval augmented generation?', '2026-11-04T10:00:00.000Z', { abstained: false, confidence: 'high' }),
        answer('a5', 'Explain linear attention', '2026-11-05T10:00:00.000Z', { abstained: false, confidence: 'high' }),
        answer('a6', 'Thread recap', '2026-11-06T10:00:00.000Z', { abstained: true, kind: 'recap' }),
        '{"type":"answer","answerId":"torn"',
      ].join('\n'),
    );
    await writeFile(
      join(dirs.feedback, 'feedback.jsonl'),
      [
        vote('a4', 'u1', 'down', '2026-11-04T11:00:00.000Z'),
        vote('a5', 'u1', 'down', '2026-11-05T11:00:00.000Z'),
        vote('a5', 'u1', 'up', '2026-11-05T12:00:00.000Z'),
      ].join('\n'),
    );

    const json = await run('gaps', '--json');
    expect(json.code).toBe(0);
    const { gaps } = JSON.parse(json.out);
    expect(gaps.map((g: { question: string; count: number }) => [g.question, g.count])).toEqual([
      ['quantum error correction with transformers', 2],
      ['What is retrieval augmented generation?', 1],
      ['Which diffusion models beat GANs on video synthesis?', 1],
    ]);
    expect(gaps[0]).toMatchObject({
      variants: ['How does quantum error correction work with transformers?'],
      lastAsked: '2026-11-03T10:00:00.000Z',
      reasons: { abstained: 2, low: 0, downvoted: 0 },
    });
    expect(gaps[1].reasons).toEqual({ abstained: 0, low: 0, downvoted: 1 });
    expect(gaps[2].reasons).toEqual({ abstained: 0, low: 1, downvoted: 0 });
    expect(gaps[2].closest[0].title).toBe('Diffusion Models Beat GANs on Image Synthesis');
    expect(gaps[1].closest[0].title).toBe('Retrieval Augmented Generation for Open Domain QA');

    const text = await run('gaps');
    expect(text.out).toMatch(/^1\. "quantum error correction with transformers" {2}\(2× — 2 abstained; last 2026-11-03T10:00:00.000Z\)$/m);
    expect(text.out).toMatch(/closest: Diffusion Models Beat GANs on Image Synthesis/);
  });

  it('says so when nothing was asked', async () => {
    const dirs = useDirs('gaps-empty');
    await writeBaseCorpus(dirs.corpus);
    expect((await run('ingest')).code).toBe(0);
    expect((await run('gaps')).out).toMatch(/^No gaps/);
  });
});
