/**
 * End to end: the real discord.js client (through runBot) against the fake Discord server over
 * real sockets, offline answers (no chat model). Assertions are on what reached the server.
 */
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runBot, serveBot, type BotHandle } from '../../src/discord/bot.js';
import { commandData, registerCommands } from '../../src/discord/register.js';
import { createLogger } from '../../src/logger.js';
import { MEMBER_PERMISSIONS, startDiscordServer, type FakeDiscordServer } from '../servers/discord-server.js';
import {
  MANAGE_GUILD,
  answerMessages,
  botConfig,
  customIds,
  messageBodies,
  parsedLogs,
  readJsonl,
  userId,
  useBotSuite,
} from './harness.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gx7abc.super-secret-bot-token-value';

const allLogs: string[] = [];
const suite = useBotSuite({ stopTimeoutMs: 2000, discord: { token: TOKEN } });
const setup = (env: Record<string, string> = {}, opts: { feedbackDir?: string; indexDir?: string } = {}) =>
  suite.setup(env, { ...opts, logs: allLogs });

function ask(s: FakeDiscordServer, question: string, extra: { userId?: string; channelId?: string; private?: boolean } = {}) {
  return s.sendSlashCommand({
    name: 'ask',
    userId: extra.userId ?? userId(),
    channelId: extra.channelId,
    options: [{ name: 'question', type: 3, value: question }, ...(extra.private ? [{ name: 'private', type: 5, value: true }] : [])],
  });
}

