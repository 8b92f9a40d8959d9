/**
 * Cross-process index refresh (INDEX_REFRESH_SECONDS): two bot instances (two discord.js clients
 * against two fake Discord servers) share one vectra INDEX_DIR; a /reindex in bot A becomes
 * visible to bot B without a restart. Plus the refresher's failure handling and stop().
 */
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import type { BotContext } from '../../src/discord/context.js';
import { startIndexRefresh } from '../../src/discord/refresh.js';
import type { Retriever } from '../../src/index/search.js';
import { createLogger } from '../../src/logger.js';
import { MEMBER_PERMISSIONS, type FakeDiscordServer } from '../servers/discord-server.js';
import { CORPUS_DIR, MANAGE_GUILD, botConfig, parsedLogs, userId, useBotSuite } from './harness.js';

const NEW_TITLE = 'Quokka Lattice Transformers for Zebrafish Connectome Tracing';
const NEW_PAPER = {
  title: NEW_TITLE,
  abstract:
    'We introduce quokka lattice transformers, a sparse attention scheme over lattice-structured tokens, ' +
    'and apply them to zebrafish connectome tracing. On whole-brain electron microscopy volumes they ' +
    'trace neurites with fewer merge errors than flood-filling networks.',
  authors: ['A. Tester'],
  date: '2025-01-15',
  url: 'https://example.org/quokka-lattice',
};
const QUERY = 'quokka lattice zebrafish connectome';

const suite = useBotSuite({ stopTimeoutMs: 2000, index: false });

async function search(s: FakeDiscordServer, query: string): Promise<any> {
  const h = s.sendSlashCommand({ name: 'search', userId: userId(), options: [{ name: 'query', type: 3, value: query }] });
  return s.waitFor(() => s.originalMessage(h.token)?.embeds?.[0], 10_000);
}

describe('index refresh across bot processes', () => {
  it('a /reindex in bot A (new paper in the corpus) is picked up by bot B within INDEX_REFRESH_SECONDS', async () => {
    const corpusDir = await suite.tempDir('corpus');
    const indexDir = await suite.tempDir('index');
    await cp(CORPUS_DIR, corpusDir, { recursive: true });
    await runIngest(loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }), {});

    const start = async () => {
      const s = await suite.discord({ fresh: true });
      const feedbackDir = await suite.tempDir('feedback');
      const bot = await suite.startBot(botConfig(s, { indexDir, feedbackDir }, { CORPUS_DIR: corpusDir, INDEX_REFRESH_SECONDS: '1' }));
      return { s, bot };
    };
    const a = await start();
    const b = await start();
    const genBefore = b.bot.handle.context.retriever().store.generation;
    expect(a.bot.handle.context.retriever().store.generation).toBe(genBefore);

    // Before: B does not know the paper.
    const before = await search(b.s, QUERY);
    expect(before.description).not.toContain('Quokka');
    expect(before.footer.text).toMatch(/ 428 papers$/);

    await writeFile(join(corpusDir, 'zz-new-paper.jsonl'), `${JSON.stringify(NEW_PAPER)}\n`);
    const admin = (BigInt(MEMBER_PERMISSIONS) | MANAGE_GUILD).toString();
    const r = a.s.sendSlashCommand({ name: 'reindex', userId: userId(), permissions: admin });
    const done = await a.s.waitFor(() => a.s.originalMessage(r.token)?.content || undefined, 20_000);
    const reindexedAt = Date.now();
    expect(done).toMatch(/Re-indexed 429 papers/);
    const genAfter = a.bot.handle.context.retriever().store.generation;
    expect(genAfter).not.toBe(genBefore);

    // B switches on its next tick (every 1 s) without a restart.
    const refreshed = await b.s.waitFor(() => parsedLogs(b.bot.logs).find((l) => l.msg === 'index refreshed'), 5000);
    expect(Date.now() - reindexedAt).toBeLessThan(4000); // 1 s interval + opening the index, with slack for a loaded machine
    expect(refreshed).toMatchObject({ level: 'info', previousGeneration: genBefore, generation: genAfter, papers: 429 });
    expect(b.bot.handle.context.retriever().store.generation).toBe(genAfter);
    const after = await search(b.s, QUERY);
    expect(after.description.split('\n')[0]).toContain(NEW_TITLE);
    expect(after.footer.text).toMatch(/ 429 papers$/);

    // A swapped by itself after its /reindex: its refresher had nothing to do.
    await new Promise((res) => setTimeout(res, 1300));
    expect(parsedLogs(a.bot.logs).filter((l) => l.msg === 'index refreshed')).toEqual([]);
    expect(parsedLogs(b.bot.logs).filter((l) => l.msg === 'index refreshed')).toHaveLength(1);
    const aSearch = await search(a.s, QUERY);
    expect(aSearch.description.split('\n')[0]).toContain(NEW_TITLE);
  });
});

