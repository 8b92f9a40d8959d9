/**
 * 20 /ask interactions sent at once (20 users): every one is acknowledged (deferred) within 3 s
 * of being sent, measured on the fake server from sentAt to the callback's arrival; all 20 answers
 * then land, with the concurrency cap queueing the computations behind 4 slots.
 */
import { describe, expect, it } from 'vitest';
import { answerMessages, percentile, userId, useBotSuite } from './harness.js';

const QUESTIONS = [
  'What is dataset decomposition?',
  'What is SkyReels-V2?',
  'How does CoLLAP pretrain language-audio models?',
  'How can small language models coordinate larger ones?',
  'What is singular value decomposition on Kronecker adaptation?',
];

const suite = useBotSuite();

describe('load', () => {
  it('20 concurrent /ask: all deferred within 3 s, all answered', async () => {
    const { s, bot } = await suite.setup({ MAX_CONCURRENT_MODEL_CALLS: '4' });

    const handles = Array.from({ length: 20 }, (_, k) =>
      s.sendSlashCommand({
        name: 'ask',
        userId: userId(),
        options: [{ name: 'question', type: 3, value: `${QUESTIONS[k % QUESTIONS.length]} (#${k + 1})` }],
      }),
    );
    await s.waitFor(() => handles.every((h) => s.callbacks(h.interactionId).length > 0), 5000);
    const latencies = handles.map((h) => {
      const [cb] = s.callbacks(h.interactionId);
      expect(cb.status).toBe(204);
      expect(cb.body.type).toBe(5);
      return cb.at - h.sentAt;
    });
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`ack latency over 20 concurrent /ask: p50=${p50} ms p99=${p99} ms max=${Math.max(...latencies)} ms`);
    for (const l of latencies) expect(l).toBeLessThan(3000);

    await s.waitFor(() => handles.every((h) => answerMessages(s, h.token)), 30_000);
    for (const h of handles) expect(answerMessages(s, h.token)![0].content).toMatch(/\[1\]/);
    await s.waitFor(() => s.threads().length === 20, 10_000);
    expect(bot.handle.context.gate.running).toBe(0);
    expect(bot.handle.context.gate.waiting).toBe(0);
  });
});
