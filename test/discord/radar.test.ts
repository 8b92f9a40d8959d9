/**
 * The paper radar end to end through the real discord.js client against the fake Discord server:
 * /watch add|list|remove with their permission checks, a digest in the watching channel after an
 * ingest (/reindex, then a CLI-style ingest picked up by the index refresh), none in a channel
 * whose topics match nothing, none again after a restart, /digest, and /gaps after an abstention.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import { FileRadarStore } from '../../src/radar/file-store.js';
import { MEMBER_PERMISSIONS, type FakeDiscordServer } from '../servers/discord-server.js';
import { addNewPapers, PROTEIN, SPEC_B, writeBaseCorpus } from '../radar/fixtures.js';
import { answerMessages, botConfig, customIds, MANAGE_GUILD, userId, useBotSuite } from './harness.js';

const MANAGE_CHANNELS = 1n << 4n;
const member = MEMBER_PERMISSIONS;
const channelManager = (BigInt(MEMBER_PERMISSIONS) | MANAGE_CHANNELS).toString();
const admin = (BigInt(MEMBER_PERMISSIONS) | MANAGE_GUILD).toString();
const LATER_SPEC = 'EAGLE: Speculative Decoding at the Feature Level';

const suite = useBotSuite({ stopTimeoutMs: 2000, index: false });

async function command(
  s: FakeDiscordServer,
  name: string,
  opts: { options?: any[]; permissions?: string; roles?: string[]; channelId?: string; guildId?: string } = {},
) {
  const h = s.sendSlashCommand({ name, userId: userId(), permissions: member, ...opts });
  const msg = await s.waitFor(() => {
    const m = s.originalMessage(h.token);
    return m && !(m.flags & (1 << 7)) ? m : undefined;
  }, 20_000);
  return msg as { content: string; flags: number };
}

const sub = (name: string, options: any[] = []) => [{ name, type: 1, options }];
const str = (name: string, value: string) => ({ name, type: 3, value });
/** Messages the bot posted in a channel (not interaction replies). */
const botPosts = (s: FakeDiscordServer, channelId: string) =>
  s.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${channelId}/messages` && c.status === 200);

describe('paper radar through discord.js', () => {
  it('watches, one digest per ingest in the matching channel only, nothing again after a restart, /digest, removal', async () => {
    const corpusDir = await suite.tempDir('radar-corpus');
    const indexDir = await suite.tempDir('radar-index');
    const feedbackDir = await suite.tempDir('radar-feedback');
    await writeBaseCorpus(corpusDir);
    await runIngest(loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }), {});
    const s = await suite.discord({ guilds: 2 });
    const [chanA, chanB] = s.textChannelIds;
    const [guildA, guildB] = s.guildIds;
    const config = botConfig(s, { indexDir, feedbackDir }, { CORPUS_DIR: corpusDir, INDEX_REFRESH_SECONDS: '1' });
    let bot = await suite.startBot(config);

    // Permission refusals: a plain member can neither add nor list.
    const refused = await command(s, 'watch', { options: sub('add', [str('topic', 'speculative decoding')]), channelId: chanA });
    expect(refused.content).toMatch(/Manage Channels/);
    expect(refused.flags & 64).toBe(64);
    expect((await command(s, 'watch', { options: sub('list'), channelId: chanA })).content).toMatch(/Manage Channels/);
    expect(await new FileRadarStore(indexDir).listWatches()).toEqual([]);

    const added = await command(s, 'watch', {
      options: sub('add', [str('topic', 'speculative decoding')]),
      permissions: channelManager,
      channelId: chanA,
    });
    expect(added.content).toMatch(/^Watching \*\*speculative decoding\*\* here/);
    expect(added.flags & 64).toBe(64);
    const again = await command(s, 'watch', {
      options: sub('add', [str('topic', 'Speculative Decoding')]),
      permissions: channelManager,
      channelId: chanA,
    });
    expect(again.content).toMatch(/already watches/);
    await command(s, 'watch', {
      options: sub('add', [str('topic', 'robot grasping')]),
      permissions: channelManager,
      channelId: chanB,
      guildId: guildB,
    });
    const listA = await command(s, 'watch', { options: sub('list'), permissions: channelManager, channelId: chanA });
    expect(listA.content).toMatch(/This channel watches:\*\*\n• `[0-9a-f]{8}` speculative decoding$/);

    // The day's papers arrive; /reindex ingests them. Channel A gets exactly one digest, B none.
    await new Promise((r) => setTimeout(r, 5));
    await addNewPapers(corpusDir);
    const reindex = await command(s, 'reindex', { permissions: admin, channelId: chanA });
    expect(reindex.content).toMatch(/^Re-indexed 8 papers/);
    const digest = await s.waitFor(() => botPosts(s, chanA)[0], 10_000);
    const body = digest.body as { content: string; allowed_mentions: { parse: string[] } };
    expect(body.allowed_mentions.parse).toEqual([]);
    expect(body.content).toMatch(
      /^📡 \*\*New papers for this channel's topics\*\*: 2 of the 3 papers just added match\.\n\n\*\*speculative decoding\*\*\n1\. /,
    );
    expect(body.content).toContain('Medusa');
    expect(body.content).toContain(SPEC_B.split(':')[0]);
    expect(body.content).not.toContain('Protein');
    expect(body.content).toMatch(/\n {3}[^\n]*speculative decoding/i); // the matching sentence under each paper
    await new Promise((r) => setTimeout(r, 1500)); // a refresh tick passes
    expect(botPosts(s, chanA)).toHaveLength(1);
    expect(botPosts(s, chanB)).toHaveLength(0);

    // A restart checks the live generation again: already announced, nothing is posted.
    await bot.handle.stop({ timeoutMs: 2000 });
    bot = await suite.startBot(config);
    const outcome = await bot.handle.radar!.check();
    expect(outcome).toEqual({ sent: [], quiet: [chanB], already: [chanA], failed: [] });
    expect(botPosts(s, chanA)).toHaveLength(1);

    // An ingest by another process (the CLI): the refresh picks it up and A gets one more digest.
    await writeFile(
      join(corpusDir, 'later.jsonl'),
      `${JSON.stringify({ title: LATER_SPEC, abstract: 'Speculative decoding drafts features instead of tokens, which makes drafts more accurate.' })}\n`,
    );
    await runIngest(loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }), {});
    const second = await s.waitFor(() => botPosts(s, chanA)[1], 10_000);
    expect((second.body as { content: string }).content).toMatch(/1 of the 1 papers just added match/);
    expect((second.body as { content: string }).content).toContain('EAGLE');
    await new Promise((r) => setTimeout(r, 1500));
    expect(botPosts(s, chanA)).toHaveLength(2);
    expect(botPosts(s, chanB)).toHaveLength(0);

    // /digest: the same view on demand over the last 7 days, or for another topic. The base corpus's
    // 5 papers entered the index this week too (first-seen dates), so 9 papers are new.
    const onDemand = await command(s, 'digest', { channelId: chanA });
    expect(onDemand.flags & 64).toBe(64);
    expect(onDemand.content).toMatch(/Papers first seen in the last 7 days\*\*: 9 new in the corpus/);
    for (const t of ['EAGLE', 'Medusa', 'Draft and Verify']) expect(onDemand.content).toContain(t);
    const protein = await command(s, 'digest', {
      channelId: chanA,
      options: [{ name: 'days', type: 4, value: 1 }, str('topic', 'protein folding')],
    });
    expect(protein.content).toContain(PROTEIN.split(' ')[0]);
    expect(protein.content).not.toContain('Medusa');

    // Removal: a channel manager may not remove another channel's watch; an admin sees and removes any.
    const radar = new FileRadarStore(indexDir);
    const other = await radar.addWatch({ guildId: guildA, channelId: '123456789012345678', topic: 'diffusion models', createdBy: 'x' });
    const denied = await command(s, 'watch', {
      options: sub('remove', [str('watch', other.watch.id)]),
      permissions: channelManager,
      channelId: chanA,
    });
    expect(denied.content).toMatch(/Only members with \*\*Manage Server\*\*/);
    const adminList = await command(s, 'watch', { options: sub('list'), permissions: admin, channelId: chanA });
    expect(adminList.content).toMatch(/Other channels in this server:\*\*\n• `[0-9a-f]{8}` diffusion models in <#123456789012345678>/);
    expect(adminList.content).not.toContain('robot grasping'); // another server's watch
    const removedOther = await command(s, 'watch', {
      options: sub('remove', [str('watch', other.watch.id)]),
      permissions: admin,
      channelId: chanA,
    });
    expect(removedOther.content).toMatch(/Stopped watching \*\*diffusion models\*\*/);
    const removed = await command(s, 'watch', {
      options: sub('remove', [str('watch', 'SPECULATIVE decoding')]),
      permissions: channelManager,
      channelId: chanA,
    });
    expect(removed.content).toMatch(/Stopped watching \*\*speculative decoding\*\*/);
    expect((await radar.listWatches()).map((w) => w.topic)).toEqual(['robot grasping']);
  });

  it('/gaps: admins only (Manage Server or a role); lists an abstained and a 👎 question with the closest papers', async () => {
    const corpusDir = await suite.tempDir('gaps-corpus');
    const indexDir = await suite.tempDir('gaps-index');
    const feedbackDir = await suite.tempDir('gaps-feedback');
    await writeBaseCorpus(corpusDir);
    const s = await suite.discord();
    const bot = await suite.startBot(botConfig(s, { indexDir, feedbackDir }, { CORPUS_DIR: corpusDir, ADMIN_ROLE_IDS: s.staffRoleId }));
    // Shares only "diffusion" with the corpus: too little to count as close, so it is refused (noneSharedWords).
    const q = 'Which quantum chromodynamics lattice gluon simulations use diffusion?';
    const ask = s.sendSlashCommand({ name: 'ask', userId: userId(), options: [str('question', q)] });
    const answered = await s.waitFor(() => {
      const m = s.originalMessage(ask.token);
      return m && !(m.flags & (1 << 7)) && (m.content || m.embeds?.length) ? m : undefined;
    }, 20_000);
    expect(answered.content).toMatch(/I couldn't find an answer to this in the paper corpus/);
    await bot.handle.context.store.flush();
    const records = (await readFile(join(feedbackDir, 'answers.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('"type":"answer"'));
    expect(JSON.parse(records[0])).toMatchObject({ question: q, abstained: true, confidence: 'none' });

    // A confident answer voted 👎 is a gap too (asked later: listed first among equal counts).
    const good = s.sendSlashCommand({
      name: 'ask',
      userId: userId(),
      options: [str('question', 'Do diffusion models beat GANs on image synthesis?')],
    });
    const parts = await s.waitFor(() => answerMessages(s, good.token), 20_000);
    const down = customIds(parts.at(-1)).find((c) => c.startsWith('fb:down:'))!;
    const click = s.sendButton({ customId: down, messageId: parts.at(-1).id, userId: userId() });
    await s.waitFor(() => s.callbacks(click.interactionId).length > 0);

    expect((await command(s, 'gaps', { permissions: channelManager })).content).toMatch(
      /Only admins \(\*\*Manage Server\*\* or a bot admin role\)/,
    );
    const byRole = await command(s, 'gaps', { roles: [s.staffRoleId] });
    expect(byRole.content).toContain('What the corpus lacks');
    const gaps = await command(s, 'gaps', { permissions: admin });
    expect(gaps.flags & 64).toBe(64);
    expect(gaps.content).toContain('What the corpus lacks');
    expect(gaps.content).toMatch(
      /2\. “Which quantum chromodynamics lattice gluon simulations use diffusion\?” — 1× \(1 abstained\), last <t:\d+:R>/,
    );
    expect(gaps.content).toMatch(/closest: Diffusion Models Beat GANs on Image Synthesis/);
    expect(gaps.content).toMatch(/1\. “Do diffusion models beat GANs on image synthesis\?” — 1× \(1 downvoted\)/);
  });
});
