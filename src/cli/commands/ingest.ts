import { runIngest } from '../../context.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { jsonOpt } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const ingest: Command = {
  summary: 'Parse the corpus and (re)build the index incrementally.',
  usage: 'research-bot ingest [--corpus DIR] [--index DIR] [--force] [--json]',
  options: { corpus: { type: 'string' }, index: { type: 'string' }, force: { type: 'boolean' }, ...jsonOpt },
  async run({ config, logger, io }, v) {
    const corpusDir = (v.corpus as string | undefined) ?? config.corpusDir;
    const indexDir = (v.index as string | undefined) ?? config.indexDir;
    const progress = v.json ? noProgress : createProgress(io.stderrStream ?? process.stderr);
    const s = await runIngest(config, { corpusDir, indexDir, force: Boolean(v.force), progress, logger });
    if (v.json) {
      printJson(io, s);
      return 0;
    }
    if (s.upToDate) {
      io.out(`Index is up to date (${s.papers} papers, ${s.chunks} chunks; generation ${s.generation}). Nothing to do.\n`);
      return 0;
    }
    const emb = s.embedding
      ? `${s.embedding.model}, ${s.embedding.dimensions} dims: ${s.embedding.embedded} embedded, ${s.embedding.reused} reused, ${s.embedding.calls} requests`
      : 'lexical only (no EMBEDDING_MODEL)';
    io.out(
      `Indexed ${s.papers} papers from ${s.files} files (${s.blocks} blocks, ${s.duplicatesMerged} duplicates ` +
        `merged) into ${s.chunks} chunks in ${(s.durationMs / 1000).toFixed(1)}s.\n` +
        `Embeddings: ${emb}.\n`,
    );
    if (s.filesSkipped.length || s.blocksSkipped.length) {
      io.out(`Skipped ${s.filesSkipped.length} files and ${s.blocksSkipped.length} blocks:\n`);
      for (const f of s.filesSkipped) io.out(`  ${f.file}: ${f.reason}\n`);
      for (const b of s.blocksSkipped) io.out(`  ${b.file}${b.line ? `:${b.line}` : ''}: ${b.reason}\n`);
    }
    return 0;
  },
};
