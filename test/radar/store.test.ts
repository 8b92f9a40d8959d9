/**
 * The radar store on both backends (files next to the index; Postgres via PGlite, or
 * TEST_DATABASE_URL): watches, what each generation brought, exactly-once digest claims across
 * store instances (standing in for shards and restarts), and announcing through them.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/index/ingest.js';
import type { SearchStore } from '../../src/index/search-store.js';
import { Retriever } from '../../src/index/search.js';
import { silentLogger } from '../../src/logger.js';
import { announceGeneration, type ChannelDigest } from '../../src/radar/announce.js';
import { FileRadarStore } from '../../src/radar/file-store.js';
import { PostgresRadarStore } from '../../src/radar/postgres-store.js';
import type { RadarStore } from '../../src/radar/types.js';
import { addWatch } from '../../src/radar/watches.js';
import { postgresBackend, type StoreHandle, vectraBackend } from '../store/backends.js';
import { addNewPapers, PROTEIN, SPEC_A, SPEC_B, useTempRoot, writeBaseCorpus } from './fixtures.js';

const pg = postgresBackend();
const root = useTempRoot('store');
beforeAll(async () => {
  await pg.start();
}, 120_000);
afterAll(async () => {
  await pg.shutdown();
});

let n = 0;
for (const backend of [vectraBackend(), pg]) {
  describe(`radar store: ${backend.kind}`, () => {
    let handle: StoreHandle;
    let corpusDir: string;
    const opened: RadarStore[] = [];
    const radar = async (): Promise<RadarStore> => {
      const r = backend.kind === 'postgres' ? await PostgresRadarStore.open(pg.db().url) : new FileRadarStore(handle.indexDir);
      opened.push(r);
      return r;
    };
    const runIngest = async () => {
      const writer = handle.writer();
      try {
        return await ingest({ corpusDir, indexDir: handle.indexDir, writer });
      } finally {
        await writer.close();
      }
    };

    const indexes: SearchStore[] = [];
    /** The index as the bot would read it, closed after the test. */
    const openIndex = async (): Promise<SearchStore> => {
      const store = await handle.open();
      indexes.push(store);
      return store;
    };
    /**
     * A baseline generation, then `watches` (created by 'u'), then an ingest that adds the new papers:
     * the radar store that saw both, the new generation's record, and the index to announce from.
     */
    const watchedGeneration = async (watches: Array<{ guildId: string; channelId: string; topic: string }>) => {
      const a = await radar();
      await runIngest();
      await a.noteLiveGeneration();
      for (const w of watches) await addWatch(a, { ...w, createdBy: 'u' });
      await new Promise((r) => setTimeout(r, 5));
      await addNewPapers(corpusDir);
      await runIngest();
      return { a, record: (await a.noteLiveGeneration())!, store: await openIndex() };
    };

    afterEach(async () => {
      for (const store of indexes.splice(0)) await store.close();
    });

    beforeEach(async () => {
      for (const r of opened.splice(0)) await r.close();
      const dir = join(root(), `${backend.kind}-${n++}`);
      corpusDir = join(dir, 'corpus');
      await writeBaseCorpus(corpusDir);
      handle = await backend.fresh(join(dir, 'index'));
    });

    if (backend.kind === 'postgres') {
      it('lists watches in the order they were added, those added in the same instant too', async () => {
        const a = await radar();
        const topics = ['speculative decoding', 'protein folding', 'robot grasping', 'model merging', 'tokenizers', 'moe routing'];
        for (const topic of topics) await addWatch(a, { guildId: 'g1', channelId: 'c1', topic, createdBy: 'u' });
        // Ids are random: ordered by them, six watches tied on created_at come out in 1 of 720 orders.
        await pg.db().query(`UPDATE rb_watches SET created_at = '2026-01-01T00:00:00Z'`);
        expect((await (await radar()).listWatches({ channelId: 'c1' })).map((w) => w.topic)).toEqual(topics);
      });
    }

    it('keeps watches per channel: one per topic whatever its case, listed by guild or channel, removed by id', async () => {
      const a = await radar();
      const w1 = await addWatch(a, { guildId: 'g1', channelId: 'c1', topic: '  Speculative   Decoding ', createdBy: 'u1' });
      expect(w1).toMatchObject({
        created: true,
        watch: { topic: 'Speculative Decoding', guildId: 'g1', channelId: 'c1', createdBy: 'u1' },
      });
      expect(await addWatch(a, { guildId: 'g1', channelId: 'c1', topic: 'speculative decoding', createdBy: 'u2' })).toEqual({
        watch: w1.watch,
        created: false,
      });
      await addWatch(a, { guildId: 'g1', channelId: 'c2', topic: 'speculative decoding', createdBy: 'u1' });
      await addWatch(a, { guildId: 'g2', channelId: 'c3', topic: 'protein folding', createdBy: 'u1' });
      const b = await radar(); // another process sees the same watches
      expect((await b.listWatches({ guildId: 'g1' })).map((w) => w.channelId).sort()).toEqual(['c1', 'c2']);
      expect((await b.listWatches({ channelId: 'c3' })).map((w) => w.topic)).toEqual(['protein folding']);
      expect(await b.listWatches()).toHaveLength(3);
      expect(await b.removeWatch(w1.watch.id)).toBe(true);
      expect(await a.removeWatch(w1.watch.id)).toBe(false);
      expect((await a.listWatches({ guildId: 'g1' })).map((w) => w.channelId)).toEqual(['c2']);
      for (let i = 0; i < 9; i++) await addWatch(a, { guildId: 'g1', channelId: 'c9', topic: `topic ${i}`, createdBy: 'u1' });
      await addWatch(a, { guildId: 'g1', channelId: 'c9', topic: 'topic 9', createdBy: 'u1' });
      await expect(addWatch(a, { guildId: 'g1', channelId: 'c9', topic: 'one too many', createdBy: 'u1' })).rejects.toMatchObject({
        code: 'USAGE',
      });
      await expect(addWatch(a, { guildId: 'g1', channelId: 'c8', topic: '   ', createdBy: 'u1' })).rejects.toMatchObject({ code: 'USAGE' });
    });

    it('records each generation once: the first is the baseline, the next brings exactly the added papers', async () => {
      const a = await radar();
      expect(await a.noteLiveGeneration()).toBeUndefined();
      const g1 = await runIngest();
      const base = await a.noteLiveGeneration();
      expect(base).toMatchObject({ generation: g1.generation, newPaperIds: [] });
      await addNewPapers(corpusDir);
      const g2 = await runIngest();
      // Two processes notice the new generation at the same moment: one record, the same for both.
      const [x, y] = await Promise.all([a.noteLiveGeneration(), (await radar()).noteLiveGeneration()]);
      expect(x).toEqual(y);
      expect(x).toMatchObject({ generation: g2.generation, previous: g1.generation });
      const store = await openIndex();
      const titles = x!.newPaperIds.map((id) => store.paperById.get(id)?.title).sort();
      expect(titles).toEqual([PROTEIN, SPEC_B, SPEC_A].sort());
      expect(await a.noteLiveGeneration()).toEqual(x);
      expect((await a.generationsSince(base!.time)).map((r) => r.generation)).toEqual([g1.generation, g2.generation]);
      expect((await a.generationsSince(x!.time)).map((r) => r.generation)).toEqual([g2.generation]);
    });

    it('a failed ingest records nothing new, so nothing is announced', async () => {
      const a = await radar();
      const g1 = await runIngest();
      const base = await a.noteLiveGeneration();
      await addNewPapers(corpusDir);
      const writer = handle.writer();
      writer.commit = async () => {
        throw new Error('injected: the disk filled up');
      };
      await expect(ingest({ corpusDir, indexDir: handle.indexDir, writer })).rejects.toThrow(/injected/);
      await writer.close();
      expect(await a.noteLiveGeneration()).toEqual(base);
      expect(base).toMatchObject({ generation: g1.generation, newPaperIds: [] });
    });

    it('claims a digest exactly once per (channel, generation) across store instances; a refused send can be claimed again', async () => {
      const stores = [await radar(), await radar(), await radar()];
      const wins = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3].claimAnnouncement('c1', 'gen-1')));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await stores[0].claimAnnouncement('c1', 'gen-2')).toBe(true);
      expect(await stores[1].claimAnnouncement('c2', 'gen-1')).toBe(true);
      await stores[2].releaseAnnouncement('c1', 'gen-1');
      expect(await stores[1].claimAnnouncement('c1', 'gen-1')).toBe(true);
      expect(await stores[0].claimAnnouncement('c1', 'gen-1')).toBe(false);
    });

    it('announces one digest per matching channel, none to a channel whose topics match nothing, and never twice', async () => {
      const { a, record, store } = await watchedGeneration([
        { guildId: 'g1', channelId: 'spec', topic: 'speculative decoding' },
        { guildId: 'g1', channelId: 'spec', topic: 'protein folding' },
        { guildId: 'g1', channelId: 'robots', topic: 'robot grasping' },
        { guildId: 'other-shard', channelId: 'elsewhere', topic: 'speculative decoding' },
      ]);
      const sent: ChannelDigest[] = [];
      const deps = (radarStore: RadarStore) => ({
        radar: radarStore,
        retriever: new Retriever(store),
        ownsGuild: (g: string) => g === 'g1',
        send: async (d: ChannelDigest) => {
          sent.push(d);
        },
        isRefusal: () => false,
        logger: silentLogger,
      });
      const first = await announceGeneration(deps(a), record);
      expect(first).toEqual({ sent: ['spec'], quiet: ['robots'], already: [], failed: [] });
      expect(sent).toHaveLength(1);
      expect(sent[0].groups.map((g) => [g.topic, g.matches.map((m) => m.paper.title)])).toEqual([
        ['speculative decoding', expect.arrayContaining([SPEC_A, SPEC_B])],
        ['protein folding', [PROTEIN]],
      ]);
      expect(sent[0].groups[0].matches[0].reason).toMatch(/speculative decoding/i);
      // Another shard or a restarted process checks the same generation: nothing more is sent.
      const again = await announceGeneration(deps(await radar()), record);
      expect(again).toEqual({ sent: [], quiet: ['robots'], already: ['spec'], failed: [] });
      expect(sent).toHaveLength(1);
    });

    it('a send Discord refused is retried by the next check; one that may have been posted is not', async () => {
      const { a, record, store } = await watchedGeneration([{ guildId: 'g1', channelId: 'spec', topic: 'speculative decoding' }]);
      let attempts = 0;
      const deps = (refused: boolean, fail: boolean) => ({
        radar: a,
        retriever: new Retriever(store),
        ownsGuild: () => true,
        send: async () => {
          attempts++;
          if (fail) throw new Error('send failed');
        },
        isRefusal: () => refused,
        logger: silentLogger,
      });
      expect((await announceGeneration(deps(true, true), record)).failed).toEqual(['spec']);
      expect((await announceGeneration(deps(false, true), record)).failed).toEqual(['spec']);
      expect((await announceGeneration(deps(false, false), record)).already).toEqual(['spec']);
      expect(attempts).toBe(2);
    });
  });
}
