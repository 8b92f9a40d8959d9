/**
 * Sharding end to end: the compiled bot (dist/, built by `npm test` before vitest runs) started
 * with DISCORD_SHARDS=2 against a fake Discord server with 2 shards and 2 guilds. The manager
 * forks one process per shard; each runs the real discord.js client. Asserts on what reached the
 * server and on the processes' JSON logs.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive, killChild, spawnChild } from '../helpers/children.js';
import { MEMBER_PERMISSIONS, startDiscordServer, type FakeDiscordServer } from '../servers/discord-server.js';
import { CORPUS_DIR, MANAGE_GUILD, answerMessages, customIds, removeDir, tempDir, userId } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST_SHARD = join(ROOT, 'dist/src/discord/shard.js');
const DIST_CLI = join(ROOT, 'dist/src/cli.js');
const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gx7abc.sharded-secret-bot-token-value';
const NEW_TITLE = 'Axolotl Regeneration Priors for Sparse Mixture-of-Experts Routing';
const QUERY = 'axolotl regeneration priors routing';

let server: FakeDiscordServer;
let manager: ChildProcess | undefined;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
const lines: string[] = [];
const dirs: string[] = [];
let corpusDir: string;

function logs(): Array<Record<string, any>> {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

/** `research-bot bot` once the CLI routes DISCORD_SHARDS to serveShards; until then the same call from a tiny script. */
function managerCommand(): string[] {
  if (existsSync(DIST_CLI) && readFileSync(DIST_CLI, 'utf8').includes('serveShards')) return [join(ROOT, 'bin/research-bot.js'), 'bot'];
  const url = (p: string) => JSON.stringify(new URL(`file://${join(ROOT, p)}`).href);
  const script = [
    `import { loadConfig } from ${url('dist/src/config.js')};`,
    `import { serveShards } from ${url('dist/src/discord/shard.js')};`,
    `import { createLogger } from ${url('dist/src/logger.js')};`,
    `const config = loadConfig();`,
    `process.exitCode = await serveShards(config, createLogger({ level: config.logLevel ?? 'info' }));`,
  ].join('\n');
  return ['--input-type=module', '-e', script];
}

beforeAll(async () => {
  if (!existsSync(DIST_SHARD)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test');
  server = await startDiscordServer({ shards: 2, guilds: 2, heartbeatIntervalMs: 1000, token: TOKEN });
  corpusDir = await tempDir('shard-corpus');
  const indexDir = await tempDir('shard-index'); // empty: the manager builds it
  const feedbackDir = await tempDir('shard-feedback');
  const cwd = await tempDir('shard-cwd'); // no .env here
  dirs.push(corpusDir, indexDir, feedbackDir, cwd);
  await cp(CORPUS_DIR, corpusDir, { recursive: true });

  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(OPENAI_|EMBEDDING_|CHAT_MODEL|DISCORD_|STORE$|DATABASE_URL|QA_CHANNEL_IDS|LOG_LEVEL|SHARD|SHARDING_)/.test(k)) env[k] = v;
  }
  Object.assign(env, {
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: server.applicationId,
    DISCORD_API_URL: server.restUrl,
    DISCORD_SHARDS: '2',
    CORPUS_DIR: corpusDir,
    INDEX_DIR: indexDir,
    FEEDBACK_DIR: feedbackDir,
    INDEX_REFRESH_SECONDS: '1',
    USER_COOLDOWN_SECONDS: '0',
    LOG_LEVEL: 'info',
  });
  manager = spawnChild(
    process.execPath,
    managerCommand(),
    { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
    { scope: 'file', label: 'shard manager' },
  );
  exited = new Promise((res) => manager!.once('exit', (code, signal) => res({ code, signal })));
  let buffered = '';
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  };
  manager.stdout!.on('data', collect);
  manager.stderr!.on('data', collect);
  // Shards are spawned 5.5 s apart (Discord's identify spacing).
  const up = () => server.sessionShards().length === 2 && logs().some((l) => l.msg === 'all shards ready');
  await server.waitFor(() => up() || manager!.exitCode !== null, 45_000);
  if (!up()) throw new Error(`shards did not come up:\n${lines.slice(-20).join('\n')}`);
}, 60_000);

