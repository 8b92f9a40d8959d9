import { open } from 'node:fs/promises';
import { ADD_MAX_FILE_BYTES, describeAddResult, type IncomingFile } from '../../corpus/add-papers.js';
import { runAddPapers } from '../../context.js';
import { AppError } from '../../errors.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { jsonOpt } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

/** At most `limit + 1` bytes of a file: enough to tell that it is too large without holding it whole. */
async function readBounded(path: string, limit: number): Promise<Uint8Array> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AppError('USAGE', `Cannot read ${path} (${code}). Nothing was added.`, { cause: err });
  }
  try {
    const buf = Buffer.alloc(limit + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AppError('USAGE', `Cannot read ${path} (${code}). Nothing was added.`, { cause: err });
  } finally {
    await fh.close();
  }
}

export const add: Command = {
  summary: 'Add Daily Papers dumps (.txt/.md) or paper lists (.jsonl/.json) to the corpus and index them. Exit 1 if a file was refused.',
  usage: 'research-bot add <file...> [--json]',
  options: { ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    if (!pos.length) throw new AppError('USAGE', 'Give at least one file to add.');
    const files: IncomingFile[] = [];
    for (const path of pos) files.push({ name: path, bytes: await readBounded(path, ADD_MAX_FILE_BYTES) });
    const progress = v.json ? noProgress : createProgress(io.stderrStream ?? process.stderr);
    const result = await runAddPapers(config, files, { logger, progress });
    if (v.json) printJson(io, result);
    else io.out(`${describeAddResult(result).join('\n')}\n`);
    return result.files.some((f) => f.status === 'rejected') ? 1 : 0;
  },
};
