/**
 * Deterministic synthetic corpora for scale benchmarks: papers recombined from the sentences of
 * the real abstracts (seeded PRNG), written as JSONL so they go through the normal parser.
 */
import { mulberry32 } from '../src/seeded-random.js';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCorpus } from '../src/corpus/load.js';
import { splitSentences } from '../src/index/sentences.js';

export { mulberry32 };

export async function writeSyntheticCorpus(sourceDir: string, outDir: string, papers: number, seed = 42, files = 10): Promise<void> {
  const { papers: real } = await loadCorpus(sourceDir);
  const sentences = real.flatMap((p) => splitSentences(p.abstract));
  const titleWords = real.flatMap((p) => p.title.split(/\s+/));
  const rand = mulberry32(seed);
  const pick = <T>(arr: T[]) => arr[Math.floor(rand() * arr.length)];
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const perFile = Math.ceil(papers / files);
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let i = f * perFile; i < Math.min(papers, (f + 1) * perFile); i++) {
      const nTitle = 5 + Math.floor(rand() * 8);
      const title = `${Array.from({ length: nTitle }, () => pick(titleWords)).join(' ')} (S${i})`;
      const nSent = 6 + Math.floor(rand() * 6);
      const abstract = Array.from({ length: nSent }, () => pick(sentences)).join(' ');
      lines.push(JSON.stringify({ title, abstract }));
    }
    await writeFile(join(outDir, `synthetic-${String(f).padStart(2, '0')}.jsonl`), `${lines.join('\n')}\n`);
  }
}
