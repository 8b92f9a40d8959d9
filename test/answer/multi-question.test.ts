/** Separate questions in one message, answered offline as each would be alone (src/answer/question-parts.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNANSWERED_PART } from '../../src/answer/digest.js';
import { answerQuestion } from '../../src/answer/engine.js';
import { buildIndex, type BuiltIndex } from './helpers.js';

let built: BuiltIndex;

beforeAll(async () => {
  built = await buildIndex();
});
afterAll(async () => {
  await built?.cleanup();
});

const ask = (q: string) => answerQuestion({ retriever: built.retriever }, q);
const DROPPOS = 'what does DropPos pretrain ViTs to do?';
const QWEN = 'how many A100 GPU hours did Open-Qwen2VL pretraining take?';

describe('several questions in one message (offline)', () => {
  it('answers each part as asked alone: graded high, each part opening with its own paper, both cited', async () => {
    const [drop, qwen] = [await ask(DROPPOS), await ask(QWEN)];
    expect([drop.confidence, qwen.confidence]).toEqual(['high', 'high']);
    const commaJoined = `${DROPPOS.replace(/\?$/, '')}, and ${QWEN}`;
    for (const message of [`two qs: 1) ${DROPPOS} 2) ${QWEN}`, `${DROPPOS} also, ${QWEN}`, `- ${DROPPOS}\n- ${QWEN}`, commaJoined]) {
      const r = await ask(message);
      expect(r.confidence, message).toBe('high');
      const cited = r.citations.map((c) => c.title);
      expect(cited, message).toContain(drop.citations[0].title);
      expect(cited, message).toContain(qwen.citations[0].title);
      // Each part's opening cites the paper that part alone opens with, and the number asked for stays verbatim.
      const marker = (title: string) => r.citations.find((c) => c.title === title)!.marker;
      const [first, second] = r.answer.split(/\n\n(?=\*\*2\.\*\* )/);
      expect(first, message).toMatch(new RegExp(`^\\*\\*1\\.\\*\\* .*\\[${marker(drop.citations[0].title)}\\]`));
      expect(second, message).toMatch(new RegExp(`^\\*\\*2\\.\\*\\* .*442 A100-40G GPU hours.*\\[${marker(qwen.citations[0].title)}\\]`));
    }
  });

  it('is low when one part names what no paper mentions, saying which part, and still answers the other', async () => {
    const r = await ask(`${DROPPOS} also, what score does RWKV-7 get on LongBench?`);
    expect(r.confidence).toBe('low');
    expect(r.abstained).toBe(false);
    expect(r.answer).toMatch(/^_Low confidence: on "what score does RWKV-7 get on LongBench\?", no paper here mentions RWKV\./);
    expect(r.citations[0].title).toMatch(/^DropPos/);
  });

  it('cites nothing for a part nothing here answers, and says so in its place', async () => {
    const alone = await ask('how do I center a div in css?');
    expect(alone.confidence).toBe('none');
    const r = await ask(`${DROPPOS} also, how do I center a div in css?`);
    expect(r.confidence).toBe('low');
    expect(r.answer).toMatch(/^_Low confidence: nothing here answers "how do I center a div in css\?"\./);
    expect(r.answer).toContain(`**2.** ${UNANSWERED_PART}`);
    expect(r.citations.map((c) => c.title)).toEqual([(await ask(DROPPOS)).citations[0].title]);
  });

  it('keeps one question when its later sentence asks about the same paper', async () => {
    const message = `${DROPPOS} does reconstructing dropped positions help location awareness?`;
    const r = await ask(message);
    expect(r.confidence).toBe('high');
    expect(r.answer).not.toMatch(/\*\*1\.\*\*/);
    expect(r.citations[0].title).toMatch(/^DropPos/);
  });
});
