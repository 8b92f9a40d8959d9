/**
 * Bench jobs run in fresh processes with a time limit (bench/jobs.ts). A job past the limit is
 * killed and becomes a row that says it did not finish in N min, instead of a missing row (the
 * Orama vector/hybrid job at 100k papers, stopped by hand after 10.7 min, left no row at all).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, JobTimeoutError, runJob, skippedPeerRow, type Spawner } from '../../bench/jobs.js';
import { spawnChild } from '../helpers/children.js';

let dir: string;
const started: ChildProcess[] = [];
const spawner: Spawner = (command, args, options) => {
  const child = spawnChild(command, args, options);
  started.push(child);
  return child;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-bench-jobs-'));
  // A stand-in for bench/child.ts: `hang` never finishes, `ok` prints progress then its result, `fail` exits 1.
  await writeFile(
    join(dir, 'job.mjs'),
    [
      'const [job, raw] = process.argv.slice(2);',
      "if (job === 'hang') setInterval(() => {}, 1000);",
      "else if (job === 'ok') { console.log('progress'); console.log(JSON.stringify({ job, got: JSON.parse(raw), maxRssMB: 1 })); }",
      "else { console.error('broken index'); process.exit(1); }",
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bench jobs', () => {
  it('a job past its time limit is killed and rejects with "did not finish in N"', async () => {
    const t = Date.now();
    const err = await runJob(join(dir, 'job.mjs'), 'hang', {}, { timeoutMs: 300, spawner }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobTimeoutError);
    expect((err as Error).message).toBe('did not finish in 0.3 s');
    expect(Date.now() - t).toBeLessThan(10_000);
    const child = started.at(-1)!;
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('the timed-out peer job becomes a row named like its engine, saying it did not finish', () => {
    expect(skippedPeerRow('orama-vector', new JobTimeoutError('peer', 20 * 60_000))).toEqual({
      name: 'Orama 3.1 vector and hybrid',
      kind: 'vector, hybrid',
      skipped: 'did not finish in 20 min (BENCH_PEER_TIMEOUT_MS); stopped',
    });
    expect(skippedPeerRow('hnswlib', new Error('peer failed: out of memory\nstack'))).toEqual({
      name: 'hnswlib-node 3.0 (M=16, efC=200)',
      kind: 'vector',
      skipped: 'peer failed: out of memory',
    });
    expect(formatDuration(10.7 * 60_000)).toBe('10.7 min');
  });

  it('a job that finishes resolves with its last line; one that fails rejects with its stderr', async () => {
    await expect(runJob(join(dir, 'job.mjs'), 'ok', { n: 3 }, { timeoutMs: 30_000, spawner })).resolves.toEqual({
      job: 'ok',
      got: { n: 3 },
      maxRssMB: 1,
    });
    await expect(runJob(join(dir, 'job.mjs'), 'fail', {}, { spawner })).rejects.toThrow(/fail failed: broken index/);
  });
});
