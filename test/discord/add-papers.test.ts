/**
 * /add-papers end to end: the real discord.js client (runBot) against the fake Discord server,
 * which hands the bot an attachment option and serves the file's bytes on 127.0.0.1.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import { MEMBER_PERMISSIONS, startDiscordServer, type FakeDiscordServer } from '../servers/discord-server.js';
import { botConfig, CORPUS_DIR, MANAGE_GUILD, parsedLogs, removeDir, startBot, tempDir, type TestBot, userId } from './harness.js';

const F2 = '002_8ade21b1ef0670a8.txt';
const NOVEL = 'Quokka Routing: Sparse Expert Dispatch for Marsupial Language Models';
const ABSTRACT = 'We route tokens to sparse experts chosen by a marsupial gating network and halve dispatch cost.';
const LIST = `${JSON.stringify({ title: NOVEL, abstract: ABSTRACT })}\n`;

let root: string;
let corpus: string;
let server: FakeDiscordServer;
let bot: TestBot;
let elsewhere: Server;
let elsewhereHits = 0;

beforeAll(async () => {
  root = await tempDir('add-papers');
  corpus = join(root, 'corpus');
  await mkdir(corpus);
  await copyFile(join(CORPUS_DIR, F2), join(corpus, F2));
  const indexDir = join(root, 'index');
  await runIngest(loadConfig({ INDEX_DIR: indexDir, CORPUS_DIR: corpus }), {});
  server = await startDiscordServer({ heartbeatIntervalMs: 250 });
  const config = botConfig(
    server,
    { indexDir, feedbackDir: join(root, 'feedback') },
    { CORPUS_DIR: corpus, ADMIN_ROLE_IDS: server.staffRoleId },
  );
  bot = await startBot(server, config);
  // A server the bot must never be made to fetch from.
  elsewhere = createServer((_req, res) => {
    elsewhereHits++;
    res.end('{"title": "internal", "abstract": "secret"}');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await bot?.handle.stop({ timeoutMs: 2000 });
  await server?.close();
  await new Promise((resolve) => elsewhere?.close(resolve));
  await removeDir(root);
});

function addPapers(files: Array<{ filename: string; data: string; url?: string }>, who: { permissions?: string; roles?: string[] }) {
  return server.sendSlashCommand({
    name: 'add-papers',
    userId: userId(),
    ...who,
    options: files.map((f, k) => ({ name: `file${k + 1}`, type: 11, attachment: f })),
  });
}

async function reply(token: string): Promise<string> {
  return server.waitFor(() => server.originalMessage(token)?.content, 20_000);
}

describe('/add-papers', () => {
  it('is refused (ephemeral) to a member without Manage Server or an admin role, and nothing is fetched or stored', async () => {
    const denied = addPapers([{ filename: 'list.jsonl', data: LIST }], {});
    await server.waitFor(() => server.callbacks(denied.interactionId).length > 0);
    const cb = server.callbacks(denied.interactionId)[0];
    expect(cb.body.type).toBe(4);
    expect(cb.body.data.flags).toBe(64);
    expect(cb.body.data.content).toMatch(/Manage Server/);
    expect(await readdir(corpus)).toEqual([F2]);
  });

  it('an admin role uploads a paper list: the ephemeral reply counts it, a bad file is refused, and /paper finds the new paper', async () => {
    const before = bot.handle.context.retriever().store.generation;
    const r = addPapers(
      [
        { filename: 'radar.jsonl', data: LIST },
        { filename: 'slides.pdf', data: '%PDF-1.7' },
      ],
      { roles: [server.staffRoleId] },
    );
    const text = await reply(r.token);
    expect(server.callbacks(r.interactionId)[0].body).toMatchObject({ type: 5, data: { flags: 64 } });
    const stored = (await readdir(corpus)).find((f) => f.startsWith('added-'))!;
    expect(stored).toMatch(/^added-[0-9a-f]{16}\.jsonl$/);
    expect(text).toBe(
      `radar.jsonl: 1 paper: 1 new, 0 merged into papers already in the corpus (stored as ${stored}).\n` +
        'slides.pdf: not added: unsupported file type ".pdf" (expected .txt, .md, .jsonl, .json). Nothing changed.\n' +
        'The index now holds 33 papers (generation ' +
        `${bot.handle.context.retriever().store.generation}).`,
    );
    expect(bot.handle.context.retriever().store.generation).not.toBe(before);
    expect(bot.logs.some((l) => l.includes('reindex worker could not start'))).toBe(false);
    expect(parsedLogs(bot.logs).filter((l) => l.msg === 'reindex finished')).toEqual([
      expect.objectContaining({ newPapers: 1, papers: 33, swapped: true, files: ['added', 'rejected'] }),
    ]);

    const p = server.sendSlashCommand({ name: 'paper', userId: userId(), options: [{ name: 'title', type: 3, value: 'Quokka Routing' }] });
    const embed = await server.waitFor(() => server.originalMessage(p.token)?.embeds?.[0], 10_000);
    expect(embed.title).toBe(NOVEL);
    const added = embed.fields.find((f: { name: string }) => f.name === 'Added');
    expect(added.value).toMatch(/^to the corpus on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(added.value).toContain(new Date().toISOString().slice(0, 10));

    // The same file again, from a Manage Server member: a no-op that says so.
    const again = addPapers([{ filename: 'radar-copy.jsonl', data: LIST }], {
      permissions: (BigInt(MEMBER_PERMISSIONS) | MANAGE_GUILD).toString(),
    });
    expect(await reply(again.token)).toBe(
      `radar-copy.jsonl: nothing to do, already in the corpus as ${stored}.\nNothing was added; the index is unchanged.`,
    );
    expect((await readdir(corpus)).length).toBe(2);
  });

  it('fetches only from Discord: an attachment URL pointing elsewhere is refused without a request', async () => {
    const port = (elsewhere.address() as AddressInfo).port;
    const r = addPapers([{ filename: 'inside.jsonl', data: LIST, url: `http://127.0.0.1:${port}/admin/export.jsonl` }], {
      roles: [server.staffRoleId],
    });
    expect(await reply(r.token)).toBe(
      'inside.jsonl: not added: the attachment is not on Discord’s CDN. Nothing changed.\nNothing was added; the index is unchanged.',
    );
    expect(elsewhereHits).toBe(0);
  });
});
