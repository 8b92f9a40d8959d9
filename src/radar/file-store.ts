/**
 * The radar's state for the file store, next to the index (`<indexDir>/radar/`):
 *
 *   watches.json               every watch, rewritten atomically under the radar lock
 *   baseline.json              the last recorded generation and all its paper ids
 *   generations/<gen>.json     what each generation brought, created once (exclusive link)
 *   announced/<gen>/<channel>  one empty file per digest claimed, created exclusively (O_EXCL)
 *
 * Several processes (shards, bots, the CLI) share the directory: updates to watches and the
 * baseline run under the same lock file as ingest uses, and claims are exclusive creates, so
 * exactly one process wins each (channel, generation).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppError } from '../errors.js';
import { acquireLock } from '../index/lock.js';
import { readCurrentGeneration, writeFileAtomic } from '../index/store.js';
import { type GenerationRecord, type NewWatch, newIds, type RadarStore, topicKey, type Watch } from './types.js';

interface Baseline {
  generation: string;
  paperIds: string[];
}

const SAFE_NAME = /^[\w.-]{1,120}$/;
const LOCK_ATTEMPTS = 100;
const LOCK_WAIT_MS = 25;

function safeName(name: string): string {
  if (!SAFE_NAME.test(name) || name.startsWith('.')) throw new AppError('INTERNAL', undefined, { detail: { badName: name.slice(0, 40) } });
  return name;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The ids of a generation's papers, streamed from its papers.jsonl. */
async function paperIdsOf(generationDir: string): Promise<string[]> {
  const ids: string[] = [];
  const rl = createInterface({ input: createReadStream(join(generationDir, 'papers.jsonl')), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) ids.push((JSON.parse(line) as { id: string }).id);
  return ids;
}

export class FileRadarStore implements RadarStore {
  readonly kind = 'file' as const;
  readonly dir: string;

  constructor(readonly indexDir: string) {
    this.dir = join(indexDir, 'radar');
  }

  /** Run `fn` holding the radar lock; another holder is waited for (bounded). */
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      let release: (() => Promise<void>) | undefined;
      try {
        release = await acquireLock(this.dir);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'INDEX_LOCKED' || attempt >= LOCK_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
        continue;
      }
      try {
        return await fn();
      } finally {
        await release();
      }
    }
  }

  private async watches(): Promise<Watch[]> {
    return (await readJson<Watch[]>(join(this.dir, 'watches.json'))) ?? [];
  }

  addWatch(input: NewWatch): Promise<{ watch: Watch; created: boolean }> {
    return this.locked(async () => {
      const all = await this.watches();
      const same = all.find((w) => w.channelId === input.channelId && topicKey(w.topic) === topicKey(input.topic));
      if (same) return { watch: same, created: false };
      const watch: Watch = { ...input, id: randomBytes(4).toString('hex'), createdAt: new Date().toISOString() };
      await writeFileAtomic(join(this.dir, 'watches.json'), JSON.stringify([...all, watch]));
      return { watch, created: true };
    });
  }

  async listWatches(filter: { guildId?: string; channelId?: string } = {}): Promise<Watch[]> {
    return (await this.watches()).filter(
      (w) => (!filter.guildId || w.guildId === filter.guildId) && (!filter.channelId || w.channelId === filter.channelId),
    );
  }

  removeWatch(id: string): Promise<boolean> {
    return this.locked(async () => {
      const all = await this.watches();
      const left = all.filter((w) => w.id !== id);
      if (left.length === all.length) return false;
      await writeFileAtomic(join(this.dir, 'watches.json'), JSON.stringify(left));
      return true;
    });
  }

  async noteLiveGeneration(): Promise<GenerationRecord | undefined> {
    const live = await readCurrentGeneration(this.indexDir);
    if (!live) return undefined;
    const recordPath = join(this.dir, 'generations', `${safeName(live)}.json`);
    const known = await readJson<GenerationRecord>(recordPath);
    if (known) return known;
    return this.locked(async () => {
      const again = await readJson<GenerationRecord>(recordPath);
      if (again) return again;
      const paperIds = await paperIdsOf(join(this.indexDir, live));
      const baseline = await readJson<Baseline>(join(this.dir, 'baseline.json'));
      const record: GenerationRecord = {
        generation: live,
        time: new Date().toISOString(),
        ...(baseline ? { previous: baseline.generation } : {}),
        newPaperIds: baseline ? newIds(baseline.paperIds, paperIds) : [],
      };
      await mkdir(join(this.dir, 'generations'), { recursive: true });
      // Record first, baseline second: a crash in between re-derives nothing twice (the record
      // exists), and the next generation is compared with this one's papers.
      const tmp = `${recordPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
      try {
        await writeFile(tmp, JSON.stringify(record));
        await link(tmp, recordPath);
      } finally {
        await rm(tmp, { force: true });
      }
      await writeFileAtomic(join(this.dir, 'baseline.json'), JSON.stringify({ generation: live, paperIds } satisfies Baseline));
      return record;
    });
  }

  async generationsSince(time: string): Promise<GenerationRecord[]> {
    const names = await readdir(join(this.dir, 'generations')).catch(() => [] as string[]);
    const out: GenerationRecord[] = [];
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      const rec = await readJson<GenerationRecord>(join(this.dir, 'generations', n)).catch(() => undefined);
      if (rec && rec.time >= time) out.push(rec);
    }
    return out.sort((a, b) => a.time.localeCompare(b.time));
  }

  async claimAnnouncement(channelId: string, generation: string): Promise<boolean> {
    const dir = join(this.dir, 'announced', safeName(generation));
    await mkdir(dir, { recursive: true });
    try {
      const fh = await open(join(dir, safeName(channelId)), 'wx');
      await fh.close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  async releaseAnnouncement(channelId: string, generation: string): Promise<void> {
    await rm(join(this.dir, 'announced', safeName(generation), safeName(channelId)), { force: true });
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}
