/**
 * 👎 asks what was wrong: the click records the vote and opens a form (MODAL) as its one response;
 * the submitted note is stored with the vote in feedback.jsonl, cleaned and bounded, and `/gaps` and
 * `research-bot gaps` show it next to the question. Real discord.js (through runBot) against the test
 * Discord server, offline answers.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_NOTE_CHARS } from '../../src/discord/feedback.js';
import { runCli, useOfflineCliEnv } from '../helpers/cli.js';
import { MEMBER_PERMISSIONS, type FakeDiscordServer } from '../servers/discord-server.js';
import { CORPUS_DIR, MANAGE_GUILD, answerMessages, customIds, readJsonl, userId, useBotSuite } from './harness.js';

const ADMIN = (BigInt(MEMBER_PERMISSIONS) | MANAGE_GUILD).toString();
const QUESTION = 'How does dataset decomposition speed up LLM training?';

const suite = useBotSuite({ stopTimeoutMs: 2000 });

useOfflineCliEnv();

/** An /ask answered; its last message (the one with the buttons) and answer id. */
async function answered(s: FakeDiscordServer, question = QUESTION) {
  const h = s.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: question }] });
  const parts = await s.waitFor(() => answerMessages(s, h.token), 20_000);
  const last = parts.at(-1);
  const down = customIds(last).find((c) => c.startsWith('fb:down:'))!;
  return { message: last, down, up: down.replace('fb:down:', 'fb:up:'), answerId: down.slice('fb:down:'.length) };
}

async function firstCallback(s: FakeDiscordServer, h: { interactionId: string }) {
  await s.waitFor(() => s.callbacks(h.interactionId).length > 0, 5000);
  return s.callbacks(h.interactionId)[0];
}

async function gapsText(s: FakeDiscordServer): Promise<string> {
  const h = s.sendSlashCommand({ name: 'gaps', userId: userId(), permissions: ADMIN });
  const m = await s.waitFor(() => {
    const o = s.originalMessage(h.token);
    return o && !(o.flags & (1 << 7)) ? o : undefined;
  }, 20_000);
  return m.content as string;
}