describe('startIndexRefresh', () => {
  function fakeContext(store: Record<string, unknown>, logs: string[]): BotContext {
    let current = { store, mode: 'lexical' } as unknown as Retriever;
    return {
      config: loadConfig({}),
      logger: createLogger({ level: 'debug', sink: (l) => logs.push(l) }),
      stopping: false,
      retriever: () => current,
      swapRetriever: (next: Retriever) => {
        current = next;
      },
    } as unknown as BotContext;
  }

  it('logs and retries on errors (never throws); swaps when the live generation changed; stop() ends the timer', async () => {
    const logs: string[] = [];
    let live: string | Error = new Error('backend down');
    let checks = 0;
    const store = {
      generation: 'gen-1',
      latestGeneration: async () => {
        checks++;
        if (live instanceof Error) throw live;
        return live;
      },
      close: async () => undefined,
    };
    const ctx = fakeContext(store, logs);
    const opened: string[] = [];
    let openFails = true;
    const refresher = startIndexRefresh(ctx, {
      intervalMs: 20,
      open: async () => {
        if (openFails) throw new Error('generation directory vanished');
        opened.push('gen-2');
        const next = {
          generation: 'gen-2',
          papers: [1, 2],
          chunks: [1, 2],
          latestGeneration: async () => 'gen-2',
          close: async () => undefined,
        };
        return { store: next, mode: 'lexical' } as unknown as Retriever;
      },
    });
    try {
      await new Promise((r) => setTimeout(r, 120));
      expect(checks).toBeGreaterThanOrEqual(3);
      const warns = parsedLogs(logs).filter((l) => l.msg === 'index refresh failed; keeping the current index and retrying');
      expect(warns.length).toBeGreaterThanOrEqual(1);
      expect(warns[0].err.message).toBe('backend down');
      expect(ctx.retriever().store.generation).toBe('gen-1');

      live = 'gen-1'; // unchanged: nothing to open
      expect(await refresher.check()).toBe(false);
      live = 'gen-2';
      expect(await refresher.check()).toBe(false); // open fails: logged, kept gen-1
      expect(parsedLogs(logs).at(-1)).toMatchObject({ level: 'warn', err: { message: 'generation directory vanished' } });
      expect(ctx.retriever().store.generation).toBe('gen-1');
      openFails = false;
      await new Promise((r) => setTimeout(r, 100)); // the timer picks it up
      expect(ctx.retriever().store.generation).toBe('gen-2');
      expect(opened).toEqual(['gen-2']);
      expect(parsedLogs(logs).find((l) => l.msg === 'index refreshed')).toMatchObject({
        previousGeneration: 'gen-1',
        generation: 'gen-2',
        papers: 2,
      });
    } finally {
      await refresher.stop();
    }
    const after = checks;
    await new Promise((r) => setTimeout(r, 100));
    expect(checks).toBe(after);
  });
});
