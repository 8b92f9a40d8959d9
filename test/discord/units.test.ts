/** Feedback store durability, admission control, streaming throttle, autocomplete, command data. */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openRetriever } from '../../src/context.js';
import { FeedbackStore, newAnswerId, type AnswerRecord } from '../../src/discord/feedback.js';
import { commandData } from '../../src/discord/register.js';
import { titleChoices } from '../../src/discord/services/papers.js';
import { ConcurrencyGate, Cooldowns } from '../../src/discord/limiter.js';
import { EditThrottle } from '../../src/discord/respond.js';
import type { WorkerMessage } from '../../src/discord/reindex-protocol.js';
import { logPhaseEvent, logProgress } from '../../src/discord/services/reindex.js';
import { quarterlyProgress, type Progress } from '../../src/index/progress.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import type { Retriever } from '../../src/index/search.js';
import { buildIndex, removeDir, tempDir } from './harness.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

function rec(id: string, extra: Partial<AnswerRecord> = {}): AnswerRecord {
  return {
    type: 'answer',
    answerId: id,
    time: new Date().toISOString(),
    kind: 'ask',
    question: `question ${id} — ünïcødé 😀`,
    answer: `answer ${id}`,
    mode: 'extractive',
    abstained: false,
    citations: [],
    sources: [],
    droppedCitations: 0,
    ...extra,
  };
}