describe('👎 asks what was wrong', () => {
  it('the click answers with the form within 3 s and records the vote; the submitted note is stored with it and shown by /gaps and the CLI', async () => {
    const { s, bot, feedbackDir } = await suite.setup();
    const a = await answered(s);
    const voter = userId();
    const click = s.sendButton({ customId: a.down, messageId: a.message.id, userId: voter });
    const cb = await firstCallback(s, click);
    expect(cb.status).toBe(204);
    expect(cb.at - click.sentAt).toBeLessThan(3000);
    expect(cb.body).toEqual({
      type: 9,
      data: {
        custom_id: `fbnote:${a.answerId}`,
        title: 'Thanks for the 👎',
        components: [
          {
            type: 18,
            label: 'What was wrong or missing?',
            description: 'Optional. E.g. a wrong or missing paper, wrong numbers, off-topic, too vague.',
            component: {
              type: 4,
              custom_id: 'note',
              style: 2,
              required: false,
              max_length: MAX_NOTE_CHARS,
              placeholder: expect.any(String),
            },
          },
        ],
      },
    });
    // The vote does not wait for the form: it is on disk before anything is typed.
    await bot.handle.context.store.flush();
    expect(await readJsonl(join(feedbackDir, 'feedback.jsonl'))).toEqual([
      expect.objectContaining({ type: 'vote', answerId: a.answerId, userId: voter, vote: 'down', question: QUESTION }),
    ]);

    // Control characters and bidi overrides go; line breaks stay (at most one blank line); the length is bounded.
    const typed = `It cites the wrong paper\u0000 for FID\u202e numbers.\r\n\n\n\nMissing: the ADM paper.\t${'x'.repeat(600)}`;
    const submit = s.submitModal({ interactionId: click.interactionId, values: { note: typed.slice(0, MAX_NOTE_CHARS) } });
    const ack = await firstCallback(s, submit);
    expect(ack.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(ack.body.data.content).toMatch(/your note was saved with your 👎/);
    const lines = await readJsonl(join(feedbackDir, 'feedback.jsonl'));
    expect(lines).toHaveLength(2);
    const note = lines[1];
    expect(note).toMatchObject({ type: 'note', answerId: a.answerId, userId: voter, guildId: s.guildId });
    expect(note.note.startsWith('It cites the wrong paper for FID numbers.\n\nMissing: the ADM paper. xxx')).toBe(true);
    expect([...note.note].filter((ch) => ch !== '\n' && (ch < ' ' || ch === '\u202e'))).toEqual([]);
    expect([...note.note].length).toBeLessThanOrEqual(MAX_NOTE_CHARS);

    const gaps = await gapsText(s);
    expect(gaps).toMatch(/1\. “How does dataset decomposition speed up LLM training\?” — 1× \(1 downvoted\)/);
    expect(gaps).toContain('👎 “It cites the wrong paper for FID numbers. Missing: the ADM paper. xxx');

    process.env.INDEX_DIR = suite.indexDir;
    process.env.CORPUS_DIR = CORPUS_DIR;
    process.env.FEEDBACK_DIR = feedbackDir;
    const cli = await runCli('gaps');
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^1\. "How does dataset decomposition speed up LLM training\?" {2}\(1× — 1 downvoted;/m);
    expect(cli.out).toContain('👎 note: "It cites the wrong paper for FID numbers.\\n\\nMissing: the ADM paper. xxx');
    const json = JSON.parse((await runCli('gaps', '--json')).out);
    expect(json.gaps[0].notes).toEqual([{ note: note.note, time: note.time, question: QUESTION }]);
  }, 60_000);

  it('a dismissed form keeps the vote; a second 👎 counts once but may still add a note; a later 👍 takes the note out of /gaps', async () => {
    const { s, feedbackDir, bot } = await suite.setup();
    const a = await answered(s);
    const voter = userId();
    const click = s.sendButton({ customId: a.down, messageId: a.message.id, userId: voter });
    expect((await firstCallback(s, click)).body.type).toBe(9);
    // The user closes the form: Discord sends nothing. The vote stands, now and after a restart.
    await bot.handle.stop({ timeoutMs: 2000 });
    const second = await suite.setup({}, { feedbackDir });
    expect(await readJsonl(join(feedbackDir, 'feedback.jsonl'))).toEqual([
      expect.objectContaining({ type: 'vote', answerId: a.answerId, userId: voter, vote: 'down' }),
    ]);
    expect(await gapsText(s)).toMatch(/“How does dataset decomposition speed up LLM training\?” — 1× \(1 downvoted\)/);

    // The same user's second 👎: the form again, no second vote.
    const again = s.sendButton({ customId: a.down, messageId: a.message.id, userId: voter });
    expect((await firstCallback(s, again)).body.type).toBe(9);
    const submit = s.submitModal({ interactionId: again.interactionId, values: { note: 'Off-topic: I asked about GANs.' } });
    expect((await firstCallback(s, submit)).body.data.content).toMatch(/your note was saved/);
    await second.bot.handle.context.store.flush();
    const lines = await readJsonl(join(feedbackDir, 'feedback.jsonl'));
    expect(lines.filter((l) => l.type === 'vote')).toHaveLength(1);
    expect(lines.filter((l) => l.type === 'note').map((l) => l.note)).toEqual(['Off-topic: I asked about GANs.']);
    expect(await gapsText(s)).toContain('👎 “Off-topic: I asked about GANs.”');

    // An empty form is fine: the vote is the feedback.
    const other = userId();
    const otherClick = s.sendButton({ customId: a.down, messageId: a.message.id, userId: other });
    await firstCallback(s, otherClick);
    const empty = s.submitModal({ interactionId: otherClick.interactionId });
    expect((await firstCallback(s, empty)).body.data.content).toMatch(/your vote was recorded \(no note\)/);

    // 👍 from the first voter replaces the 👎 (still one vote per user) and their note leaves /gaps.
    const up = s.sendButton({ customId: a.up, messageId: a.message.id, userId: voter });
    expect((await firstCallback(s, up)).body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(s.callbacks(up.interactionId)[0].body.data.content).toMatch(/now 👍 \(it replaces your 👎\)/);
    const gaps = await gapsText(s);
    expect(gaps).toMatch(/— 1× \(1 downvoted\)/); // the other user's 👎 still counts
    expect(gaps).not.toContain('Off-topic: I asked about GANs.');
    const votes = (await readJsonl(join(feedbackDir, 'feedback.jsonl'))).filter((l) => l.type === 'vote');
    expect(votes.map((v) => [v.userId === voter ? 'voter' : 'other', v.vote, v.replaces])).toEqual([
      ['voter', 'down', undefined],
      ['other', 'down', undefined],
      ['voter', 'up', 'down'],
    ]);
  }, 60_000);
});
