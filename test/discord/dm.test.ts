import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BotOptions } from '../../src/discord/bot.js';
import type { FakeDiscordServer } from '../servers/discord-server.js';
import { customIds, parsedLogs, readJsonl, storedAnswers, userId, useBotSuite } from './harness.js';

const DIRECT_MESSAGES = 1 << 12;
/** Offline, this one cites five papers, so "the second one" has something to point at. */
const BROAD = 'How do vision transformers learn positions?';

const suite = useBotSuite();
const setup = (env: Record<string, string> = {}, bot: BotOptions = {}) => suite.setup(env, { bot });

const answers = storedAnswers;

/** The bot's answers in a channel (the message carrying the feedback buttons), oldest first. */
function botAnswers(s: FakeDiscordServer, channelId: string): any[] {
  return s.channelMessages(channelId).filter((m) => m.author.id === s.botUserId && customIds(m).length === 3);
}

/**
 * A user types in their DM with the bot; resolves with the bot's answer to it: `answer` is the part
 * with the buttons, `parts` every message of it (the first replies to the question), `text` theirs joined.
 */
async function dm(
  s: FakeDiscordServer,
  user: string,
  content: string,
): Promise<{ question: string; answer: any; parts: any[]; text: string }> {
  const channelId = s.dmChannelId(user);
  const before = botAnswers(s, channelId).length;
  const { messageId } = s.sendMessage({ channelId, authorId: user, content });
  const answer = await s.waitFor(() => botAnswers(s, channelId)[before], 15_000);
  const parts = s.channelMessages(channelId).filter((m) => m.author.id === s.botUserId && BigInt(m.id) > BigInt(messageId));
  return { question: messageId, answer, parts, text: parts.map((m) => m.content).join('\n') };
}

