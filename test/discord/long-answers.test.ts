/**
 * A runaway model answer in Discord: a 60 KB answer used to become 31 public messages for one
 * /ask. Now the reply is read only up to the character cap derived from LLM_MAX_OUTPUT_TOKENS
 * (and says it was cut off), and however long an answer is, it posts at most
 * MAX_ANSWER_MESSAGES messages, the whole answer attached to the last one as a Markdown file.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_MESSAGES } from '../../src/discord/render/answer.js';
import { answerMessages, customIds, storedAnswers, userId, useBotSuite } from './harness.js';

const SENTENCE = 'Dataset decomposition trains on buckets of same-length sequences cut from single documents [1].';
/** About 60 KB of well-cited paragraphs, numbered so the end of the text can be recognised. */
const RUNAWAY = Array.from({ length: 150 }, (_, i) => `Paragraph ${i + 1}. ${SENTENCE} ${SENTENCE} ${SENTENCE} ${SENTENCE}`).join('\n\n');

const suite = useBotSuite();

async function askWith(env: Record<string, string>) {
  const o = await suite.openai({ chatResponder: () => RUNAWAY });
  const { s, feedbackDir } = await suite.setup({ OPENAI_BASE_URL: o.url, CHAT_MODEL: 'fake-chat', LLM_MAX_RETRIES: '0', ...env });
  const h = s.sendSlashCommand({
    name: 'ask',
    userId: userId(),
    options: [{ name: 'question', type: 3, value: 'What is dataset decomposition?' }],
  });
  const parts = await s.waitFor(() => answerMessages(s, h.token), 20_000);
  const [record] = await storedAnswers(feedbackDir);
  return { s, o, h, parts, record };
}

describe('a 60 KB model answer to one /ask', () => {
  it(`default LLM_MAX_OUTPUT_TOKENS: the answer is read only to the cap, marked cut off, in at most ${MAX_ANSWER_MESSAGES} messages`, async () => {
    const { s, o, h, parts, record } = await askWith({});
    expect(parts.length).toBeLessThanOrEqual(MAX_ANSWER_MESSAGES);
    expect(o.requests.find((r) => r.path === '/v1/chat/completions')?.body.max_tokens).toBe(1024);
    expect(parts.at(-1).content).toMatch(
      /_\(Answer cut off: the model ran past the length cap\. Only its complete sentences are shown\.\)_$/,
    );
    expect(parts.at(-1).embeds[0].footer.text).toMatch(/Answer by fake-chat.* · cut off: complete sentences only/);
    expect(customIds(parts.at(-1))).toHaveLength(3);
    // The answer log keeps what was shown, not the runaway text.
    expect(record.truncated).toBe(true);
    expect(record.answer.length).toBeLessThan(1024 * 6 + 200);
    const followUps = s.calls.filter((c) => c.method === 'POST' && c.path.includes(`/webhooks/${s.applicationId}/${h.token}`));
    expect(followUps.length).toBe(parts.length - 1);
  });

  it(`a high LLM_MAX_OUTPUT_TOKENS: ${MAX_ANSWER_MESSAGES} messages, the whole answer attached as a .md file to the last`, async () => {
    const { s, h, parts, record } = await askWith({ LLM_MAX_OUTPUT_TOKENS: '20000' });
    expect(record.truncated).toBeUndefined();
    expect(record.answer).toBe(RUNAWAY);
    expect(parts).toHaveLength(MAX_ANSWER_MESSAGES);
    for (const p of parts) expect(p.content.length).toBeLessThanOrEqual(2000);
    const last = parts.at(-1);
    expect(last.content).toMatch(
      /^_The answer continues \(about \d+ more characters\): the whole answer is in \*\*answer-[\w-]+\.md\*\* below\._$/,
    );
    expect(customIds(last)).toHaveLength(3);
    expect(last.attachments).toHaveLength(1);
    expect(last.attachments[0].filename).toBe(`answer-${record.answerId}.md`);
    const file = await (await fetch(last.attachments[0].url)).text();
    expect(file.startsWith(`**Q:** What is dataset decomposition?\n\n${RUNAWAY}\n\n## Sources\n`)).toBe(true);
    expect(file).toContain('Paragraph 150.');
    expect(file).toContain('[1] Dataset Decomposition');
    // Three follow-ups after the first message: not 31 public messages.
    const posts = s.calls.filter((c) => c.method === 'POST' && c.path.includes(`/webhooks/${s.applicationId}/${h.token}`));
    expect(posts).toHaveLength(MAX_ANSWER_MESSAGES - 1);
  });
});
