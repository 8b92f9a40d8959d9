/**
 * Answerability of a follow-up in a thread: graded on what it asks, not on the thread's words and titles its
 * search carries, and `low` when it takes the thread's work to a subject no close match mentions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerInThread, type ThreadResult } from '../../src/answer/thread.js';
import type { ThreadAnswer } from '../../src/answer/thread-sources.js';
import { buildIndex, type BuiltIndex } from './helpers.js';

let built: BuiltIndex;
beforeAll(async () => {
  built = await buildIndex();
});
afterAll(async () => {
  await built?.cleanup();
});

/** Asks `questions` one after the other in one thread, keeping records as the bot does; the last answer. */
async function thread(...questions: string[]): Promise<ThreadResult> {
  const records: ThreadAnswer[] = [];
  let last: ThreadResult | undefined;
  for (const question of questions) {
    last = await answerInThread({ retriever: built.retriever }, question, records);
    const { answer, abstained, citations, sources } = last;
    records.push({ kind: records.length ? 'followup' : 'ask', question, answer, abstained, citations, sources });
  }
  return last!;
}

describe('follow-up answerability', () => {
  it('a follow-up taking the thread to a subject none of its papers mentions is answered low, naming it', async () => {
    const a = await thread('what are methods for machine unlearning in LLMs?', 'which of these work for MoE models?');
    expect(a.confidence).toBe('low');
    expect(a.abstained).toBe(false);
    expect(a.answer).toMatch(/^_Low confidence: no paper here joins MoE with what this thread asked before\./);
    // Still the thread's papers, as the closest work.
    expect(a.citations.length).toBeGreaterThan(0);
    for (const c of a.citations) expect(c.title).toMatch(/unlearning/i);
  });

  it("picking among the thread's papers by a word none of them mentions, brings in the papers its search found that do", async () => {
    const earlier = await thread('what papers do we have on machine unlearning for LLMs?');
    expect(earlier.sources.some((s) => /^SOUL/.test(s.title))).toBe(false);
    const a = await thread('what papers do we have on machine unlearning for LLMs?', 'do any of those use second-order optimizers?');
    const soul = a.sources.find((s) => /^SOUL: Unlocking the Power of Second-Order Optimization/.test(s.title));
    expect(soul).toBeDefined();
    // After the thread's papers, numbered on from them, and cited.
    expect(soul!.marker).toBe(earlier.sources.length + 1);
    expect(a.citations.map((c) => c.marker)).toContain(soul!.marker);
    // One paper asked about is the question's subject: nothing is added to it.
    const one = await thread('which paper pretrains ViTs by predicting the positions of dropped patches?', 'does it work on ImageNet?');
    expect(one.sources.map((s) => s.title)).toEqual([expect.stringMatching(/^DropPos/)]);
  });

  it('the same follow-up about what its papers do mention stays high', async () => {
    const asked = 'which paper pretrains ViTs by predicting the positions of dropped patches?';
    const held = await thread(asked, 'does it hold up on downstream benchmarks?');
    expect(held.confidence).toBe('high');
    expect(held.citations[0].title).toMatch(/^DropPos/);
    // Its abstract names no dataset: asked about one, the answer says the papers here do not join them.
    const imagenet = await thread(asked, 'does it work on ImageNet?');
    expect(imagenet.confidence).toBe('low');
    expect(imagenet.abstainReason).toMatch(/ImageNet/);
  });

  it("a figure the thread's paper states is answered; one its abstract does not give is `low`, saying so", async () => {
    const asked = 'what is the Crystal model trained on both language and code?';
    const tokens = await thread(asked, 'how many tokens was it trained on?');
    expect(tokens.confidence).toBe('high');
    expect(tokens.answer).toContain('1.4 trillion');
    const gpus = await thread(asked, 'how many GPUs did they train it on?');
    expect(gpus.confidence).toBe('low');
    expect(gpus.abstained).toBe(false);
    expect(gpus.answer).toMatch(/^_Low confidence: the closest papers' abstracts give no number of "GPUs"\./);
    // Still the thread's paper, as the closest work.
    expect(gpus.citations[0].title).toMatch(/^Crystal: /);
  });

  it("a thing asked for that none of the thread's papers says anything of is `low`; one they name is answered", async () => {
    const asked = 'what is the Crystal model trained on both language and code?';
    const gpus = await thread(asked, 'what gpus did they train it on?');
    expect(gpus.confidence).toBe('low');
    expect(gpus.abstainReason).toBe("the closest papers' abstracts do not say which gpus");
    expect(gpus.citations[0].title).toMatch(/^Crystal: /);
    // Things its abstract writes.
    for (const q of ['what kind of data did they train it on?', 'ok so which benchmarks do they evaluate on?']) {
      expect((await thread(asked, q)).confidence, q).toBe('high');
    }
  });

  it('a verb after the preposition names no subject ("cheap enough to deploy?"), a noun there does', async () => {
    const asked = 'which paper pretrains ViTs by predicting the positions of dropped patches?';
    const deploy = await thread(asked, 'is it cheap enough to deploy?');
    expect(deploy.confidence).toBe('high');
    expect(deploy.citations[0].title).toMatch(/^DropPos/);
    expect((await thread(asked, 'is it cheap enough for robotics?')).confidence).toBe('low');
  });

  it('a message leaving the thread ("unrelated, but …") is searched on its own words', async () => {
    const drop = 'which paper pretrains ViTs by predicting the positions of dropped patches?';
    const asked = 'is there a paper that extends LLM context windows by continuous length extrapolation?';
    // "that" reads as pointing back, so in a thread the question carries DropPos along…
    expect((await thread(drop, asked)).query).toMatch(/DropPos/);
    // …unless it says it leaves the subject.
    for (const opener of ['unrelated, but', 'different q:', 'switching gears,', 'on a different note,', '**unrelated, but**']) {
      const a = await thread(drop, `${opener} ${asked}`);
      expect(a.query, opener).toBe(asked);
      expect(a.citations[0].title, opener).toMatch(/^CLEX/);
    }
    // Nor does its "they" point at the thread's papers.
    const they = await thread(drop, 'unrelated, but what benchmarks do they use for code generation?');
    expect(they.resolution.markers).toEqual([]);
    expect(they.citations.map((c) => c.title).join('\n')).not.toMatch(/DropPos/);
  });

  it('a third turn carries what the second asked, not the frame it was asked in', async () => {
    const a = await thread(
      'which paper pretrains ViTs by predicting the positions of dropped patches?',
      'unrelated, but any work on pretraining BERT on stackoverflow data?',
      'what model size did they use?',
    );
    expect(a.query).toMatch(/stackoverflow/);
    expect(a.query).not.toMatch(/unrelated/i);
    // Nor the words that pointed at a paper: "second" is no subject.
    const b = await thread(
      'papers on extending the context window of LLMs?',
      'tell me more about the second one',
      'what data did it train on?',
    );
    expect(b.query).not.toMatch(/second/);
    expect(b.citations[0].marker).toBe(2);
  });

  it('a title carried from the thread into the search is not graded as part of the question', async () => {
    // "them" carries the earlier answer's titles (FineWeb among them) into the search; graded as asked words,
    // FineWeb read as a name the other close matches never mention, and the answer was `low`.
    const a = await thread('papers on filtering web data for LLM pretraining?', 'do any of them use a classifier?');
    expect(a.query).toMatch(/FineWeb/);
    expect(a.confidence).toBe('high');
  });
});
