/** An exclusive lock file so two ingests never write the same index at once. */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../errors.js';

// A lock file with no readable holder this young is most likely being written right now.
const UNREADABLE_GRACE_MS = 10_000;

// Lock files held by this process. A lock naming our own pid is not proof that we hold it (a
// container restart reuses pids), so in-process holders are tracked here.
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
        const fh = await open(file, 'wx');
        try {
          await fh.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
        } finally {
          await fh.close();
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
        let holder: { pid?: number; startedAt?: string } = {};
        try {
          holder = JSON.parse(await readFile(file, 'utf8'));
        } catch {
          // Unreadable: either its writer is between open and write, or died there.
        }
        if (!holder.pid) {
          const age = await stat(file).then(
            (s) => Date.now() - s.mtimeMs,
            () => Infinity,
          );
          if (age < UNREADABLE_GRACE_MS) throw new AppError('INDEX_LOCKED', `Another ingest is starting on ${dir}. Wait for it to finish.`);
        } else if (holder.pid !== process.pid && alive(holder.pid)) {
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