afterAll(async () => {
  // The manager and its shard processes form one process group: kill all of it.
  if (manager) await killChild(manager);
  await server?.close();
  for (const d of dirs) await removeDir(d);
});

describe('research-bot with DISCORD_SHARDS=2 (one process per shard)', () => {
  it('the manager builds the missing index once; each shard identifies with its own [id, 2] and gets its own guild', () => {
    const identifies = server.gatewayEvents.filter((e) => e.op === 2).map((e) => e.d.shard);
    expect(identifies.sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(server.sessionShards().sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const all = logs();
    // Built by the manager (no shard field), before any shard started; no shard built one.
    const built = all.findIndex((l) => l.msg === 'ingest complete');
    expect(built).toBeGreaterThanOrEqual(0);
    expect(all[built].shard).toBeUndefined();
    expect(all.filter((l) => l.msg === 'ingest complete')).toHaveLength(1);
    expect(all.findIndex((l) => l.msg === 'shard process started')).toBeGreaterThan(built);
    expect(all.filter((l) => l.msg === 'no index yet: building it from the corpus')).toEqual([]);
    const ready = all.filter((l) => l.msg === 'bot ready');
    expect(ready.map((l) => [l.shard, l.guilds]).sort()).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  it('an /ask in each guild is answered once, by the shard that owns the guild', async () => {
    const question = (gid: string) =>
      server.sendSlashCommand({
        name: 'ask',
        guildId: gid,
        userId: userId(),
        options: [{ name: 'question', type: 3, value: 'What is dataset decomposition?' }],
      });
    const handles = server.guildIds.map((gid) => ({ gid, h: question(gid) }));
    for (const { gid, h } of handles) {
      const parts = await server.waitFor(() => answerMessages(server, h.token), 15_000);
      expect(parts[0].content).toMatch(/Dataset Decomposition/);
      const callbacks = server.callbacks(h.interactionId);
      expect(callbacks).toHaveLength(1);
      expect(callbacks[0]).toMatchObject({ status: 204, body: { type: 5 } });
      const answerId = customIds(parts.at(-1))[2].slice('src:'.length);
      const answered = logs().filter((l) => l.msg === 'answered' && l.answerId === answerId);
      expect(answered).toHaveLength(1);
      expect(answered[0].shard).toBe(server.shardOf(gid));
    }
    expect(new Set(handles.map(({ gid }) => server.shardOf(gid)))).toEqual(new Set([0, 1]));
  });

  it('a /reindex in guild 1 (shard 0) with a new paper reaches guild 2 (shard 1) within INDEX_REFRESH_SECONDS', async () => {
    const [guild1, guild2] = server.guildIds;
    const search = async (gid: string) => {
      const h = server.sendSlashCommand({
        name: 'search',
        guildId: gid,
        userId: userId(),
        options: [{ name: 'query', type: 3, value: QUERY }],
      });
      return server.waitFor(() => server.originalMessage(h.token)?.embeds?.[0], 10_000);
    };
    expect((await search(guild2)).description).not.toContain('Axolotl');

    const paper = {
      title: NEW_TITLE,
      abstract:
        'We route tokens in sparse mixture-of-experts layers with axolotl regeneration priors, which regrow pruned experts on demand.',
      date: '2025-02-01',
    };
    await writeFile(join(corpusDir, 'zz-axolotl.jsonl'), `${JSON.stringify(paper)}\n`);
    const admin = (BigInt(MEMBER_PERMISSIONS) | MANAGE_GUILD).toString();
    const r = server.sendSlashCommand({ name: 'reindex', guildId: guild1, userId: userId(), permissions: admin });
    const done = await server.waitFor(() => server.originalMessage(r.token)?.content || undefined, 20_000);
    const reindexedAt = Date.now();
    expect(done).toMatch(/Re-indexed 429 papers/);
    expect(server.callbacks(r.interactionId)).toHaveLength(1);
    const generation = /generation (\S+?)\./.exec(done)![1];

    const refreshed = await server.waitFor(() => logs().find((l) => l.msg === 'index refreshed' && l.shard === 1), 5000);
    expect(Date.now() - reindexedAt).toBeLessThan(4000); // 1 s interval + opening the index, with slack for a loaded machine
    expect(refreshed).toMatchObject({ generation, papers: 429 });
    const found = await search(guild2);
    expect(found.description.split('\n')[0]).toContain(NEW_TITLE);
    expect(found.footer.text).toMatch(/ 429 papers$/);
    // Shard 0 swapped after its own /reindex; it never had to refresh.
    expect(logs().filter((l) => l.msg === 'index refreshed' && l.shard === 0)).toEqual([]);
  });

  it('a shard process that dies is respawned and serves its guild again', async () => {
    const started = logs().filter((l) => l.msg === 'shard process started' && l.shard === 1);
    expect(started).toHaveLength(1);
    process.kill(started[0].pid, 'SIGKILL');
    await server.waitFor(() => logs().some((l) => l.msg === 'shard exited: respawning it' && l.shard === 1), 5000);
    const identifies = () => server.gatewayEvents.filter((e) => e.op === 2 && e.d.shard[0] === 1).length;
    await server.waitFor(() => identifies() === 2 && logs().filter((l) => l.msg === 'bot ready' && l.shard === 1).length === 2, 15_000);
    expect(logs().find((l) => l.msg === 'shard exited: respawning it')).toMatchObject({
      level: 'warn',
      shard: 1,
      code: null,
      signal: 'SIGKILL',
    });
    const restarted = logs().filter((l) => l.msg === 'shard process started' && l.shard === 1);
    expect(restarted).toHaveLength(2);
    expect(restarted[1].pid).not.toBe(started[0].pid);

    const h = server.sendSlashCommand({
      name: 'ask',
      guildId: server.guildIds[1],
      userId: userId(),
      options: [{ name: 'question', type: 3, value: 'What is SkyReels-V2?' }],
    });
    const parts = await server.waitFor(() => answerMessages(server, h.token), 15_000);
    expect(parts[0].content).toMatch(/SkyReels/);
    expect(server.callbacks(h.interactionId)).toHaveLength(1);
    // The new process opened the index as it is now, with the paper added by the /reindex above.
    const answerId = customIds(parts.at(-1))[2].slice('src:'.length);
    expect(logs().find((l) => l.msg === 'answered' && l.answerId === answerId)?.shard).toBe(1);
    expect(
      logs()
        .filter((l) => l.msg === 'bot starting' && l.shard === 1)
        .at(-1),
    ).toMatchObject({ papers: 429 });
  });

  it('SIGTERM to the manager stops every shard cleanly; the manager exits 0', async () => {
    const sentAt = Date.now();
    manager!.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(15_000);
    await server.waitFor(() => server.openConnections() === 0, 2000);
    // No shard process outlives the manager.
    await server.waitFor(() => !groupAlive(manager!) || undefined, 5000);
    const all = logs();
    expect(
      all
        .filter((l) => l.msg === 'bot stopped')
        .map((l) => l.shard)
        .sort(),
    ).toEqual([0, 1]);
    expect(
      all
        .filter((l) => l.msg === 'shard stopped')
        .map((l) => [l.shard, l.code])
        .sort(),
    ).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(all.find((l) => l.msg === 'all shards stopped')).toMatchObject({ code: 0 });
    expect(all.filter((l) => l.msg.includes('respawning'))).toHaveLength(1); // the SIGKILL above
    expect(all.filter((l) => l.level === 'error')).toEqual([]);
    // The token never reaches a log line, from the manager or a shard.
    expect(lines.filter((l) => l.includes(TOKEN) || l.includes('sharded-secret'))).toEqual([]);
  });
});
