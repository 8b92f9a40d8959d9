/**
 * Questions queued behind MAX_CONCURRENT_MODEL_CALLS show their place in the queue: the deferred
 * reply (or, for a typed follow-up, the reply message) says how many questions are ahead, is edited
 * as that number drops (once per change, never repeated, spaced like streaming edits, never after the
 * answer started), and then becomes the answer. Real discord.js against the test Discord server, a
 * slow model on the fake OpenAI server.
 */
import { describe, expect, it } from 'vitest';
import type { BotOptions } from '../../src/discord/bot.js';
import { queuedText } from '../../src/discord/pipeline.js';
import type { FakeDiscordServer, InteractionHandle, RestCall } from '../servers/discord-server.js';
import { answerMessages, customIds, userId, useBotSuite } from './harness.js';

const ANSWER =
  'Dataset decomposition trains on buckets of same-length sequences cut from single documents [1]. ' +
  'It avoids cross-document attention and trains an 8k-context model at the cost of a 2k one [1].';
const EDIT_INTERVAL_MS = 250;
const QUEUED = /^⏳ Queued: /;

const suite = useBotSuite();

/** One model call at a time; each takes `modelMs` before it starts streaming. */
async function setup(modelMs: number, opts: BotOptions = {}) {
  const openai = await suite.openai({
    streamChunkDelayMs: 10,
    chatResponder: ({ messages }) =>
      /rewrite a follow-up/.test(messages[0]?.content ?? '') ? 'dataset decomposition training cost' : ANSWER,
  });
  openai.setPersistentFault('chat', { kind: 'delay', ms: modelMs });
  const { s, bot } = await suite.setup(
    {
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-test-key-123456',
      CHAT_MODEL: 'fake-chat',
      LLM_MAX_RETRIES: '0',
      MAX_CONCURRENT_MODEL_CALLS: '1',
      STREAM_EDIT_INTERVAL_MS: String(EDIT_INTERVAL_MS),
    },
    { bot: opts },
  );
  return { s, o: openai, bot };
}

function ask(s: FakeDiscordServer, question: string) {
  return s.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: question }] });
}

/** Edits of an interaction's deferred reply, in order. */
function originalEdits(s: FakeDiscordServer, token: string): RestCall[] {
  return s.calls.filter((c) => c.method === 'PATCH' && c.path === `/webhooks/${s.applicationId}/${token}/messages/@original`);
}

/** The queue notices among a message's edits: each a new place, going down, spaced, and all before the first non-queue edit. */
function expectQueueEdits(edits: RestCall[], places: number[]): void {
  const contents = edits.map((e) => String(e.body?.content ?? ''));
  const queued = contents.filter((c) => QUEUED.test(c));
  expect(queued).toEqual(places.map(queuedText));
  const firstAnswerEdit = contents.findIndex((c) => !QUEUED.test(c));
  expect(firstAnswerEdit).toBe(queued.length); // nothing about the queue once the answer started
  const at = edits.slice(0, queued.length).map((e) => e.at);
  for (let k = 1; k < at.length; k++) expect(at[k] - at[k - 1]).toBeGreaterThanOrEqual(EDIT_INTERVAL_MS - 10);
}

