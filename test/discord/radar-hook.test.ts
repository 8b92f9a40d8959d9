/**
 * The bot's radar hook on its own: a generation served without a swap (the Postgres store
 * switches in place) is still announced on the next tick, once; a stopped hook does nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'discord.js';
import { afterAll, expect, it } from 'vitest';
import type { BotContext } from '../../src/discord/context.js';
import { startRadar } from '../../src/discord/radar.js';
import { ingest } from '../../src/index/ingest.js';
import { Retriever } from '../../src/index/search.js';
import { IndexStore } from '../../src/index/store.js';
import { silentLogger } from '../../src/logger.js';
import { FileRadarStore } from '../../src/radar/file-store.js';
import { addNewPapers, writeBaseCorpus } from '../radar/fixtures.js';

let root: string | undefined;
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

it('announces a generation the retriever switched to in place, on the next tick, exactly once', async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-radar-hook-'));
  const corpusDir = join(root, 'corpus');
  const indexDir = join(root, 'index');
  await writeBaseCorpus(corpusDir);
  await ingest({ corpusDir, indexDir });
  const radar = new FileRadarStore(indexDir);
  await radar.noteLiveGeneration();
  await radar.addWatch({ guildId: 'g1', channelId: 'c1', topic: 'protein folding', createdBy: 'u' });
  const first = await IndexStore.open(indexDir);
  let current = new Retriever(first);
  const ctx = {
    logger: silentLogger,
    stopping: false,
    radar,
    retriever: () => current,
    track: <T>(p: Promise<T>) => p,
  } as unknown as BotContext;
  const sent: string[] = [];
  const client = {
    guilds: { cache: new Map([['g1', {}]]) },
    channels: {
      fetch: async (id: string) => ({ isSendable: () => true, send: async (m: { content: string }) => sent.push(`${id}: ${m.content}`) }),
    },
  } as unknown as Client;
  const hook = startRadar(ctx, client, 50)!;
  try {
    expect(await hook.check()).toBeUndefined(); // nothing new in the baseline
    await new Promise((r) => setTimeout(r, 5));
    await addNewPapers(corpusDir);
    await ingest({ corpusDir, indexDir });
    current = new Retriever(await IndexStore.open(indexDir)); // no swapRetriever, no onSwap
    const deadline = Date.now() + 5000;
    while (!sent.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(
      /^c1: 📡 .*1 of the 3 papers just added match\.\n\n\*\*protein folding\*\*\n1\. \[Protein Folding with Equivariant Networks\]/,
    );
    await new Promise((r) => setTimeout(r, 300)); // several more ticks
    expect(sent).toHaveLength(1);
  } finally {
    await hook.stop();
  }
  expect(await hook.check()).toBeUndefined();
});
