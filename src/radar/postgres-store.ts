/**
 * The radar's state with STORE=postgres: tables next to the index's own (migration 3 in
 * src/index/postgres/schema.ts), so bot processes on several machines share watches and claims.
 * Noting a generation runs in one transaction holding the baseline row, so two processes that
 * notice the same generation record it once and compare it with the same predecessor.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createPool, connectClient, inTransaction, storeError } from '../index/postgres/connection.js';
import { ensureSchema } from '../index/postgres/schema.js';
import { silentLogger, type Logger } from '../logger.js';
import { type GenerationRecord, type NewWatch, newIds, type RadarStore, topicKey, type Watch } from './types.js';

interface WatchRow {
  id: string;
  guild_id: string;
  channel_id: string;
  topic: string;
  created_by: string;
  created_at: Date;
}

interface GenerationRow {
  generation: string;
  noticed_at: Date;
  previous: string | null;
  new_paper_ids: string[];
}

function toWatch(r: WatchRow): Watch {
  return {
    id: r.id,
    guildId: r.guild_id,
    channelId: r.channel_id,
    topic: r.topic,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}

function toRecord(r: GenerationRow): GenerationRecord {
  return {
    generation: r.generation,
    time: r.noticed_at.toISOString(),
    ...(r.previous ? { previous: r.previous } : {}),
    newPaperIds: r.new_paper_ids,
  };
}

export class PostgresRadarStore implements RadarStore {
  readonly kind = 'postgres' as const;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  static async open(url: string, logger: Logger = silentLogger): Promise<PostgresRadarStore> {
    const setup = await connectClient(url, logger);
    try {
      await ensureSchema(setup);
    } catch (err) {
      throw storeError(err, url, 'preparing the schema');
    } finally {
      await setup.end().catch(() => undefined);
    }
    return new PostgresRadarStore(createPool(url, { max: 2, logger }), url);
  }

  private async run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw storeError(err, this.url, doing);
    }
  }

  addWatch(input: NewWatch): Promise<{ watch: Watch; created: boolean }> {
    return this.run('adding a watch', async () => {
      const inserted = await this.pool.query<WatchRow>(
        `INSERT INTO rb_watches (id, guild_id, channel_id, topic, topic_key, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (channel_id, topic_key) DO NOTHING RETURNING *`,
        [randomBytes(4).toString('hex'), input.guildId, input.channelId, input.topic, topicKey(input.topic), input.createdBy],
      );
      if (inserted.rows[0]) return { watch: toWatch(inserted.rows[0]), created: true };
      const existing = await this.pool.query<WatchRow>('SELECT * FROM rb_watches WHERE channel_id = $1 AND topic_key = $2', [
        input.channelId,
        topicKey(input.topic),
      ]);
      return { watch: toWatch(existing.rows[0]), created: false };
    });
  }

  listWatches(filter: { guildId?: string; channelId?: string } = {}): Promise<Watch[]> {
    return this.run('listing watches', async () => {
      const r = await this.pool.query<WatchRow>(
        `SELECT * FROM rb_watches WHERE ($1::text IS NULL OR guild_id = $1) AND ($2::text IS NULL OR channel_id = $2)
         ORDER BY seq`,
        [filter.guildId ?? null, filter.channelId ?? null],
      );
      return r.rows.map(toWatch);
    });
  }

  removeWatch(id: string): Promise<boolean> {
    return this.run(
      'removing a watch',
      async () => ((await this.pool.query('DELETE FROM rb_watches WHERE id = $1', [id])).rowCount ?? 0) > 0,
    );
  }

  noteLiveGeneration(): Promise<GenerationRecord | undefined> {
    return this.run('recording the new index generation', () =>
      inTransaction(this.pool, 'BEGIN', async (c) => {
        const live = (await c.query<{ generation: string }>('SELECT generation FROM rb_meta')).rows[0]?.generation;
        if (!live) return undefined;
        // The baseline row (or, before there is one, an advisory lock) serialises noting.
        await c.query('SELECT pg_advisory_xact_lock(7262000002)');
        const known = await c.query<GenerationRow>('SELECT * FROM rb_radar_generations WHERE generation = $1', [live]);
        if (known.rows[0]) return toRecord(known.rows[0]);
        const ids = (
          await c.query<{ paper_id: string }>('SELECT paper_id FROM rb_papers WHERE generation = $1 ORDER BY idx', [live])
        ).rows.map((r) => r.paper_id);
        const base = (await c.query<{ generation: string; paper_ids: string[] }>('SELECT generation, paper_ids FROM rb_radar_baseline'))
          .rows[0];
        const inserted = await c.query<GenerationRow>(
          'INSERT INTO rb_radar_generations (generation, previous, new_paper_ids) VALUES ($1, $2, $3) RETURNING *',
          [live, base?.generation ?? null, JSON.stringify(base ? newIds(base.paper_ids, ids) : [])],
        );
        await c.query(
          `INSERT INTO rb_radar_baseline (singleton, generation, paper_ids) VALUES (true, $1, $2)
           ON CONFLICT (singleton) DO UPDATE SET generation = EXCLUDED.generation, paper_ids = EXCLUDED.paper_ids`,
          [live, JSON.stringify(ids)],
        );
        return toRecord(inserted.rows[0]);
      }),
    );
  }

  generationsSince(time: string): Promise<GenerationRecord[]> {
    return this.run('reading recorded generations', async () => {
      const r = await this.pool.query<GenerationRow>('SELECT * FROM rb_radar_generations WHERE noticed_at >= $1 ORDER BY noticed_at', [
        time,
      ]);
      return r.rows.map(toRecord);
    });
  }

  claimAnnouncement(channelId: string, generation: string): Promise<boolean> {
    return this.run('claiming a digest', async () => {
      const r = await this.pool.query('INSERT INTO rb_announcements (channel_id, generation) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        channelId,
        generation,
      ]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  releaseAnnouncement(channelId: string, generation: string): Promise<void> {
    return this.run('releasing a digest claim', async () => {
      await this.pool.query('DELETE FROM rb_announcements WHERE channel_id = $1 AND generation = $2', [channelId, generation]);
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
