/**
 * Digests with two shards (two discord.js clients, shard 0 and 1 of 2, each owning one guild)
 * sharing one index, on both stores: after an ingest by another process each watching channel
 * gets exactly one digest, posted by the shard that owns its guild.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import { MEMBER_PERMISSIONS } from '../servers/discord-server.js';
import { startTestDatabase, type TestDatabase } from '../servers/postgres-server.js';
import { addNewPapers, writeBaseCorpus } from '../radar/fixtures.js';
import { botConfig, parsedLogs, type TestBot, userId, useBotSuite } from './harness.js';

const channelManager = (BigInt(MEMBER_PERMISSIONS) | (1n << 4n)).toString();

const suite = useBotSuite({ stopTimeoutMs: 2000, index: false, discord: { shards: 2, guilds: 2 } });
let db: TestDatabase | undefined;

afterAll(async () => {
  await db?.close();
});

describe.each(['vectra', 'postgres'])('digests with two shards (STORE=%s)', (store) => {
  it('each watching channel gets one digest, from the shard that owns its guild', async () => {
    const corpusDir = await suite.tempDir('shards-corpus');
    const indexDir = await suite.tempDir('shards-index');
    await writeBaseCorpus(corpusDir);
    const storeEnv: Record<string, string> = { CORPUS_DIR: corpusDir, INDEX_REFRESH_SECONDS: '1' };
    if (store === 'postgres') {
      db ??= await startTestDatabase();
      await db.reset();
      Object.assign(storeEnv, { STORE: 'postgres', DATABASE_URL: db.url });
    }
    const ingestConfig = loadConfig({ INDEX_DIR: indexDir, ...storeEnv });
    await runIngest(ingestConfig, {});

    const s = await suite.discord();
    const bots: TestBot[] = [];
    for (const shard of [0, 1]) {
      const feedbackDir = await suite.tempDir(`shards-feedback-${shard}`);
      bots.push(
        await suite.startBot(botConfig(s, { indexDir, feedbackDir }, storeEnv), { clientOptions: { shards: [shard], shardCount: 2 } }),
      );
    }
    for (const [i, guildId] of s.guildIds.entries()) {
      const h = s.sendSlashCommand({
        name: 'watch',
        guildId,
        channelId: s.textChannelIds[i],
        userId: userId(),
        permissions: channelManager,
        options: [{ name: 'add', type: 1, options: [{ name: 'topic', type: 3, value: 'speculative decoding' }] }],
      });
      await s.waitFor(() => s.originalMessage(h.token)?.content?.startsWith('Watching') || undefined, 10_000);
    }
    await new Promise((r) => setTimeout(r, 5));

    await addNewPapers(corpusDir);
    await runIngest(ingestConfig, {});
    const posts = (channelId: string) =>
      s.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${channelId}/messages` && c.status === 200);
    for (const channelId of s.textChannelIds) await s.waitFor(() => posts(channelId)[0], 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // further refresh ticks on both shards
    for (const channelId of s.textChannelIds) {
      expect(posts(channelId)).toHaveLength(1);
      expect((posts(channelId)[0].body as { content: string }).content).toMatch(/2 of the 3 papers just added match/);
    }
    for (const [i, guildId] of s.guildIds.entries()) {
      const owner = bots[s.shardOf(guildId)];
      const other = bots[1 - s.shardOf(guildId)];
      const announced = (b: TestBot) =>
        parsedLogs(b.logs)
          .filter((l) => l.msg === 'digest announced')
          .map((l) => l.channelId);
      expect(announced(owner)).toContain(s.textChannelIds[i]);
      expect(announced(other)).not.toContain(s.textChannelIds[i]);
    }
  }, 60_000);
});
