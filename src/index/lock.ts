/** An exclusive lock file so two ingests never write the same index at once. */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

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
  const file = join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      await fh.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; startedAt?: string } = {};
      try {
        holder = JSON.parse(await readFile(file, 'utf8'));
      } catch {
        // Unreadable lock: a writer died between open and write. Treat as stale.
      }
      if (holder.pid && holder.pid !== process.pid && alive(holder.pid)) {
        throw new AppError(
          'INDEX_LOCKED',
          `Another ingest (pid ${holder.pid}, started ${holder.startedAt ?? 'recently'}) is already updating ${dir}. Wait for it to finish.`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new AppError('INDEX_LOCKED', `Could not lock ${dir}.`);
}