describe('direct messages (offline answers)', () => {
  it('a DM question gets a cited answer in the DM with buttons and sources; "what about the second one?" uses the earlier turn', async () => {
    const { s, feedbackDir } = await setup();
    const identify = s.gatewayEvents.find((e) => e.op === 2);
    expect(identify!.d.intents & DIRECT_MESSAGES).not.toBe(0);
    const user = userId();
    const channelId = s.dmChannelId(user);

    const first = await dm(s, user, BROAD);
    // In the DM itself, replying to the question; no thread anywhere.
    expect(first.answer.channel_id).toBe(channelId);
    expect(first.parts[0].message_reference?.message_id).toBe(first.question);
    expect(s.threads()).toEqual([]);
    expect(first.text).toMatch(/\[1\]/);
    expect(first.answer.embeds.at(-1).description).toMatch(/\*\*\[1\]\*\*/);
    const [rec] = await answers(feedbackDir);
    expect(rec).toMatchObject({ kind: 'qa', question: BROAD, userId: user, channelId });
    expect(rec.guildId).toBeUndefined();
    expect(rec.citations.length).toBeGreaterThanOrEqual(3);

    // Feedback and sources buttons work in the DM.
    const [up, , src] = customIds(first.answer);
    const vote = s.sendButton({ customId: up, messageId: first.answer.id });
    await s.waitFor(() => s.callbacks(vote.interactionId).length > 0);
    expect(s.callbacks(vote.interactionId)[0].body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(await readJsonl(join(feedbackDir, 'feedback.jsonl'))).toEqual([
      expect.objectContaining({ type: 'vote', answerId: rec.answerId, userId: user, vote: 'up', question: BROAD }),
    ]);
    const sources = s.sendButton({ customId: src, messageId: first.answer.id });
    await s.waitFor(() => s.callbacks(sources.interactionId).length > 0);
    expect(s.callbacks(sources.interactionId)[0].body.data.content).toContain(`**Sources for:** ${BROAD}`);

    // The follow-up resolves against the DM's earlier answer: paper [2] keeps its number.
    const second = rec.citations.find((c: any) => c.marker === 2);
    const followUp = await dm(s, user, 'what about the second one?');
    const rec2 = (await answers(feedbackDir)).at(-1);
    expect(rec2.kind).toBe('followup');
    expect(rec2.sources[0]).toMatchObject({ paperId: second.paperId, marker: 2 });
    expect(followUp.text).toContain('[2]');
    // Bounded: the history is one page of the DM's last 20 messages before the follow-up.
    const pages = s.calls.filter((c) => c.method === 'GET' && c.path === `/channels/${channelId}/messages`);
    expect(pages.map((c) => c.query)).toEqual([
      { limit: '20', before: first.question },
      { limit: '20', before: followUp.question },
    ]);
  });

  it('ignores DMs from other bots and its own messages, and answers the person', async () => {
    const { s, feedbackDir } = await setup();
    const otherBot = userId();
    const botDm = s.dmChannelId(otherBot);
    s.sendMessage({ channelId: botDm, authorId: otherBot, bot: true, content: 'What is dataset decomposition?' });
    const user = userId();
    const channelId = s.dmChannelId(user);
    // The bot's own message in a DM comes back on the gateway too.
    s.sendMessage({ channelId, authorId: s.botUserId, content: 'What is SkyReels-V2?' });
    const { text } = await dm(s, user, 'What is dataset decomposition?');
    expect(text).toMatch(/Dataset Decomposition/);
    await new Promise((r) => setTimeout(r, 400));
    expect(s.channelMessages(botDm).filter((m) => m.author.id === s.botUserId)).toEqual([]);
    expect(botAnswers(s, channelId)).toHaveLength(1);
    expect((await answers(feedbackDir)).map((r) => r.question)).toEqual(['What is dataset decomposition?']);
  });

  it('the cooldown applies in DMs: a second DM inside it waits (⏳) and is answered when it ends', async () => {
    const { s } = await setup({ USER_COOLDOWN_SECONDS: '2' });
    const user = userId();
    const channelId = s.dmChannelId(user);
    const t0 = Date.now();
    await dm(s, user, 'What is dataset decomposition?');
    const { messageId } = s.sendMessage({ channelId, authorId: user, content: 'What is SkyReels-V2?' });
    await s.waitFor(() =>
      s.calls.find((c) => c.method === 'PUT' && c.path === `/channels/${channelId}/messages/${messageId}/reactions/⏳/@me`),
    );
    expect(botAnswers(s, channelId)).toHaveLength(1);
    await s.waitFor(() => botAnswers(s, channelId)[1], 10_000);
    const later = s.channelMessages(channelId).filter((m) => m.author.id === s.botUserId && BigInt(m.id) > BigInt(messageId));
    expect(later[0].message_reference?.message_id).toBe(messageId);
    expect(later.map((m) => m.content).join('\n')).toMatch(/SkyReels/);
    const posted = s.calls.find(
      (c) => c.method === 'POST' && c.path === `/channels/${channelId}/messages` && c.body?.message_reference?.message_id === messageId,
    )!;
    expect(posted.at - t0).toBeGreaterThanOrEqual(1900);
  });

  it('DIRECT_MESSAGES=false: no DM intent, DMs unanswered, mentions still answered; on by default', async () => {
    const { s, bot } = await setup({ DIRECT_MESSAGES: 'false' });
    const identify = s.gatewayEvents.find((e) => e.op === 2)!;
    expect(identify.d.intents & DIRECT_MESSAGES).toBe(0);
    expect(identify.d.intents & (1 << 9)).not.toBe(0); // guild messages (mentions) stay on
    const user = userId();
    const channelId = s.dmChannelId(user);
    s.sendMessage({ channelId, authorId: user, content: 'What is dataset decomposition?' });
    const { messageId } = s.sendMessage({ channelId: s.textChannelId, content: `<@${s.botUserId}> What is SkyReels-V2?` });
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === messageId), 10_000);
    await s.waitFor(() => botAnswers(s, thread.id)[0], 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.channelMessages(channelId).filter((m) => m.author.id === s.botUserId)).toEqual([]);
    expect(parsedLogs(bot.logs).filter((l) => l.level === 'error')).toEqual([]);
    // Switched on (the default), the same DM is answered.
    await bot.handle.stop();
    await setup();
    const { text } = await dm(s, user, 'What is dataset decomposition?');
    expect(text).toMatch(/Dataset Decomposition/);
  });
});