describe('FeedbackStore', () => {
  it('answers, links and votes survive a reopen; a torn last line is skipped', async () => {
    const dir = await tempDir('store');
    dirs.push(dir);
    const a = await FeedbackStore.open(dir);
    const ids = Array.from({ length: 30 }, () => newAnswerId());
    expect(new Set(ids).size).toBe(30);
    await Promise.all(ids.map((id, i) => a.saveAnswer(rec(id, i === 3 ? { threadId: '111111111111111111' } : {}))));
    await a.linkAnswer(ids[0], { messageIds: ['222222222222222222', '333333333333333333'], threadId: '222222222222222222' });
    await a.recordVote({ answerId: ids[0], question: 'q', userId: 'u1', vote: 'up' });
    await a.close();
    // A crash mid-write leaves half a line behind.
    await appendFile(join(dir, 'answers.jsonl'), '{"type":"answer","answerId":"torn","quest');

    const b = await FeedbackStore.open(dir);
    for (const id of ids) expect((await b.getAnswer(id))?.question).toBe(`question ${id} — ünïcødé 😀`);
    expect(await b.getAnswer('torn')).toBeUndefined();
    expect(b.answerIdForMessage('333333333333333333')).toBe(ids[0]);
    expect(b.answerIdsInThread('222222222222222222')).toEqual([ids[0]]);
    expect(b.answerIdsInThread('111111111111111111')).toEqual([ids[3]]);
    const late = newAnswerId();
    await b.saveAnswer(rec(late));
    await b.close();
    const c = await FeedbackStore.open(dir);
    expect((await c.getAnswer(late))?.answer).toBe(`answer ${late}`);
    await c.close();
    const votes = (await readFile(join(dir, 'feedback.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(votes).toEqual([expect.objectContaining({ type: 'vote', answerId: ids[0], userId: 'u1', vote: 'up', question: 'q' })]);
  });

  it('refuses writes after close instead of losing them silently', async () => {
    const dir = await tempDir('store');
    dirs.push(dir);
    const s = await FeedbackStore.open(dir);
    await s.close();
    await expect(s.recordVote({ answerId: 'x1234', question: null, userId: 'u', vote: 'down' })).rejects.toThrow();
    await writeFile(join(dir, 'answers.jsonl'), 'not json\n');
    const again = await FeedbackStore.open(dir);
    expect(again.hasAnswer('x1234')).toBe(false);
    await again.close();
  });
});

describe('admission control', () => {
  it('cooldown per user', () => {
    let now = 1000;
    const c = new Cooldowns(5000, () => now);
    expect(c.take('a')).toEqual({ ok: true });
    expect(c.take('b')).toEqual({ ok: true });
    expect(c.take('a')).toEqual({ ok: false, retryAfterMs: 5000 });
    now += 4000;
    expect(c.take('a')).toEqual({ ok: false, retryAfterMs: 1000 });
    now += 1000;
    expect(c.take('a')).toEqual({ ok: true });
    c.refund('a');
    expect(c.take('a')).toEqual({ ok: true });
    expect(new Cooldowns(0).take('a')).toEqual({ ok: true });
  });

  it('gate: cap, FIFO queue, refusal when full, timeout, idempotent release', async () => {
    const g = new ConcurrencyGate(2, 2);
    const t1 = g.tryEnter()!;
    const t2 = g.tryEnter()!;
    const t3 = g.tryEnter()!;
    const t4 = g.tryEnter()!;
    expect(g.tryEnter()).toBeNull();
    expect([t1.queued, t2.queued, t3.queued, t4.queued]).toEqual([false, false, true, true]);
    const order: number[] = [];
    const w3 = t3.wait(1000).then(() => order.push(3));
    const w4 = t4.wait(1000).then(() => order.push(4));
    t1.release();
    t1.release();
    await w3;
    expect(g.running).toBe(2);
    t2.release();
    await w4;
    expect(order).toEqual([3, 4]);
    t3.release();
    t4.release();
    expect(g.running).toBe(0);
    const a = g.tryEnter()!;
    const b = g.tryEnter()!;
    const c = g.tryEnter()!;
    await expect(c.wait(20)).rejects.toMatchObject({ code: 'BUSY' });
    c.release();
    expect(g.waiting).toBe(0);
    a.release();
    b.release();
    expect(g.running).toBe(0);
  });
});

describe('EditThrottle', () => {
  it('edits at most once per interval, never overlapping, latest text wins, nothing after stop()', async () => {
    const edits: Array<{ text: string; at: number }> = [];
    let inflight = 0;
    let maxInflight = 0;
    const t = new EditThrottle(
      100,
      async (text) => {
        inflight++;
        maxInflight = Math.max(maxInflight, inflight);
        edits.push({ text, at: Date.now() });
        await new Promise((r) => setTimeout(r, 30));
        inflight--;
      },
      silentLogger,
    );
    const start = Date.now();
    for (let i = 1; i <= 50; i++) {
      t.push(`text ${i}`);
      await new Promise((r) => setTimeout(r, 8));
    }
    await new Promise((r) => setTimeout(r, 150));
    await t.stop();
    t.push('after stop');
    await new Promise((r) => setTimeout(r, 150));
    expect(maxInflight).toBe(1);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil((Date.now() - start) / 100) + 1);
    for (let k = 1; k < edits.length; k++) expect(edits[k].at - edits[k - 1].at).toBeGreaterThanOrEqual(99);
    expect(edits.at(-1)!.text).toBe('text 50');
    expect(edits.some((e) => e.text === 'after stop')).toBe(false);
  });
});

describe('ingest progress in the log', () => {
  it("start, each quarter once, done; the re-index worker's messages log the same lines as an ingest on the main thread", () => {
    const lines = (sink: string[]) => createLogger({ level: 'debug', sink: (l) => sink.push(l.replace(/"time":"[^"]*",/, '')) });
    const run = (progress: Progress) => {
      progress.start('embedding', 8);
      for (let i = 0; i < 8; i++) progress.tick();
      progress.done('8 embedded, 0 reused');
    };
    const direct: string[] = [];
    run(logProgress(lines(direct), 'reindex'));
    expect(direct.map((l) => JSON.parse(l).msg)).toEqual([
      'reindex: embedding',
      'reindex: embedding 25%',
      'reindex: embedding 50%',
      'reindex: embedding 75%',
      'reindex: embedding done',
    ]);
    expect(JSON.parse(direct[4])).toMatchObject({ phase: 'embedding', total: 8, note: '8 embedded, 0 reused' });
    // What the worker posts (structured-cloned, as postMessage does) and the bot logs on receipt.
    const messages: WorkerMessage[] = [];
    run(quarterlyProgress((e) => messages.push(structuredClone({ type: 'progress', progress: e }))));
    const relayed: string[] = [];
    const log = logPhaseEvent(lines(relayed), 'reindex');
    for (const m of messages) if (m.type === 'progress') log(m.progress);
    expect(relayed).toEqual(direct);
  });
});

describe('autocomplete and command data', () => {
  let retriever: Retriever;
  beforeAll(async () => {
    const dir = await buildIndex();
    dirs.push(dir);
    retriever = await openRetriever(loadConfig({ INDEX_DIR: dir, CORPUS_DIR: 'data/corpus' }), { embedder: null });
  });

  it('title choices: fast, ≤ 25, names ≤ 100, best match first, ids as values', () => {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) titleChoices(retriever.store, 'lan');
    expect((performance.now() - t0) / 100).toBeLessThan(20);
    const choices = titleChoices(retriever.store, 'skyreels');
    expect(choices[0]).toEqual({ name: 'SkyReels-V2: Infinite-length Film Generative Model', value: '1824b60bd4' });
    const all = titleChoices(retriever.store, '');
    expect(all).toHaveLength(25);
    for (const c of titleChoices(retriever.store, 'model')) {
      expect(c.name.length).toBeLessThanOrEqual(100);
      expect(c.value.length).toBeLessThanOrEqual(100);
    }
    expect(titleChoices(retriever.store, 'zzzqqq')).toEqual([]);
    expect(titleChoices(retriever.store, '1824b60bd4')[0].value).toBe('1824b60bd4');
  });

  it('title choices follow a store that switches generation in place (Postgres after a reindex elsewhere)', () => {
    // Same store object, new paper list: what PostgresStore does when it moves to a new generation.
    const before = retriever.store.papers;
    const added = { ...before[0], id: 'newpaper01', title: 'Zyzzyva Transformers: A Paper Added By Another Process' };
    let papers = before;
    const store = Object.create(retriever.store, { papers: { get: () => papers } }) as typeof retriever.store;
    expect(titleChoices(store, 'zyzzyva')).toEqual([]);
    papers = [...before.slice(1), added];
    expect(titleChoices(store, 'zyzzyva')).toEqual([{ name: added.title, value: 'newpaper01' }]);
    // and the paper that left is no longer offered
    expect(titleChoices(store, before[0].id).some((c) => c.value === before[0].id)).toBe(false);
  });

  it('commandData: every command, valid names and option shapes', () => {
    const data = commandData();
    expect(data.map((c) => c.name)).toEqual([
      'ask',
      'summarize',
      'search',
      'paper',
      'similar',
      'compare',
      'help',
      'stats',
      'reindex',
      'add-papers',
      'watch',
      'digest',
      'gaps',
    ]);
    for (const c of data) {
      expect(c.name).toMatch(/^[a-z][a-z-]{0,31}$/);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(100);
    }
    const ask = data.find((c) => c.name === 'ask')!;
    expect(ask.options).toEqual([
      expect.objectContaining({ name: 'question', type: 3, required: true }),
      expect.objectContaining({ name: 'private', type: 5 }),
      expect.objectContaining({ name: 'from', type: 3, min_length: 10, max_length: 10 }),
      expect.objectContaining({ name: 'to', type: 3, min_length: 10, max_length: 10 }),
    ]);
    expect(data.find((c) => c.name === 'search')!.options!.map((o) => o.name)).toEqual(['query', 'from', 'to']);
    expect(data.find((c) => c.name === 'paper')!.options![0]).toMatchObject({ name: 'title', autocomplete: true, required: true });
    expect(
      data.find((c) => c.name === 'compare')!.options!.map((o) => [o.name, o.required ?? false, 'autocomplete' in o && o.autocomplete]),
    ).toEqual([
      ['paper1', true, true],
      ['paper2', true, true],
      ['paper3', false, true],
      ['paper4', false, true],
    ]);
    expect(data.find((c) => c.name === 'reindex')!.default_member_permissions).toBe(String(1n << 5n));
    // Visible to everyone (an ADMIN_ROLE_IDS role may lack Manage Server); the command checks who may use it.
    const add = data.find((c) => c.name === 'add-papers')!;
    expect(add.default_member_permissions).toBeUndefined();
    expect(add.options).toEqual([
      expect.objectContaining({ name: 'file1', type: 11, required: true }),
      ...['file2', 'file3', 'file4', 'file5'].map((name) => expect.objectContaining({ name, type: 11, required: false })),
    ]);
  });
});
