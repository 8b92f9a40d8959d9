/** An exclusive lock file so two ingests never write the same index at once. */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../errors.js';

// A lock file with no readable holder this young is most likely being written right now.
const UNREADABLE_GRACE_MS = 10_000;
// Slack between clocks when comparing a lock's time with its holder's start time: the kernel's
// boot time is whole seconds and start times are in clock ticks.
const START_SLACK_MS = 2_000;
// USER_HZ: the unit of /proc/<pid>/stat's start time; 100 on every Linux architecture Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

// Lock files held by this process. A lock naming our own pid is not proof that we hold it (a
// container restart reuses pids), so in-process holders are tracked here.
const held = new Set<string>();

interface LockHolder {
  pid?: number;
  startedAt?: string;
  /** The holder's start time as /proc/<pid>/stat field 22 (clock ticks since boot), Linux only. */
  procStart?: string;
  /** /proc/sys/kernel/random/boot_id when the lock was taken: start times count from that boot. */
  bootId?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Start time of a process in clock ticks since boot, or undefined (not Linux, or no such process). */
export function processStartTicks(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields?.[19]; // field 22 overall
  return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
}

function bootId(): string | undefined {
  return readProc('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

/** Wall-clock start of a process, from the boot time in /proc/stat and its start ticks. */
function processStartMs(ticks: string): number | undefined {
  const btime = /^btime (\d+)$/m.exec(readProc('/proc/stat') ?? '')?.[1];
  return btime ? Number(btime) * 1000 + (Number(ticks) * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
}

/**
 * Why the live process with the lock's pid cannot be the one that wrote the lock (its pid was
 * reused), or undefined when it may be. A pid alone proves nothing: after a reboot or a container
 * restart, pid 1 or any low pid is alive again, and such a lock would block ingest forever.
 */
function pidReused(holder: LockHolder, lockMtimeMs: number): string | undefined {
  const ticks = processStartTicks(holder.pid!);
  if (!ticks) return undefined; // no /proc: the pid is all there is to go on
  if (holder.bootId && holder.bootId !== bootId()) return 'the machine has rebooted since';
  if (holder.procStart) return holder.procStart !== ticks ? 'the process with that pid started at another time' : undefined;
  // A lock from a version that did not record start times: a process cannot have written a lock
  // before it started.
  const startMs = processStartMs(ticks);
  const lockMs = Math.min(lockMtimeMs, Date.parse(holder.startedAt ?? '') || Infinity);
  return startMs !== undefined && lockMs < startMs - START_SLACK_MS
    ? 'the process with that pid started after the lock was taken'
    : undefined;
}

export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const file = resolve(join(dir, '.lock'));
  if (held.has(file)) {
    throw new AppError('INDEX_LOCKED', `Another ingest in this process is already updating ${dir}. Wait for it to finish.`);
  }
  held.add(file);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // The holder is written to a private file first and then linked into place, which fails
        // with EEXIST when a lock exists: a lock file is never seen empty, so an ingest killed at
        // any instant leaves either no lock or a complete one (whose dead pid frees it at once).
        const me: LockHolder = {
          pid: process.pid,
          startedAt: new Date().toISOString(),
          procStart: processStartTicks(process.pid),
          bootId: bootId(),
        };
        const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
        try {
          await writeFile(tmp, JSON.stringify(me));
          await link(tmp, file);
        } finally {
          await rm(tmp, { force: true });
        }
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          try {
            await rm(file, { force: true });
          } finally {
            held.delete(file);
          }
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let holder: LockHolder = {};
        try {
          holder = JSON.parse(await readFile(file, 'utf8'));
        } catch {
          // Unreadable: either its writer is between open and write, or died there.
        }
        const mtimeMs = await stat(file).then(
          (s) => s.mtimeMs,
          () => -Infinity,
        );
        if (!holder.pid) {
          if (Date.now() - mtimeMs < UNREADABLE_GRACE_MS)
            throw new AppError('INDEX_LOCKED', `Another ingest is starting on ${dir}. Wait for it to finish.`);
        } else if (holder.pid !== process.pid && alive(holder.pid) && !pidReused(holder, mtimeMs)) {
          throw new AppError(
            'INDEX_LOCKED',
            `Another ingest (pid ${holder.pid}, started ${holder.startedAt ?? 'recently'}) is already updating ${dir}. Wait for it to finish.`,
          );
        }
        await rm(file, { force: true });
      }
    }
    throw new AppError('INDEX_LOCKED', `Could not lock ${dir}.`);
  } catch (err) {
    held.delete(file);
    throw err;
  }
}