describe('direct messages (with a model)', () => {
  it('a DM follow-up gives the model the earlier DM turn; once 20 newer messages pushed it out, it is gone', async () => {
    const question = 'What is dataset decomposition for training LLMs with variable sequence length?';
    const openai = await suite.openai({
      streamChunkDelayMs: 1,
      chatResponder: ({ messages }) =>
        /rewrite a follow-up/.test(messages[0]?.content ?? '')
          ? 'dataset decomposition second paper'
          : 'Dataset decomposition trains on same-length buckets cut from single documents [1]. A related paper is cited too [2].',
    });
    const { s, feedbackDir } = await setup({
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-test-key-123456',
      CHAT_MODEL: 'fake-chat',
      LLM_MAX_RETRIES: '0',
    });
    const user = userId();
    await dm(s, user, question);
    const cited = (await answers(feedbackDir))[0].citations.map((c: any) => c.title);
    expect(cited.length).toBe(2);
    const prompts = () =>
      openai.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body.messages.map((m: any) => m.content).join('\n'));

    openai.requests.length = 0;
    await dm(s, user, 'what about the second one?');
    const rewrite = prompts().find((p) => /rewrite a follow-up/.test(p));
    expect(rewrite).toContain(`User: ${question}`);
    expect(rewrite).toContain('Assistant (trimmed): Dataset decomposition trains on same-length buckets');
    expect(rewrite).toContain(`[2] ${cited[1]}`);
    expect((await answers(feedbackDir)).at(-1).sources[0]).toMatchObject({ title: cited[1], marker: 2 });

    // 20 newer messages (the bot's own, which it does not answer) push both turns out of the window.
    const channelId = s.dmChannelId(user);
    for (let k = 0; k < 20; k++) s.sendMessage({ channelId, authorId: s.botUserId, content: `note ${k}` });
    await s.waitFor(() => s.channelMessages(channelId).length >= 24);
    openai.requests.length = 0;
    await dm(s, user, 'and the first one?');
    expect(prompts().length).toBeGreaterThan(0);
    for (const p of prompts()) expect(p).not.toContain(question);
    expect((await answers(feedbackDir)).at(-1).kind).toBe('qa');
  });

  it('over the model-call cap a DM gets the busy notice in the DM; the others are answered', async () => {
    const answerText = `${'Dataset decomposition splits a corpus into buckets of sequences from single documents [1]. '.repeat(12)}`;
    const openai = await suite.openai({ streamChunkDelayMs: 15, chatResponder: () => answerText });
    const { s } = await setup(
      {
        OPENAI_BASE_URL: openai.url,
        OPENAI_API_KEY: 'sk-test-key-123456',
        CHAT_MODEL: 'fake-chat',
        LLM_MAX_RETRIES: '0',
        MAX_CONCURRENT_MODEL_CALLS: '1',
      },
      { maxQueued: 1 },
    );
    const users = [userId(), userId(), userId()];
    for (const u of users) s.sendMessage({ channelId: s.dmChannelId(u), authorId: u, content: 'What is dataset decomposition?' });
    // The busy notice itself: a queued DM's notice ("⏳ Queued: … all answer slots are busy") must not be taken for it.
    const busy = await s.waitFor(
      () =>
        users.find((u) =>
          s.channelMessages(s.dmChannelId(u)).some((m) => m.author.id === s.botUserId && /^The bot is busy/.test(m.content)),
        ),
      10_000,
    );
    const others = users.filter((u) => u !== busy);
    await s.waitFor(() => others.every((u) => botAnswers(s, s.dmChannelId(u)).length === 1), 20_000);
    for (const u of others) expect(botAnswers(s, s.dmChannelId(u))[0].content).toContain('Dataset decomposition splits a corpus');
    expect(botAnswers(s, s.dmChannelId(busy))).toEqual([]);
  });
});
