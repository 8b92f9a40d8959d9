/**
 * Digests with two shards (two discord.js clients, shard 0 and 1 of 2, each owning one guild)
 * sharing one index, on both stores: after an ingest by another process each watching channel
 * gets exactly one digest, posted by the shard that owns its guild.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import { MEMBER_PERMISSIONS, startDiscordServer, type FakeDiscordServer } from '../servers/discord-server.js';
import { startTestDatabase, type TestDatabase } from '../servers/postgres-server.js';
import { addNewPapers, writeBaseCorpus } from '../radar/fixtures.js';
import { botConfig, parsedLogs, removeDir, startBot, tempDir, userId, type TestBot } from './harness.js';

const channelManager = (BigInt(MEMBER_PERMISSIONS) | (1n << 4n)).toString();

let server: FakeDiscordServer | undefined;
let bots: TestBot[] = [];
let db: TestDatabase | undefined;
const dirs: string[] = [];

afterEach(async () => {
  for (const b of bots) await b.handle.stop({ timeoutMs: 2000 });
  bots = [];
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await db?.close();
  for (const d of dirs) await removeDir(d);
});

describe.each(['vectra', 'postgres'])('digests with two shards (STORE=%s)', (store) => {
  it('each watching channel gets one digest, from the shard that owns its guild', async () => {
    const corpusDir = await tempDir('shards-corpus');
    const indexDir = await tempDir('shards-index');
    dirs.push(corpusDir, indexDir);
    await writeBaseCorpus(corpusDir);
    const storeEnv: Record<string, string> = { CORPUS_DIR: corpusDir, INDEX_REFRESH_SECONDS: '1' };
    if (store === 'postgres') {
      db ??= await startTestDatabase();
      await db.reset();
      Object.assign(storeEnv, { STORE: 'postgres', DATABASE_URL: db.url });
    }
    const ingestConfig = loadConfig({ INDEX_DIR: indexDir, ...storeEnv });
    await runIngest(ingestConfig, {});

    server = await startDiscordServer({ heartbeatIntervalMs: 250, shards: 2, guilds: 2 });
    const s = server;
    const configs: Config[] = [];
    for (const shard of [0, 1]) {
      const feedbackDir = await tempDir(`shards-feedback-${shard}`);
      dirs.push(feedbackDir);
      configs.push(botConfig(s, { indexDir, feedbackDir }, storeEnv));
      bots.push(await startBot(s, configs[shard], { clientOptions: { shards: [shard], shardCount: 2 } }));
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
