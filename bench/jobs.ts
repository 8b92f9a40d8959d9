/**
 * Measured jobs in fresh processes (bench/child.ts), with a time limit: a job past it is killed
 * and reported as a row that says it did not finish, not left out of the report.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { PEER_ENGINES } from './peer-engines.js';

export type Spawner = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** A job stopped at its time limit. */
export class JobTimeoutError extends Error {
  constructor(
    readonly job: string,
    readonly timeoutMs: number,
  ) {
    super(`did not finish in ${formatDuration(timeoutMs)}`);
  }
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

/** Output kept from a job: its last line is the JSON result; 64 MiB bounds a runaway one. */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Run `script job <json opts>` in a fresh Node process with a `heapMB` heap and resolve with the
 * JSON of its last stdout line. timeoutMs 0: no limit; past it the process is killed (SIGKILL)
 * and the promise rejects with JobTimeoutError.
 */
export function runJob(
  script: string,
  job: string,
  opts: Record<string, unknown>,
  o: { timeoutMs?: number; heapMB?: number; cwd?: string; spawner?: Spawner } = {},
): Promise<Record<string, unknown>> {
  const spawner = o.spawner ?? spawn;
  return new Promise((resolve, reject) => {
    const child = spawner(process.execPath, [`--max-old-space-size=${o.heapMB ?? 4096}`, script, job, JSON.stringify(opts)], {
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (b: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += b.toString('utf8');
    });
    child.stderr?.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-4000);
    });
    const timer = o.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, o.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new JobTimeoutError(job, o.timeoutMs!));
      if (code !== 0) return reject(new Error(`${job} failed: ${stderr.slice(-2000) || `exit ${code ?? signal}`}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>);
      } catch (err) {
        reject(new Error(`${job} printed no result: ${(err as Error).message}`));
      }
    });
  });
}

/**
 * The row of a peer job that gave no result: named and typed as the engine's own rows would be
 * (`Orama 3.1 vector and hybrid`), saying it did not finish in N min, or why it failed.
 */
export function skippedPeerRow(peer: string, err: unknown): Record<string, unknown> {
  const engine = PEER_ENGINES[peer];
  const skipped =
    err instanceof JobTimeoutError
      ? `${err.message} (BENCH_PEER_TIMEOUT_MS); stopped`
      : (err as Error).message.split('\n')[0].slice(0, 200);
  return { name: engine?.label ?? peer, kind: engine?.kind ?? '-', skipped };
}
