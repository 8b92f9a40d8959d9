/**
 * Index, corpus, disk and lock faults on the real binary (issue 11): a damaged live generation
 * is reported as INDEX_CORRUPT and rebuilt by `ingest`; a corrupted lexical.bin offset fails the
 * load at once instead of freezing a query (in the CLI and in the bot, over the Discord fake);
 * a full or read-only index disk is reported as DISK_FULL / INDEX_READ_ONLY and leaves no debris;
 * a corpus of symbolic links is read; a lock whose pid was reused is taken over.
 */
import { botProcessEnv } from '../helpers/bot-env.js';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/index/ingest.js';
import { processStartTicks } from '../../src/index/lock.js';
import { killChild, spawnChild } from '../helpers/children.js';
import { startDiscordServer } from '../servers/discord-server.js';
import { answerMessages, userId } from '../discord/harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'research-bot.js');
const CORPUS = join(ROOT, 'data', 'corpus');

let root: string;
let shipped: string;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-index-faults-'));
  shipped = join(root, 'shipped-index');
  await ingest({ corpusDir: CORPUS, indexDir: shipped });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The CLI as a child process; killed (code null) if it runs past `timeoutMs`. */
function cli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  const started = Date.now();
  const child = spawnChild(process.execPath, [BIN, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: root, CORPUS_DIR: CORPUS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => void killChild(child), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function copyOfShipped(): Promise<string> {
  const dir = join(root, `index-${n++}`);
  await cp(shipped, dir, { recursive: true });
  return dir;
}

async function liveGeneration(indexDir: string): Promise<string> {
  return (await readFile(join(indexDir, 'CURRENT'), 'utf8')).trim();
}

async function stripChecksums(genDir: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(genDir, 'manifest.json'), 'utf8'));
  delete manifest.checksums;
  await writeFile(join(genDir, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

/** Point one term's posting list end far past the postings, as a flipped bit in a 4-byte offset would. */
async function corruptOffset(genDir: string, term: string): Promise<void> {
  const header = JSON.parse(await readFile(join(genDir, 'lexical.json'), 'utf8')) as { terms: string[] };
  const id = header.terms.indexOf(term);
  expect(id).toBeGreaterThanOrEqual(0);
  const bin = await readFile(join(genDir, 'lexical.bin'));
  bin.writeUInt32LE(0x7fffff00, 4 * (id + 1));
  await writeFile(join(genDir, 'lexical.bin'), bin);
}

describe('a damaged live generation', () => {
  for (const file of ['papers.jsonl', 'chunks.json', 'lexical.bin']) {
    it(`truncated ${file}: search reports INDEX_CORRUPT, ingest rebuilds instead of "up to date", search works again`, async () => {
      const indexDir = await copyOfShipped();
      const damaged = await liveGeneration(indexDir);
      const path = join(indexDir, damaged, file);
      await truncate(path, Math.floor((await readFile(path)).length / 2));

      const broken = await cli(['search', 'DropPos dropped positions'], { INDEX_DIR: indexDir });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/^error \[INDEX_CORRUPT\]: .*Run `research-bot ingest`/m);

      const repaired = await cli(['ingest'], { INDEX_DIR: indexDir });
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toMatch(/^Indexed 428 papers/);
      expect(repaired.stdout).not.toMatch(/up to date/);
      expect(repaired.stderr).toContain(`${file} is`);
      expect(await liveGeneration(indexDir)).not.toBe(damaged);

      const ok = await cli(['search', 'DropPos dropped positions'], { INDEX_DIR: indexDir });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/DropPos/);
      expect((await cli(['ingest'], { INDEX_DIR: indexDir })).stdout).toMatch(/up to date/);
    });
  }

  it('a manifest written before checksums still loads, and the next ingest rebuilds it once', async () => {
    const indexDir = await copyOfShipped();
    const old = await liveGeneration(indexDir);
    await stripChecksums(join(indexDir, old));
    const search = await cli(['search', 'DropPos dropped positions'], { INDEX_DIR: indexDir });
    expect(search.code).toBe(0);
    expect(search.stdout).toMatch(/DropPos/);
    const first = await cli(['ingest'], { INDEX_DIR: indexDir });
    expect(first.stdout).toMatch(/^Indexed 428 papers/);
    expect(first.stderr).toMatch(/no checksums/);
    const manifest = JSON.parse(await readFile(join(indexDir, await liveGeneration(indexDir), 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.checksums).sort()).toEqual(['chunks.json', 'lexical.bin', 'lexical.json', 'papers.jsonl']);
    expect((await cli(['ingest'], { INDEX_DIR: indexDir })).stdout).toMatch(/up to date/);
  });
});

describe('a corrupted offset in lexical.bin', () => {
  for (const checksums of [true, false]) {
    it(`search exits at once with INDEX_CORRUPT (${checksums ? 'caught by the checksum' : 'no checksums: caught by the structural check'})`, async () => {
      const indexDir = await copyOfShipped();
      const gen = join(indexDir, await liveGeneration(indexDir));
      await corruptOffset(gen, 'lora');
      if (!checksums) await stripChecksums(gen);
      const r = await cli(['search', 'lora'], { INDEX_DIR: indexDir }, 20_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(checksums ? /error \[INDEX_CORRUPT\]: .*lexical\.bin does not match/ : /error \[INDEX_CORRUPT\]: .*offsets/);
      expect(r.ms).toBeLessThan(10_000);
    });
  }

  it('the bot keeps serving the good generation when a corrupted one goes live, and still acknowledges /help', async () => {
    const indexDir = await copyOfShipped();
    const feedbackDir = join(root, `feedback-${n++}`);
    await mkdir(feedbackDir);
    const discord = await startDiscordServer({ heartbeatIntervalMs: 500 });
    let bot: ChildProcess | undefined;
    try {
      bot = spawnChild(process.execPath, [BIN, 'bot'], {
        cwd: root,
        env: {
          ...botProcessEnv({ discord, indexDir, feedbackDir, home: root }),
          INDEX_REFRESH_SECONDS: '1',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      bot.stderr!.on('data', (d: Buffer) => void (log += d.toString()));
      await discord.waitFor(() => log.includes('"bot ready"'), 30_000);

      // A new generation goes live whose lexical.bin has one bad offset (e.g. a bad disk block).
      const good = await liveGeneration(indexDir);
      const bad = `${good}-bad`;
      await cp(join(indexDir, good), join(indexDir, bad), { recursive: true });
      await corruptOffset(join(indexDir, bad), 'lora');
      const manifest = JSON.parse(await readFile(join(indexDir, bad, 'manifest.json'), 'utf8'));
      await writeFile(join(indexDir, bad, 'manifest.json'), JSON.stringify({ ...manifest, generation: bad }));
      await writeFile(join(indexDir, 'CURRENT'), `${bad}\n`);
      await discord.waitFor(() => log.includes('index refresh failed'), 15_000);
      expect(log).toMatch(/INDEX_CORRUPT|lexical\.bin/);

      const ask = discord.sendSlashCommand({
        name: 'ask',
        userId: userId(),
        options: [{ name: 'question', type: 3, value: 'How does LoRA work?' }],
      });
      const help = discord.sendSlashCommand({ name: 'help', userId: userId() });
      await discord.waitFor(() => discord.callbacks(help.interactionId).length > 0, 5_000);
      await discord.waitFor(() => answerMessages(discord, ask.token), 15_000);
      expect(answerMessages(discord, ask.token)![0].content).toMatch(/\[1\]/);
    } finally {
      if (bot) await killChild(bot);
      await discord.close();
    }
  }, 60_000);
});

describe('a full or read-only index disk', () => {
  let mnt: string;
  let mounted = false;
  beforeAll(async () => {
    mnt = join(root, 'tmpfs');
    await mkdir(mnt);
    // Room for one generation of the shipped index and not two.
    const genBytes = Number(execFileSync('du', ['-sb', join(shipped, await liveGeneration(shipped))], { encoding: 'utf8' }).split('\t')[0]);
    const size = Math.ceil((genBytes * 1.5) / 4096) * 4096;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      throw new Error(`these tests need a small tmpfs (run as root, or with CAP_SYS_ADMIN): ${(err as Error).message}`);
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });

  it('ENOSPC: DISK_FULL with the path, no partial generation left, the live index still answers; ingest works once there is room', async () => {
    const indexDir = join(mnt, 'index');
    const env = { INDEX_DIR: indexDir };
    expect((await cli(['ingest'], env)).code).toBe(0);
    const live = await liveGeneration(indexDir);
    for (let attempt = 0; attempt < 2; attempt++) {
      const full = await cli(['ingest', '--force'], env);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(
        new RegExp(`^error \\[DISK_FULL\\]: No space left .*while writing ${indexDir}/gen-[\\w-]+\\.partial/`, 'm'),
      );
      expect(full.stderr).toMatch(/the live index was left as it was/);
      expect((await readdir(indexDir)).filter((e) => e !== 'radar').sort()).toEqual(['CURRENT', live]);
    }
    const json = await cli(['ingest', '--force', '--json'], env);
    expect(JSON.parse(json.stdout).error.code).toBe('DISK_FULL');
    const search = await cli(['search', 'DropPos dropped positions'], env);
    expect(search.code).toBe(0);
    expect(search.stdout).toMatch(/DropPos/);

    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    const again = await cli(['ingest', '--force'], env);
    expect(again.code).toBe(0);
    expect((await readdir(indexDir)).filter((e) => e !== 'radar').sort()).toEqual(['CURRENT', await liveGeneration(indexDir)]);
  });

  it('EROFS: INDEX_READ_ONLY naming the directory, and searches still work', async () => {
    const indexDir = join(mnt, 'index');
    expect((await cli(['ingest'], { INDEX_DIR: indexDir })).code).toBe(0);
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      const r = await cli(['ingest', '--force'], { INDEX_DIR: indexDir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error \\[INDEX_READ_ONLY\\]: Cannot write ${indexDir}.*read-only`, 'm'));
      const search = await cli(['search', 'DropPos dropped positions'], { INDEX_DIR: indexDir });
      expect(search.code).toBe(0);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
  });
});

describe('a corpus of symbolic links', () => {
  it('follows file links (as git-annex and DVC leave them), reports broken and looping ones, and never loops', async () => {
    const corpus = join(root, `links-${n++}`);
    await mkdir(corpus);
    for (const f of await readdir(CORPUS)) await symlink(join(CORPUS, f), join(corpus, f));
    await symlink(join(root, 'not-fetched-yet.txt'), join(corpus, 'missing.txt'));
    await symlink('.', join(corpus, 'again'));
    await symlink('loop-b', join(corpus, 'loop-a'));
    await symlink('loop-a', join(corpus, 'loop-b'));
    const indexDir = join(root, `index-${n++}`);
    const r = await cli(['ingest', '--json'], { CORPUS_DIR: corpus, INDEX_DIR: indexDir });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ papers: 428, blocks: 481 });
    expect(s.filesSkipped).toEqual([
      { file: 'again', reason: expect.stringMatching(/folder that is already read/) },
      { file: 'loop-a', reason: 'symbolic link loop' },
      { file: 'loop-b', reason: 'symbolic link loop' },
      { file: 'missing.txt', reason: expect.stringMatching(/^broken symbolic link/) },
    ]);
    const text = await cli(['ingest', '--force'], { CORPUS_DIR: corpus, INDEX_DIR: indexDir });
    expect(text.stdout).toMatch(/missing\.txt: broken symbolic link/);
  });
});

describe('a stale lock whose pid was reused', () => {
  it('a years-old lock naming pid 1 (alive: init) is taken over', async () => {
    const indexDir = join(root, `index-${n++}`);
    await mkdir(indexDir);
    const lock = join(indexDir, '.lock');
    await writeFile(lock, JSON.stringify({ pid: 1, startedAt: '2019-03-01T10:00:00.000Z' }));
    const then = new Date('2019-03-01T10:00:00.000Z');
    await utimes(lock, then, then);
    const r = await cli(['ingest'], { INDEX_DIR: indexDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Indexed 428 papers/);
  });

  it("a live holder's lock is respected; the same pid with another start time is not", async () => {
    const indexDir = join(root, `index-${n++}`);
    await mkdir(indexDir);
    const holder = spawnChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const ticks = processStartTicks(holder.pid!);
      expect(ticks).toMatch(/^\d+$/);
      const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      const lock = { pid: holder.pid, startedAt: new Date().toISOString(), procStart: ticks, bootId };
      await writeFile(join(indexDir, '.lock'), JSON.stringify(lock));
      const held = await cli(['ingest'], { INDEX_DIR: indexDir });
      expect(held.code).toBe(1);
      expect(held.stderr).toMatch(new RegExp(`^error \\[INDEX_LOCKED\\]: Another ingest \\(pid ${holder.pid},`, 'm'));

      await writeFile(join(indexDir, '.lock'), JSON.stringify({ ...lock, procStart: String(Number(ticks) - 1000) }));
      const reused = await cli(['ingest'], { INDEX_DIR: indexDir });
      expect(reused.code).toBe(0);
      expect(reused.stdout).toMatch(/^Indexed 428 papers/);
    } finally {
      await killChild(holder);
    }
  });
});
