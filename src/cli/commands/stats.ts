import { openStore, requireDatabaseUrl } from '../../context.js';
import { jsonOpt } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const stats: Command = {
  summary: 'Index statistics.',
  usage: 'research-bot stats [--json]',
  options: { ...jsonOpt },
  async run({ config, logger, io }, v) {
    const store = await openStore(config, { logger });
    try {
      const m = store.manifest;
      const where =
        store.kind === 'postgres'
          ? { database: (await import('../../index/postgres/connection.js')).describeDatabase(requireDatabaseUrl(config)) }
          : { indexDir: config.indexDir };
      const stats = {
        store: store.kind,
        papers: m.counts.papers,
        chunks: m.counts.chunks,
        vectors: m.counts.vectors,
        mode: m.embedding ? 'hybrid' : 'lexical',
        embeddingModel: m.embedding?.model ?? null,
        embeddingDimensions: m.embedding?.dimensions ?? null,
        chatModel: config.chat.model ?? null,
        chunkStrategy: m.chunkStrategy,
        generation: m.generation,
        builtAt: m.createdAt,
        files: m.files.length,
        skipped: m.report.skipped.length,
        ...where,
      };
      if (v.json) printJson(io, stats);
      else for (const [k2, val] of Object.entries(stats)) io.out(`${k2.padEnd(20)} ${val ?? '-'}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
