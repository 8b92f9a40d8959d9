/**
 * With a chat model (the fake OpenAI server): streamed edits at most once per interval, the final
 * edit showing the validated answer, long answers split cleanly, mentions in generated text
 * neutralised, the concurrency cap's ephemeral "busy" message, and the extractive fallback.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { FakeDiscordServer } from '../servers/discord-server.js';
import { answerMessages, customIds, messageBodies, userId, useBotSuite } from './harness.js';
import type { BotOptions } from '../../src/discord/bot.js';

const suite = useBotSuite();
let answerText = '';

const SENTENCES = [
  'Dataset decomposition splits a corpus into buckets of sequences that each come from a single document [1].',
  'Training then samples from all buckets with a variable sequence length curriculum [1].',
  'This avoids cross-document attention inside a sequence, which is neither a useful learning signal nor efficient [1].',
  'An 8k context-length 1B model can be trained at the cost of a 2k context-length baseline model [1].',
  'Related work coordinates larger language models with small fine-tuned ones to improve complex reasoning [2].',
  'Other papers adapt low-rank decompositions such as SVD for parameter-efficient fine-tuning [3].',
];

function longAnswer(minChars: number): string {
  const paragraphs: string[] = [];
  let total = 0;
  let i = 0;
  while (total < minChars) {
    const para = `${[0, 1, 2].map((k) => SENTENCES[(i + k) % SENTENCES.length]).join(' ')} Both results hold across settings [1][2].`;
    paragraphs.push(para);
    total += para.length + 2;
    i++;
  }
  return paragraphs.join('\n\n');
}

async function setup(env: Record<string, string> = {}, opts: BotOptions = {}, chunkDelayMs = 8) {
  const o = await suite.openai({
    streamChunkDelayMs: chunkDelayMs,
    chatResponder: ({ messages }) => {
      const system = messages[0]?.content ?? '';
      if (/rewrite a follow-up/.test(system)) return 'dataset decomposition training cost';
      return answerText;
    },
  });
  const { s, bot, feedbackDir } = await suite.setup(
    {
      OPENAI_BASE_URL: o.url,
      OPENAI_API_KEY: 'sk-test-key-123456',
      CHAT_MODEL: 'fake-chat',
      LLM_MAX_RETRIES: '0',
      STREAM_EDIT_INTERVAL_MS: '250',
      ...env,
    },
    { bot: opts },
  );
  return { s, o, bot, feedbackDir };
}

function ask(s: FakeDiscordServer, question: string, user = userId()) {
  return s.sendSlashCommand({ name: 'ask', userId: user, options: [{ name: 'question', type: 3, value: question }] });
}

describe('research-bot with a chat model', () => {
  it('streams by editing at most once per interval; the final edit is the validated answer; mentions in generated text do not ping', async () => {
    // ~100 words at 2 words per chunk and 8 ms per chunk: about 0.5 s of streaming.
    answerText =
      'Dataset decomposition trains on buckets of same-length sequences cut from single documents [1]. ' +
      'It uses a variable sequence length curriculum and avoids cross-document attention [1]. ' +
      'An 8k-context 1B model trains at the cost of a 2k-context baseline [1]. A made-up claim [9]. ' +
      'Ping test @everyone and <@123456789012345678> should stay silent [2]. ' +
      'Small models fine-tuned to coordinate larger ones improve complex reasoning on several benchmarks, the authors report [2]. ' +
      'Taken together, these papers describe training efficiency and reasoning improvements for language models [1][2].';
    const { s, o, bot } = await setup();
    const h = ask(s, 'How does dataset decomposition speed up LLM training?');
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    expect(s.callbacks(h.interactionId)[0].at - h.sentAt).toBeLessThan(3000);

    const edits = s.calls.filter((c) => c.method === 'PATCH' && c.path.includes(h.token));
    const previews = edits.slice(0, -1);
    expect(previews.length).toBeGreaterThanOrEqual(1);
    for (const p of previews) expect(p.body.content).toMatch(/ …$/);
    for (let k = 1; k < previews.length; k++) expect(previews[k].at - previews[k - 1].at).toBeGreaterThanOrEqual(240);
    const final = edits.at(-1)!;
    expect(final.body.content).not.toMatch(/ …$/);
    expect(final.body.content).not.toContain('[9]');
    expect(final.body.embeds[0].footer.text).toMatch(/Answer by fake-chat.*1 invalid citation removed/);
    expect(parts[0].content).toContain('**Q:** How does dataset decomposition');
    expect(parts[0].content).toContain('[1]');
    expect(parts[0].content).toContain('@\u200beveryone');
    expect(parts[0].mention_everyone).toBe(false);
    expect(parts[0].mentions).toEqual([]);
    for (const b of messageBodies(s)) expect(b.body.allowed_mentions).toMatchObject({ parse: [] });
    expect(o.chatCalls()).toBe(1);

    // Follow-up in the thread: the model's rewrite step sees the earlier question (history), and
    // the answer streams into a reply in the thread.
    const thread = await s.waitFor(() => s.threads()[0]);
    s.sendMessage({ channelId: thread.id, content: 'And what does it cost?' });
    const reply = await s.waitFor(
      () => s.channelMessages(thread.id).find((m) => m.author.id === s.botUserId && customIds(m).length === 3),
      15_000,
    );
    expect(reply.content).toContain('[1]');
    const rewrite = o.requests.find((r) => r.path === '/v1/chat/completions' && /rewrite a follow-up/.test(r.body.messages[0].content));
    expect(rewrite?.body.messages[1].content).toContain('How does dataset decomposition speed up LLM training?');
    const answerCall = o.requests.filter((r) => r.path === '/v1/chat/completions').at(-1);
    expect(answerCall?.body.messages[1].content).toContain(
      'Conversation so far:\nUser: How does dataset decomposition speed up LLM training?',
    );
    expect(bot.logs.some((l) => l.includes('sk-test-key-123456'))).toBe(false);
  });

  it('an /ask inside the thread is part of the thread history that later typed follow-ups see', async () => {
    answerText = 'Dataset decomposition trains on buckets of same-length sequences [1].';
    const { s, o } = await setup();
    const h = ask(s, 'How does dataset decomposition speed up LLM training?');
    await s.waitFor(() => answerMessages(s, h.token), 15_000);
    const thread = await s.waitFor(() => s.threads()[0]);
    const inThread = s.sendSlashCommand({
      name: 'ask',
      userId: userId(),
      channelId: thread.id,
      options: [{ name: 'question', type: 3, value: 'Which paper packs prompts for faster prefilling?' }],
    });
    await s.waitFor(() => answerMessages(s, inThread.token), 15_000);
    s.sendMessage({ channelId: thread.id, content: 'and how much faster is that?' });
    const rewrite = await s.waitFor(
      () =>
        o.requests.find(
          (r) =>
            r.path === '/v1/chat/completions' &&
            /rewrite a follow-up/.test(r.body.messages[0].content) &&
            r.body.messages[1].content.includes('and how much faster is that?'),
        ),
      15_000,
    );
    expect(rewrite?.body.messages[1].content).toContain('Which paper packs prompts for faster prefilling?');
  });

  it('a 2500+ character answer is split into ≤ 2000-char messages without cutting a citation marker', async () => {
    answerText = longAnswer(2600);
    const { s } = await setup({}, {}, 1);
    const h = ask(s, 'Summarize dataset decomposition and related training work');
    const parts = await s.waitFor(() => answerMessages(s, h.token), 20_000);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const contents = parts.map((p) => p.content as string);
    for (const c of contents) {
      expect(c.length).toBeLessThanOrEqual(2000);
      expect(c).not.toMatch(/\[\d*$/); // no marker opened at the end
      expect(c).not.toMatch(/^\d*\]/); // no marker closed at the start
      expect(c.match(/\[/g)?.length ?? 0).toBe(c.match(/\]/g)?.length ?? 0);
    }
    const markers = (t: string) => (t.match(/\[\d+\]/g) ?? []).length;
    const expected = markers(answerText);
    expect(contents.reduce((n, c) => n + markers(c), 0)).toBe(expected);
    // Only the last part carries the sources and the buttons; follow-ups carry allowed_mentions too.
    expect(parts.slice(0, -1).every((p) => !p.components?.length)).toBe(true);
    expect(customIds(parts.at(-1))).toHaveLength(3);
    const followUpPosts = s.calls.filter((c) => c.method === 'POST' && c.path.includes(`/webhooks/${s.applicationId}/${h.token}`));
    expect(followUpPosts.length).toBe(parts.length - 1);
    for (const p of followUpPosts) expect(p.body.allowed_mentions).toMatchObject({ parse: [] });
  });

  it('a long streamed answer continues in a new message once the first is full; no edit repeats, nothing shrinks', async () => {
    answerText = longAnswer(4200);
    // ~4200 characters at 2 words per chunk, 6 ms per chunk: a couple of seconds of streaming.
    const { s } = await setup({}, {}, 6);
    const h = ask(s, 'Summarize dataset decomposition and related training work');
    const parts = await s.waitFor(() => answerMessages(s, h.token), 30_000);
    const hook = `/webhooks/${s.applicationId}/${h.token}`;
    const calls = s.calls.filter((c) => c.path.startsWith(hook));
    // The final answer is the edit of the original message that carries the question header.
    const finalAt = calls.find((c) => c.method === 'PATCH' && c.path.endsWith('/@original') && /\*\*Q:\*\*/.test(c.body.content ?? ''))!.at;
    const streamedPosts = calls.filter((c) => c.method === 'POST' && c.at < finalAt);
    expect(streamedPosts.length).toBeGreaterThanOrEqual(1); // the second message started while streaming
    // Per message: streamed contents never repeat and only grow.
    const byMessage = new Map<string, string[]>();
    for (const c of calls) {
      if (c.at >= finalAt || typeof c.body?.content !== 'string') continue;
      const id = c.method === 'POST' ? `post-${streamedPosts.indexOf(c)}` : c.path.slice(c.path.lastIndexOf('/') + 1);
      byMessage.set(id, [...(byMessage.get(id) ?? []), c.body.content]);
    }
    for (const contents of byMessage.values()) {
      for (let k = 1; k < contents.length; k++) {
        expect(contents[k]).not.toBe(contents[k - 1]);
        expect(contents[k].replace(/ …$/, '').startsWith(contents[k - 1].replace(/ …$/, ''))).toBe(true);
      }
    }
    // The final answer reuses the streamed messages instead of posting new ones beside them.
    const posts = calls.filter((c) => c.method === 'POST').length;
    const deletes = calls.filter((c) => c.method === 'DELETE').length;
    expect(posts - deletes).toBe(parts.length - 1);
    for (const p of parts) expect((p.content as string).length).toBeLessThanOrEqual(2000);
  });

  it('over the concurrency cap (and its queue) an ask gets an ephemeral "busy" reply within 3 s', async () => {
    answerText = longAnswer(600);
    const { s } = await setup({ MAX_CONCURRENT_MODEL_CALLS: '1' }, { maxQueued: 1 }, 15);
    const handles = [ask(s, 'What is dataset decomposition?'), ask(s, 'What is SkyReels-V2?'), ask(s, 'What is CoLLAP?')];
    await s.waitFor(() => handles.every((h) => s.callbacks(h.interactionId).length > 0), 5000);
    const first = handles.map((h) => s.callbacks(h.interactionId)[0]);
    for (const [k, cb] of first.entries()) expect(cb.at - handles[k].sentAt).toBeLessThan(3000);
    expect(first.map((c) => c.body.type)).toEqual([5, 5, 4]);
    expect(first[2].body.data.flags).toBe(64);
    expect(first[2].body.data.content).toMatch(/busy/);
    await s.waitFor(() => answerMessages(s, handles[0].token) && answerMessages(s, handles[1].token), 20_000);
  });

  it('a failing model falls back to the extractive digest, said so in the answer', async () => {
    answerText = 'unused';
    const { s, o, feedbackDir } = await setup();
    o.queueFault('chat', { kind: 'status', status: 500 }, 1);
    const h = ask(s, 'What is dataset decomposition?');
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    expect(parts[0].content).toMatch(/_Showing an extractive digest because the language model answered HTTP 500\._/);
    expect(parts.at(-1).embeds[0].footer.text).toMatch(/Extractive digest/);
    const log = (await readFile(join(feedbackDir, 'answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log[0]).toMatchObject({ type: 'answer', mode: 'extractive', chatModel: 'fake-chat' });
    expect(log[0].fallbackReason).toMatch(/HTTP 500/);
  });

  it('stop() lets an answer in flight finish; new asks meanwhile get an ephemeral "restarting"', async () => {
    answerText = longAnswer(500);
    const { s, bot } = await setup({}, {}, 25);
    const h = ask(s, 'What is dataset decomposition?');
    await s.waitFor(() => s.callbacks(h.interactionId).length > 0);
    const t0 = Date.now();
    const stopped = bot.handle.stop({ timeoutMs: 10_000 });
    const late = ask(s, 'What is SkyReels-V2?');
    await s.waitFor(() => s.callbacks(late.interactionId).length > 0);
    expect(s.callbacks(late.interactionId)[0].body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(s.callbacks(late.interactionId)[0].body.data.content).toMatch(/restarting/);
    await stopped;
    expect(Date.now() - t0).toBeLessThan(10_000);
    const parts = answerMessages(s, h.token);
    expect(parts?.[0].content).toContain('Dataset decomposition splits a corpus');
    expect(parts?.at(-1).embeds[0].footer.text).toMatch(/Answer by fake-chat/);
  });

  it('past the shutdown bound, model calls are cancelled and the answer still lands as a digest', async () => {
    answerText = longAnswer(4000); // ~600 words at 2 words / 40 ms: far longer than the bound
    const { s, bot } = await setup({}, {}, 40);
    const h = ask(s, 'What is dataset decomposition?');
    await s.waitFor(() => s.calls.some((c) => c.method === 'PATCH' && c.path.includes(h.token)), 5000); // streaming
    const t0 = Date.now();
    await bot.handle.stop({ timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(4000);
    const parts = answerMessages(s, h.token);
    expect(parts?.[0].content).toMatch(/_Showing an extractive digest because the language model was cancelled\._/);
    expect(customIds(parts?.at(-1))).toHaveLength(3);
  });
});