describe('research-bot on Discord (offline answers)', () => {
  it('/ask: defers at once, answers with sources embed + buttons, opens a thread; a message in the thread is answered there using the history', async () => {
    const { s, bot, feedbackDir } = await setup();
    const question = 'What is dataset decomposition for training LLMs with variable sequence length?';
    const h = ask(s, question);
    const parts = await s.waitFor(() => answerMessages(s, h.token), 10_000);

    const [cb] = s.callbacks(h.interactionId);
    expect(cb.body).toMatchObject({ type: 5, data: { flags: 0 } });
    expect(cb.at - h.sentAt).toBeLessThan(3000);

    const original = parts[0];
    expect(original.content).toContain('**Q:** What is dataset decomposition');
    expect(original.content).toMatch(/\[1\]/);
    const last = parts.at(-1);
    expect(last.embeds[0].title).toBe('Sources');
    expect(last.embeds[0].description).toMatch(/\*\*\[1\]\*\* \[Dataset Decomposition/);
    const ids = customIds(last);
    expect(ids).toHaveLength(3);
    const answerId = ids[2].replace(/^src:/, '');
    expect(ids).toEqual([`fb:up:${answerId}`, `fb:down:${answerId}`, `src:${answerId}`]);
    for (const p of parts) expect(p.content.length).toBeLessThanOrEqual(2000);

    // The answer record is on disk before the buttons appeared.
    const records = await readJsonl(join(feedbackDir, 'answers.jsonl'));
    expect(records.find((r) => r.type === 'answer' && r.answerId === answerId)).toMatchObject({
      kind: 'ask',
      mode: 'extractive',
      question,
    });

    // A thread named after the question, started from the answer.
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === original.id));
    expect(thread.name).toBe(question.slice(0, 100));
    expect(thread.parent_id).toBe(s.textChannelId);

    // A follow-up posted in the thread is answered in the thread, with the first turn as history.
    const follow = s.sendMessage({ channelId: thread.id, content: 'How much faster is its training?' });
    const reply = await s.waitFor(
      () => s.channelMessages(thread.id).find((m) => m.author.id === s.botUserId && customIds(m).length === 3),
      10_000,
    );
    expect(reply.embeds[0].title).toBe('Sources');
    const answered = parsedLogs(bot.logs).filter((l) => l.msg === 'answered');
    const followLog = answered.find((l) => l.kind === 'followup');
    expect(followLog?.history).toBeGreaterThanOrEqual(1);
    const followRecord = (await readJsonl(join(feedbackDir, 'answers.jsonl'))).find((r) => r.type === 'answer' && r.kind === 'followup');
    // Offline rewrite: the follow-up query carries the earlier question's key terms.
    expect(followRecord.query.toLowerCase()).toMatch(/decomposition|dataset|sequence/);
    expect(followRecord.threadId).toBe(thread.id);
    const threadReplies = s.channelMessages(thread.id).filter((m) => m.author.id === s.botUserId && m.type !== 21);
    expect(threadReplies[0].message_reference?.message_id).toBe(follow.messageId);

    // /summarize without a topic inside the thread: a recap of its Q&A with citations.
    const recap = s.sendSlashCommand({ name: 'summarize', channelId: thread.id, userId: userId() });
    const recapParts = await s.waitFor(() => answerMessages(s, recap.token), 10_000);
    expect(recapParts[0].content).toContain('**Thread recap**');
    expect(recapParts[0].content).toContain('This thread has 2 answered questions');
    expect(recapParts[0].content).toMatch(/\[1\]/);
    expect(recapParts.at(-1).embeds[0].title).toBe('Sources cited in this thread');
  });

  it('/ask private: ephemeral answer and no thread; cooldown refusal is ephemeral; empty question is refused ephemerally', async () => {
    const { s } = await setup({ USER_COOLDOWN_SECONDS: '30' });
    const user = userId();
    const h = ask(s, 'What is SkyReels-V2 about?', { userId: user, private: true });
    const parts = await s.waitFor(() => answerMessages(s, h.token), 10_000);
    expect(s.callbacks(h.interactionId)[0].body).toMatchObject({ type: 5, data: { flags: 64 } });
    expect(parts[0].flags & 64).toBe(64);
    expect(s.threads()).toHaveLength(0);

    const again = ask(s, 'And what about infinite-length film generation?', { userId: user });
    await s.waitFor(() => s.callbacks(again.interactionId).length > 0);
    const cb = s.callbacks(again.interactionId)[0];
    expect(cb.body.type).toBe(4);
    expect(cb.body.data.flags).toBe(64);
    expect(cb.body.data.content).toMatch(/going a bit fast.*ask again in \d+ s/);
    expect(cb.at - again.sentAt).toBeLessThan(3000);

    const empty = ask(s, '<@123456789012345678> @everyone', { userId: userId() });
    await s.waitFor(() => s.callbacks(empty.interactionId).length > 0);
    expect(s.callbacks(empty.interactionId)[0].body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(s.callbacks(empty.interactionId)[0].body.data.content).toMatch(/Please ask a question/);
  });

  it('a follow-up typed during the cooldown is queued (⏳) and answered when the cooldown ends; a newer one replaces it (⏭️)', async () => {
    const { s } = await setup({ USER_COOLDOWN_SECONDS: '2' });
    const user = userId();
    const h = s.sendSlashCommand({
      name: 'ask',
      userId: user,
      options: [{ name: 'question', type: 3, value: 'What is dataset decomposition?' }],
    });
    await s.waitFor(() => answerMessages(s, h.token), 10_000);
    const askedAt = Date.now();
    const thread = await s.waitFor(() => s.threads()[0]);
    const first = s.sendMessage({ channelId: thread.id, content: 'how much faster is it?', authorId: user });
    const second = s.sendMessage({ channelId: thread.id, content: 'and what sequence lengths does it use?', authorId: user });
    const reactions = (mid: string) =>
      s.calls
        .filter((c) => c.method === 'PUT' && c.path.includes(`/messages/${mid}/reactions/`))
        .map((c) => decodeURIComponent(c.path.split('/')[6]));
    await s.waitFor(() => reactions(second.messageId).includes('⏳') || undefined, 5000);
    await s.waitFor(() => reactions(first.messageId).includes('⏭️') || undefined, 5000);
    const answer = await s.waitFor(
      () => s.channelMessages(thread.id).find((m) => m.author.id === s.botUserId && m.message_reference?.message_id === second.messageId),
      10_000,
    );
    expect(Date.now() - askedAt).toBeGreaterThanOrEqual(1500);
    expect(answer.content.length).toBeGreaterThan(0);
    // The superseded message is not answered separately.
    expect(s.channelMessages(thread.id).some((m) => m.message_reference?.message_id === first.messageId)).toBe(false);
  });

  it('mentions in a question never ping: every message body sent has allowed_mentions.parse = []', async () => {
    const { s } = await setup();
    const h = ask(s, '@everyone what is <@123> dataset decomposition <@&456> @here?');
    const parts = await s.waitFor(() => answerMessages(s, h.token), 10_000);
    const thread = await s.waitFor(() => s.threads()[0]);
    s.sendMessage({ channelId: thread.id, content: '<@&456> @everyone what about <@123> its training cost?' });
    await s.waitFor(() => s.channelMessages(thread.id).some((m) => m.author.id === s.botUserId && customIds(m).length === 3), 10_000);
    const err = s.sendSlashCommand({ name: 'summarize', userId: userId() }); // refusal path
    await s.waitFor(() => s.callbacks(err.interactionId).length > 0);
    const help = s.sendSlashCommand({ name: 'help', userId: userId() });
    await s.waitFor(() => s.callbacks(help.interactionId).length > 0);

    const bodies = messageBodies(s);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    for (const b of bodies) expect(b.body.allowed_mentions, `${b.method} ${b.path}`).toMatchObject({ parse: [] });
    const channelReplies = bodies.filter((b) => b.path.startsWith('/channels/'));
    for (const b of channelReplies) expect(b.body.allowed_mentions.replied_user ?? false).toBe(false);
    expect(parts[0].mention_everyone).toBe(false);
    expect(parts[0].mentions).toEqual([]);
    expect(thread.name).not.toMatch(/@everyone|<@/);
  });

  it('/search, /paper (with autocomplete), /similar, /help, /stats', async () => {
    const { s } = await setup();
    const search = s.sendSlashCommand({ name: 'search', options: [{ name: 'query', type: 3, value: 'video generation diffusion' }] });
    const searched = await s.waitFor(() => s.originalMessage(search.token)?.embeds?.length && s.originalMessage(search.token), 10_000);
    expect(searched.embeds[0].title).toBe('Top papers for "video generation diffusion"');
    const lines = searched.embeds[0].description.split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines[0]).toMatch(/^\*\*1\.\*\* \[.+\]\(https:\/\//);

    // Date options: the CLI's validator; a bad value is refused ephemerally, naming the option.
    const refusal = async (name: string, options: Array<{ name: string; type: number; value: string }>) => {
      const h = s.sendSlashCommand({ name, userId: userId(), options });
      await s.waitFor(() => s.callbacks(h.interactionId).length > 0);
      const cb = s.callbacks(h.interactionId)[0].body;
      expect(cb.type).toBe(4);
      expect(cb.data.flags).toBe(64);
      return cb.data.content as string;
    };
    const q = { name: 'query', type: 3, value: 'video generation diffusion' };
    expect(await refusal('search', [q, { name: 'from', type: 3, value: '2024-13-45' }])).toBe(
      'from must be a calendar date written YYYY-MM-DD, like 2024-01-31 (got "2024-13-45").',
    );
    expect(
      await refusal('ask', [
        { name: 'question', type: 3, value: 'What is dataset decomposition?' },
        { name: 'from', type: 3, value: '2024-02-01' },
        { name: 'to', type: 3, value: '2024-01-01' },
      ]),
    ).toBe('from 2024-02-01 is after to 2024-01-01: no date can match.');
    const late = s.sendSlashCommand({ name: 'search', options: [q, { name: 'from', type: 3, value: '2030-01-01' }] });
    const lateMsg = await s.waitFor(() => s.originalMessage(late.token)?.embeds?.length && s.originalMessage(late.token), 10_000);
    expect(lateMsg.embeds[0].description).toBe('No paper dated 2030-01-01 or later matches; without the date filter, some do.');

    const ac = s.sendAutocomplete({ name: 'paper', options: [{ name: 'title', type: 3, value: 'dataset decomp', focused: true }] });
    await s.waitFor(() => s.callbacks(ac.interactionId).length > 0);
    const acCb = s.callbacks(ac.interactionId)[0];
    expect(acCb.status).toBe(204);
    expect(acCb.at - ac.sentAt).toBeLessThan(1000);
    const choices = acCb.body.data.choices;
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    expect(choices[0].name).toMatch(/^Dataset Decomposition/);
    const wide = s.sendAutocomplete({ name: 'similar', options: [{ name: 'title', type: 3, value: 'a', focused: true }] });
    await s.waitFor(() => s.callbacks(wide.interactionId).length > 0);
    const wideChoices = s.callbacks(wide.interactionId)[0].body.data.choices;
    expect(wideChoices).toHaveLength(25);
    for (const c of wideChoices) expect(c.name.length).toBeLessThanOrEqual(100);

    const paper = s.sendSlashCommand({ name: 'paper', options: [{ name: 'title', type: 3, value: choices[0].value }] });
    const card = await s.waitFor(() => s.originalMessage(paper.token)?.embeds?.length && s.originalMessage(paper.token), 10_000);
    const embed = card.embeds[0];
    expect(embed.title).toMatch(/^Dataset Decomposition/);
    expect(embed.description).toMatch(/^> /);
    expect(embed.fields.map((f: any) => f.name)).toEqual(expect.arrayContaining(['Date', 'Links', 'Similar papers']));
    expect(embed.fields.find((f: any) => f.name === 'Similar papers').value.split('\n')).toHaveLength(5);

    const sim = s.sendSlashCommand({ name: 'similar', options: [{ name: 'title', type: 3, value: 'SkyReels-V2' }] });
    const simCard = await s.waitFor(() => s.originalMessage(sim.token)?.embeds?.length && s.originalMessage(sim.token), 10_000);
    expect(simCard.embeds[0].title).toBe('Papers similar to: SkyReels-V2: Infinite-length Film Generative Model');
    expect(simCard.embeds[0].description).toMatch(/^\*\*1\.\*\* \[/);

    // A URL written in the abstract is corpus text: listed apart, never as the paper's own link.
    const dp = s.sendSlashCommand({ name: 'paper', options: [{ name: 'title', type: 3, value: 'DropPos' }] });
    const dpCard = await s.waitFor(() => s.originalMessage(dp.token)?.embeds?.length && s.originalMessage(dp.token), 10_000);
    const field = (name: string) => dpCard.embeds[0].fields.find((f: any) => f.name === name)?.value ?? '';
    expect(dpCard.embeds[0].url).toMatch(/^https:\/\/arxiv\.org\/search\//);
    expect(field('Links')).not.toContain('github.com');
    expect(field('Mentioned in the abstract')).toContain('https://github.com/Haochen-Wang409/DropPos');

    const missing = s.sendSlashCommand({ name: 'paper', options: [{ name: 'title', type: 3, value: 'zzzz qqqq no such paper' }] });
    // A miss answers privately in the deferred reply itself (test/discord/paper-picks.test.ts covers suggestions).
    const missingMsg = await s.waitFor(() => {
      const m = s.originalMessage(missing.token);
      return m && !(m.flags & 128) && m.content ? m : undefined;
    }, 10_000);
    expect(missingMsg.flags & 64).toBe(64);
    expect(missingMsg.content).toMatch(/^No paper titled "zzzz qqqq no such paper"/);
    expect(missingMsg.content).not.toMatch(/at \w+ \(|\.ts:\d+/); // no stack trace

    const help = s.sendSlashCommand({ name: 'help' });
    await s.waitFor(() => s.callbacks(help.interactionId).length > 0);
    expect(s.callbacks(help.interactionId)[0].body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(s.callbacks(help.interactionId)[0].body.data.embeds[0].description).toContain('/ask');

    const stats = s.sendSlashCommand({ name: 'stats' });
    await s.waitFor(() => s.callbacks(stats.interactionId).length > 0);
    const fields = Object.fromEntries(s.callbacks(stats.interactionId)[0].body.data.embeds[0].fields.map((f: any) => [f.name, f.value]));
    expect(fields).toMatchObject({ Papers: '428', Chunks: '428', Retrieval: 'lexical' });
    expect(fields['Chat model']).toMatch(/^offline/);

    const topic = s.sendSlashCommand({ name: 'summarize', options: [{ name: 'topic', type: 3, value: 'video generation' }] });
    const summary = await s.waitFor(() => answerMessages(s, topic.token), 10_000);
    expect(summary[0].content).toContain('**Summary:** video generation');
    expect(summary[0].content).toMatch(/\[1\]/);
    const noTopic = s.sendSlashCommand({ name: 'summarize' });
    await s.waitFor(() => s.callbacks(noTopic.interactionId).length > 0);
    expect(s.callbacks(noTopic.interactionId)[0].body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(s.callbacks(noTopic.interactionId)[0].body.data.content).toMatch(/give a topic/);
  });

  it('survives a REST 429 on the defer and a 500 on the final edit; an expired interaction token is logged, not fatal', async () => {
    const { s, bot } = await setup();
    s.failNext({ method: 'POST', pathIncludes: '/callback' }, { status: 429, retryAfter: 0.3 });
    s.failNext({ method: 'PATCH', pathIncludes: '/messages/@original' }, { status: 500 });
    const h = ask(s, 'What is dataset decomposition?');
    const parts = await s.waitFor(() => answerMessages(s, h.token), 10_000);
    expect(s.callbacks(h.interactionId).map((c) => c.status)).toEqual([429, 204]);
    expect(s.calls.filter((c) => c.method === 'PATCH' && c.path.includes(h.token)).map((c) => c.status)).toEqual([500, 200]);
    expect(parts[0].content).toMatch(/\[1\]/);

    // Interaction token expired (Discord answers 404 / 10015 after 15 minutes).
    s.failNext(
      { method: 'PATCH', pathIncludes: '/messages/@original' },
      { status: 404, body: { message: 'Unknown Webhook', code: 10015 } },
    );
    const expired = ask(s, 'What is SkyReels-V2?');
    await s.waitFor(() => parsedLogs(bot.logs).some((l) => l.level === 'warn' && /token expired/.test(l.msg)), 10_000);
    expect(s.calls.some((c) => c.injected && c.path.includes(expired.token))).toBe(true);

    // Still answering.
    const next = ask(s, 'What does CoLLAP do for language-audio pretraining?');
    const nextParts = await s.waitFor(() => answerMessages(s, next.token), 10_000);
    expect(nextParts[0].content).toMatch(/CoLLAP/);
  });

  it('gateway dropped: the bot resumes and answers the next command', async () => {
    const { s } = await setup();
    s.dropGateway();
    const during = ask(s, 'What is SkyReels-V2?');
    const parts = await s.waitFor(() => answerMessages(s, during.token), 10_000);
    expect(parts[0].content).toMatch(/SkyReels/);
    s.dropGateway(4000);
    await new Promise((r) => setTimeout(r, 300));
    const after = ask(s, 'What is dataset decomposition?');
    const afterParts = await s.waitFor(() => answerMessages(s, after.token), 10_000);
    expect(afterParts[0].content).toMatch(/Dataset Decomposition/);
    expect(s.gatewayEvents.filter((e) => e.op === 6).length).toBeGreaterThanOrEqual(1);
  });

  it('/reindex: refused (ephemeral) without Manage Server; with it, re-ingests while /ask keeps answering, then swaps', async () => {
    const ownIndex = await suite.buildIndex();
    const { s, bot, feedbackDir } = await setup({}, { indexDir: ownIndex });
    const genBefore = bot.handle.context.retriever().store.generation;

    const denied = s.sendSlashCommand({ name: 'reindex', userId: userId() });
    await s.waitFor(() => s.callbacks(denied.interactionId).length > 0);
    const deniedCb = s.callbacks(denied.interactionId)[0];
    expect(deniedCb.body.type).toBe(4);
    expect(deniedCb.body.data.flags).toBe(64);
    expect(deniedCb.body.data.content).toMatch(/Manage Server/);
    expect(bot.handle.context.retriever().store.generation).toBe(genBefore);

    const admin = (BigInt(MEMBER_PERMISSIONS) | MANAGE_GUILD).toString();
    const r = s.sendSlashCommand({
      name: 'reindex',
      userId: userId(),
      permissions: admin,
      options: [{ name: 'force', type: 5, value: true }],
    });
    // Asked while the re-index runs: answered from the old index, without waiting for it.
    await s.waitFor(() => bot.handle.context.reindexing !== undefined);
    const q = ask(s, 'What is dataset decomposition?');
    const parts = await s.waitFor(() => answerMessages(s, q.token), 10_000);
    expect(parts[0].content).toMatch(/Dataset Decomposition/);
    const done = await s.waitFor(() => (s.originalMessage(r.token)?.content ? s.originalMessage(r.token) : undefined), 20_000);
    expect(s.callbacks(r.interactionId)[0].body).toMatchObject({ type: 5, data: { flags: 64 } });
    expect(done.content).toMatch(/Re-indexed 428 papers/);
    // It ran in the worker thread (which validates the configuration it is handed), not the fallback.
    expect(bot.logs.some((l) => l.includes('reindex worker could not start'))).toBe(false);
    const editAt = (token: string) => s.calls.filter((c) => c.method === 'PATCH' && c.path.includes(token) && c.status === 200).at(-1)!.at;
    expect(editAt(q.token)).toBeLessThanOrEqual(editAt(r.token));
    const genAfter = bot.handle.context.retriever().store.generation;
    expect(genAfter).not.toBe(genBefore);
    const records = await readJsonl(join(feedbackDir, 'answers.jsonl'));
    const answerId = customIds(parts.at(-1))[2].slice(4);
    expect(records.find((x) => x.answerId === answerId && x.type === 'answer').indexGeneration).toBe(genBefore);

    const after = ask(s, 'What is SkyReels-V2?');
    const afterParts = await s.waitFor(() => answerMessages(s, after.token), 10_000);
    expect(afterParts[0].content).toMatch(/SkyReels/);
    const afterId = customIds(afterParts.at(-1))[2].slice(4);
    const records2 = await readJsonl(join(feedbackDir, 'answers.jsonl'));
    expect(records2.find((x) => x.answerId === afterId && x.type === 'answer').indexGeneration).toBe(genAfter);
  });

  it("feedback is durable; after a restart on the same FEEDBACK_DIR the old answer's Sources button still works", async () => {
    const first = await setup();
    const s = first.s;
    const h = ask(s, 'What is dataset decomposition?');
    const parts = await s.waitFor(() => answerMessages(s, h.token), 10_000);
    const last = parts.at(-1);
    const [up, , src] = customIds(last);
    const voter = userId();
    const click = s.sendButton({ customId: up, messageId: last.id, userId: voter });
    await s.waitFor(() => s.callbacks(click.interactionId).length > 0);
    expect(s.callbacks(click.interactionId)[0].body).toMatchObject({ type: 4, data: { flags: 64 } });
    // Acknowledged means on disk.
    const votes = await readJsonl(join(first.feedbackDir, 'feedback.jsonl'));
    const answerId = up.split(':')[2];
    expect(votes).toEqual([
      expect.objectContaining({ type: 'vote', answerId, userId: voter, vote: 'up', question: 'What is dataset decomposition?' }),
    ]);
    expect(Date.parse(votes[0].time)).toBeGreaterThan(Date.now() - 60_000);

    // Restart: a brand-new bot instance on the same feedback dir.
    await first.bot.handle.stop();
    const second = await setup({}, { feedbackDir: first.feedbackDir });
    expect(second.bot.handle.context).not.toBe(first.bot.handle.context);
    const srcClick = s.sendButton({ customId: src, messageId: last.id, userId: userId() });
    await s.waitFor(() => s.callbacks(srcClick.interactionId).length > 0);
    const cb = s.callbacks(srcClick.interactionId)[0];
    expect(cb.body.type).toBe(4);
    expect(cb.body.data.flags).toBe(64);
    expect(cb.body.data.content).toContain('**Sources for:** What is dataset decomposition?');
    expect(cb.body.data.content).toMatch(/\*\*\[1\]\*\* Dataset Decomposition/);
    const down = s.sendButton({ customId: `fb:down:${answerId}`, messageId: last.id, userId: voter });
    await s.waitFor(() => s.callbacks(down.interactionId).length > 0);
    // 👎 answers with the "what was wrong?" form (test/discord/feedback-modal.test.ts); its vote is written beside the form.
    expect(s.callbacks(down.interactionId)[0].body.type).toBe(9);
    await second.bot.handle.context.store.flush();
    const votes2 = await readJsonl(join(first.feedbackDir, 'feedback.jsonl'));
    expect(votes2.map((v) => v.vote)).toEqual(['up', 'down']);
    expect(votes2[1].question).toBe('What is dataset decomposition?');
    // One vote per user per answer, across the restart: the 👎 replaced the 👍, and repeating a vote counts nothing.
    expect(votes2[1].replaces).toBe('up');
    const back = s.sendButton({ customId: up, messageId: last.id, userId: voter });
    await s.waitFor(() => s.callbacks(back.interactionId).length > 0);
    expect(s.callbacks(back.interactionId)[0].body.data.content).toMatch(/now 👍 \(it replaces your 👎\)/);
    const again = s.sendButton({ customId: up, messageId: last.id, userId: voter });
    await s.waitFor(() => s.callbacks(again.interactionId).length > 0);
    expect(s.callbacks(again.interactionId)[0].body.data.content).toMatch(/already gave this answer a 👍/);
    expect(await readJsonl(join(first.feedbackDir, 'feedback.jsonl'))).toHaveLength(3);

    const unknown = s.sendButton({ customId: 'src:zzzzzzzzzz', userId: userId() });
    await s.waitFor(() => s.callbacks(unknown.interactionId).length > 0);
    expect(s.callbacks(unknown.interactionId)[0].body.data.content).toMatch(/no longer have the sources/);
  });

  it('Q&A channel: a plain message gets a thread and an answer there; THREAD_FOLLOWUPS=false turns follow-ups (and MessageContent) off', async () => {
    const server = await suite.discord();
    const { s, bot } = await setup({ QA_CHANNEL_IDS: server.textChannelId });
    const { messageId } = s.sendMessage({ channelId: s.textChannelId, content: 'What is dataset decomposition?' });
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === messageId), 10_000);
    expect(thread.name).toBe('What is dataset decomposition?');
    await s.waitFor(() => s.channelMessages(thread.id).find((m) => m.author.id === s.botUserId && customIds(m).length === 3), 10_000);
    const answerParts = s.channelMessages(thread.id).filter((m) => m.author.id === s.botUserId);
    expect(answerParts[0].content).toMatch(/Dataset Decomposition/);
    for (const p of answerParts) expect(p.content.length).toBeLessThanOrEqual(2000);
    await bot.handle.stop();
    await server.close();

    await suite.discord({ fresh: true });
    const off = await setup({ THREAD_FOLLOWUPS: 'false' });
    const identify = off.s.gatewayEvents.find((e) => e.op === 2);
    // No privileged intent: Message Content off; guild messages (for mentions and the hint) on.
    expect(identify!.d.intents & (1 << 15)).toBe(0);
    expect(identify!.d.intents & (1 << 9)).not.toBe(0);
    const h = ask(off.s, 'What is SkyReels-V2?');
    await off.s.waitFor(() => answerMessages(off.s, h.token), 10_000);
    const t = await off.s.waitFor(() => off.s.threads()[0]);
    const botReplies = () => off.s.channelMessages(t.id).filter((m) => m.author.id === off.s.botUserId && m.type !== 21);
    // A typed follow-up is not read, but the first one gets a one-line hint (and only the first).
    off.s.sendMessage({ channelId: t.id, content: 'what about its resolution?' });
    const hint = await off.s.waitFor(() => botReplies()[0], 5000);
    expect(hint.content).toMatch(/use `\/ask` in this thread/);
    off.s.sendMessage({ channelId: t.id, content: 'and its frame rate?' });
    await new Promise((r) => setTimeout(r, 400));
    expect(botReplies()).toHaveLength(1);
    // A mention's text arrives without the privileged intent: answered like /ask.
    off.s.sendMessage({ channelId: t.id, content: `<@${off.s.botUserId}> what resolution does SkyReels-V2 generate?` });
    await off.s.waitFor(() => botReplies().find((m) => customIds(m).length === 3), 10_000);
  });

  it('@research-bot in any channel it can read gets a thread and an answer there', async () => {
    const { s } = await setup();
    const { messageId } = s.sendMessage({ channelId: s.textChannelId, content: `<@${s.botUserId}> What is dataset decomposition?` });
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === messageId), 10_000);
    expect(thread.name).toBe('What is dataset decomposition?');
    await s.waitFor(() => s.channelMessages(thread.id).find((m) => m.author.id === s.botUserId && customIds(m).length === 3), 10_000);
    const answerText = (id: string) =>
      s
        .channelMessages(id)
        .filter((m) => m.author.id === s.botUserId)
        .map((m) => m.content)
        .join('\n');
    expect(answerText(thread.id)).toMatch(/Dataset Decomposition/);
    // A plain message there, without the mention, is left alone (the channel is not a Q&A channel).
    s.sendMessage({ channelId: s.textChannelId, content: 'lunch anyone?' });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.threads()).toHaveLength(1);
  });

  it("@research-bot in reply to someone's question: alone it asks that question, with words it follows it up; a bare mention is told how to ask", async () => {
    const { s } = await setup();
    const bot = s.botUserId;
    const botText = (channelId: string) =>
      s
        .channelMessages(channelId)
        .filter((m) => m.author.id === bot)
        .map((m) => m.content)
        .join('\n');
    // The answer's last part carries the sources embed and the buttons; its first source, in the embed.
    const firstSource = async (channelId: string) => {
      const last = await s.waitFor(
        () => s.channelMessages(channelId).find((m) => m.author.id === bot && customIds(m).length === 3),
        10_000,
      );
      return last.embeds[0].description.split('\n')[0];
    };
    const asked = s.sendMessage({ channelId: s.textChannelId, content: 'What is dataset decomposition?', authorId: userId() });

    // "@research-bot" alone under the question: the question replied to is what is asked.
    const alone = s.sendMessage({ channelId: s.textChannelId, content: `<@${bot}>`, replyTo: asked.messageId });
    const first = await s.waitFor(() => s.threads().find((t) => t.id === alone.messageId), 10_000);
    expect(first.name).toBe('What is dataset decomposition?');
    expect(await firstSource(first.id)).toMatch(/^\*\*\[1\]\*\* \[Dataset Decomposition/);
    expect(botText(first.id)).toMatch(/Dataset Decomposition/);

    // With words of its own, the reply follows the question up: alone, "what does it cost to train?" finds vTrain first.
    const follow = s.sendMessage({
      channelId: s.textChannelId,
      content: `<@${bot}> what does it cost to train?`,
      replyTo: asked.messageId,
    });
    const second = await s.waitFor(() => s.threads().find((t) => t.id === follow.messageId), 10_000);
    expect(second.name).toBe('What is dataset decomposition?');
    expect(await firstSource(second.id)).toMatch(/^\*\*\[1\]\*\* \[Dataset Decomposition/);

    // A bare mention with nothing replied to asks nothing: one reply says how to ask, and no thread is opened.
    const bare = s.sendMessage({ channelId: s.textChannelId, content: `<@${bot}>  ` });
    const hint = await s.waitFor(
      () => s.channelMessages(s.textChannelId).find((m) => m.author.id === bot && m.message_reference?.message_id === bare.messageId),
      5000,
    );
    expect(hint.content).toMatch(/Ask me a question after the mention/);
    expect(s.threads().some((t) => t.id === bare.messageId)).toBe(false);
    // Under a message the bot cannot read (no text reaches it without the Message Content intent), it says so.
    const unread = s.sendMessage({ channelId: s.textChannelId, content: '', authorId: userId() });
    const under = s.sendMessage({ channelId: s.textChannelId, content: `<@${bot}>`, replyTo: unread.messageId });
    const told = await s.waitFor(
      () => s.channelMessages(s.textChannelId).find((m) => m.author.id === bot && m.message_reference?.message_id === under.messageId),
      5000,
    );
    expect(told.content).toMatch(/can't read the message you replied to/);
  });

  it('builds the index at start when it is missing (progress in the log), before logging in', async () => {
    const emptyIndex = await suite.tempDir('noindex');
    const { s, bot } = await setup({}, { indexDir: emptyIndex });
    const all = parsedLogs(bot.logs); // shared by the tests in this file: look after this bot's start
    const built = all.findIndex((l) => l.msg === 'no index yet: building it from the corpus' && l.indexDir === emptyIndex);
    expect(built).toBeGreaterThanOrEqual(0);
    const logs = all.slice(built);
    const complete = logs.findIndex((l) => l.msg === 'ingest complete' && l.papers === 428);
    const ready = logs.findIndex((l) => l.msg === 'bot ready');
    expect(complete).toBeGreaterThan(0);
    expect(ready).toBeGreaterThan(complete);
    const stats = s.sendSlashCommand({ name: 'stats' });
    await s.waitFor(() => s.callbacks(stats.interactionId).length > 0);
    expect(s.callbacks(stats.interactionId)[0].body.data.embeds[0].fields[0]).toMatchObject({ name: 'Papers', value: '428' });
  });

  it('registerCommands: guild-scoped with DISCORD_GUILD_ID, global otherwise', async () => {
    const s = await suite.discord();
    const logs: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (l) => (logs.push(l), allLogs.push(l)) });
    const dirsFor = { indexDir: suite.indexDir, feedbackDir: await suite.tempDir('feedback') };
    const guild = await registerCommands(botConfig(s, dirsFor, { DISCORD_GUILD_ID: s.guildId }), logger);
    expect(guild).toMatchObject({ scope: 'guild', guildId: s.guildId });
    // Which commands there are is asserted once, in units.test.ts (commandData); here, that all of them are registered.
    expect(s.commands(s.guildId).map((c) => c.name)).toEqual(commandData().map((c) => c.name));
    const global = await registerCommands(botConfig(s, dirsFor), logger);
    expect(global.scope).toBe('global');
    expect(s.commands().map((c) => c.name)).toEqual(commandData().map((c) => c.name));
    const put = s.calls.filter((c) => c.method === 'PUT');
    expect(put.map((c) => c.path)).toEqual([
      `/applications/${s.applicationId}/guilds/${s.guildId}/commands`,
      `/applications/${s.applicationId}/commands`,
    ]);
    expect(put.every((c) => c.authorized)).toBe(true);
    await expect(registerCommands(loadConfig({ DISCORD_TOKEN: TOKEN }), logger)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('registerCommands: a rejected token is CONFIG_INVALID; Discord failing or unreachable is UPSTREAM', async () => {
    const s = await suite.discord();
    const dirsFor = { indexDir: suite.indexDir, feedbackDir: await suite.tempDir('feedback') };
    const logger = createLogger({ level: 'debug', sink: (l) => allLogs.push(l) });
    await expect(
      registerCommands(botConfig(s, dirsFor, { DISCORD_TOKEN: 'MTIz.wrong.token-value-for-register' }), logger),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      userMessage: 'Registering the slash commands failed: the token was rejected.',
    });
    s.failNext({ method: 'PUT', pathIncludes: '/commands' }, { status: 503 }, 10);
    await expect(registerCommands(botConfig(s, dirsFor), logger)).rejects.toMatchObject({
      code: 'UPSTREAM',
      userMessage: 'Registering the slash commands failed: Discord answered HTTP 503.',
    });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      registerCommands(botConfig(s, dirsFor, { DISCORD_API_URL: `http://127.0.0.1:${port}/api` }), logger),
    ).rejects.toMatchObject({
      code: 'UPSTREAM',
      userMessage: 'Registering the slash commands failed: Discord answered ECONNREFUSED.',
    });
  }, 30_000);

  it('start-up failures are one clear error and leave nothing running: gateway timeout UPSTREAM, refused intent CONFIG_INVALID', async () => {
    const s = await suite.discord();
    const feedbackDir = await suite.tempDir('feedback');
    const logger = createLogger({ level: 'debug', sink: (l) => allLogs.push(l) });
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => void rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      await expect(runBot(botConfig(s, { indexDir: suite.indexDir, feedbackDir }), logger, { readyTimeoutMs: 1 })).rejects.toMatchObject({
        code: 'UPSTREAM',
        userMessage: 'Timed out waiting for the Discord gateway to become ready.',
      });
      const strict = await startDiscordServer({ heartbeatIntervalMs: 250, token: TOKEN, allowedPrivilegedIntents: 0 });
      try {
        await expect(runBot(botConfig(strict, { indexDir: suite.indexDir, feedbackDir }), logger)).rejects.toMatchObject({
          code: 'CONFIG_INVALID',
          userMessage: expect.stringMatching(/^Discord refused the Message Content intent/),
        });
        expect(strict.sessionCount()).toBe(0);
      } finally {
        await strict.close();
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('serveBot: SIGTERM stops the bot cleanly and resolves with exit code 0', async () => {
    const s = await suite.discord();
    const feedbackDir = await suite.tempDir('feedback');
    const signals = new EventEmitter();
    const logger = createLogger({ level: 'debug', sink: (l) => allLogs.push(l) });
    let handle: BotHandle | undefined;
    const code = serveBot(botConfig(s, { indexDir: suite.indexDir, feedbackDir }), logger, {
      process: signals,
      onReady: (h) => (handle = h),
    });
    await s.waitFor(() => handle);
    const h = ask(s, 'What is dataset decomposition?');
    await s.waitFor(() => answerMessages(s, h.token), 10_000);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await code).toBe(0);
    expect(handle!.client.isReady()).toBe(false);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(s.sessionCount()).toBe(0);
  });

  it('serveBot: SIGINT while the bot is still starting stops it cleanly once it is up (exit code 0)', async () => {
    const s = await suite.discord();
    const feedbackDir = await suite.tempDir('feedback');
    const signals = new EventEmitter();
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (l) => (allLogs.push(l), lines.push(l)) });
    let handle: BotHandle | undefined;
    const code = serveBot(botConfig(s, { indexDir: suite.indexDir, feedbackDir }), logger, {
      process: signals,
      onReady: (h) => (handle = h),
    });
    // Before login has even started: the signal must not be lost, nor kill the start-up midway.
    expect(signals.listenerCount('SIGINT')).toBe(1);
    signals.emit('SIGINT', 'SIGINT');
    expect(await code).toBe(0);
    expect(handle).toBeDefined();
    expect(handle!.client.isReady()).toBe(false);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(lines.some((l) => l.includes('"msg":"bot stopped"'))).toBe(true);
    expect(s.sessionCount()).toBe(0);
  });

  it('never writes the bot token to a log line (all tests above)', () => {
    expect(allLogs.length).toBeGreaterThan(50);
    expect(allLogs.some((l) => l.includes('"level":"error"') || l.includes('"level":"warn"'))).toBe(true);
    expect(allLogs.filter((l) => l.includes(TOKEN) || l.includes('super-secret-bot-token'))).toEqual([]);
  });
});