describe('queue position behind the model-call cap', () => {
  it('with a cap of 1, the 2nd and 3rd /ask show their place, the 3rd sees it go down, and all three are answered', async () => {
    const { s, o } = await setup(1200);
    const questions = [
      'What is dataset decomposition?',
      'How does dataset decomposition speed up training?',
      'What does dataset decomposition cost?',
    ];
    const handles: InteractionHandle[] = [];
    // One after the other, so the queue order is the order asked.
    for (const q of questions) {
      const h = ask(s, q);
      await s.waitFor(() => s.callbacks(h.interactionId).length > 0);
      handles.push(h);
    }
    for (const h of handles) {
      const cb = s.callbacks(h.interactionId)[0];
      expect(cb.body.type).toBe(5); // deferred within the 3 s window; the queue notice is an edit
      expect(cb.at - h.sentAt).toBeLessThan(3000);
    }
    const notice3 = await s.waitFor(() => originalEdits(s, handles[2].token)[0], 5000);
    expect(notice3.body.content).toBe(
      '⏳ Queued: 1 question ahead of yours. All answer slots are busy; your answer starts as soon as one frees up.',
    );
    expect(notice3.body.allowed_mentions).toMatchObject({ parse: [] });

    const answers = await s.waitFor(() => {
      const all = handles.map((h) => answerMessages(s, h.token));
      return all.every(Boolean) ? all : undefined;
    }, 30_000);
    for (const parts of answers) {
      expect(parts![0].content).toContain('Dataset decomposition trains on buckets');
      expect(parts![0].content).not.toMatch(QUEUED);
      expect(customIds(parts!.at(-1))).toHaveLength(3);
    }
    expectQueueEdits(originalEdits(s, handles[0].token), []);
    expectQueueEdits(originalEdits(s, handles[1].token), [0]);
    expectQueueEdits(originalEdits(s, handles[2].token), [1, 0]);
    expect(queuedText(0)).toBe('⏳ Queued: yours is next. All answer slots are busy; your answer starts as soon as one frees up.');
    expect(queuedText(2)).toMatch(/^⏳ Queued: 2 questions ahead of yours\./);

    // The cap held: the three model calls ran one after the other.
    const chats = o.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.at);
    expect(chats).toHaveLength(3);
    for (let k = 1; k < chats.length; k++) expect(chats[k] - chats[k - 1]).toBeGreaterThanOrEqual(1100);
  }, 60_000);

  it('a follow-up typed in a thread while the slot is taken gets a queue notice as its reply, which then becomes the answer', async () => {
    const { s } = await setup(800);
    const first = ask(s, 'What is dataset decomposition?');
    await s.waitFor(() => answerMessages(s, first.token), 15_000);
    const thread = await s.waitFor(() => s.threads()[0]);
    const busy = ask(s, 'How does dataset decomposition speed up training?');
    await s.waitFor(() => s.callbacks(busy.interactionId).length > 0);
    const { messageId } = s.sendMessage({ channelId: thread.id, content: 'And what does it cost?', authorId: userId() });

    const notice = await s.waitFor(
      () => s.channelMessages(thread.id).find((m) => m.author.id === s.botUserId && QUEUED.test(m.content)),
      5000,
    );
    expect(notice.content).toBe(queuedText(0));
    expect(notice.message_reference?.message_id).toBe(messageId);
    const answered = await s.waitFor(() => {
      const m = s.message(notice.id);
      return customIds(m).length === 3 ? m : undefined;
    }, 30_000);
    expect(answered.content).toContain('Dataset decomposition trains on buckets');
    // The notice message itself became the answer: no second reply beside it, and no queue edit after it started.
    expect(
      s.channelMessages(thread.id).filter((m) => m.author.id === s.botUserId && m.message_reference?.message_id === messageId),
    ).toHaveLength(1);
    expectQueueEdits(
      s.calls.filter((c) => c.method === 'PATCH' && c.path === `/channels/${thread.id}/messages/${notice.id}`),
      [],
    );
    await s.waitFor(() => answerMessages(s, busy.token), 15_000);
  }, 60_000);

  it('a follow-up that waited too long loses its queue notice and gets the busy message instead', async () => {
    const { s } = await setup(1500, { queueWaitMs: 400 });
    const first = ask(s, 'What is dataset decomposition?');
    await s.waitFor(() => answerMessages(s, first.token), 15_000);
    const thread = await s.waitFor(() => s.threads()[0]);
    const busy = ask(s, 'How does dataset decomposition speed up training?');
    await s.waitFor(() => s.callbacks(busy.interactionId).length > 0);
    s.sendMessage({ channelId: thread.id, content: 'And what does it cost?', authorId: userId() });
    const notice = await s.waitFor(
      () => s.channelMessages(thread.id).find((m) => m.author.id === s.botUserId && QUEUED.test(m.content)),
      5000,
    );
    const refusal = await s.waitFor(() => s.channelMessages(thread.id).find((m) => /waited too long/.test(m.content)), 5000);
    expect(s.message(notice.id)).toBeUndefined();
    expect(s.calls.some((c) => c.method === 'DELETE' && c.path === `/channels/${thread.id}/messages/${notice.id}`)).toBe(true);
    expect(refusal.content).toMatch(/The bot is busy right now/);
    await s.waitFor(() => answerMessages(s, busy.token), 15_000);
  }, 60_000);
});
