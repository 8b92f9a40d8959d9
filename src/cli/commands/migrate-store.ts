import { requireDatabaseUrl } from '../../context.js';
import { AppError } from '../../errors.js';
import { jsonOpt } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const migrateStore: Command = {
  summary: 'Copy the live index between stores (vectors included, nothing re-embedded) and make the copy live.',
  usage: 'research-bot migrate-store --from vectra|postgres --to postgres|vectra [--index DIR] [--json]',
  options: { from: { type: 'string' }, to: { type: 'string' }, index: { type: 'string' }, ...jsonOpt },
  async run({ config, logger, io }, v) {
    const kinds = ['vectra', 'postgres'] as const;
    const from = kinds.find((k) => k === v.from);
    const to = kinds.find((k) => k === v.to);
    if (!from || !to || from === to) throw new AppError('USAGE', 'Use --from vectra --to postgres, or --from postgres --to vectra.');
    const { migrateStore } = await import('../../index/migrate.js');
    const s = await migrateStore({
      from,
      to,
      indexDir: (v.index as string | undefined) ?? config.indexDir,
      databaseUrl: requireDatabaseUrl(config, 'migrate-store'),
      logger,
    });
    if (v.json) {
      printJson(io, s);
      return 0;
    }
    io.out(
      `Copied generation ${s.sourceGeneration} from ${s.from} to ${s.to} as ${s.generation} (now live): ` +
        `${s.papers} papers, ${s.chunks} chunks, ${s.vectors} vectors, in ${(s.durationMs / 1000).toFixed(1)}s. ` +
        `Nothing was re-embedded.\n` +
        (s.to !== config.store ? `Set STORE=${s.to} to serve it.\n` : ''),
    );
    return 0;
  },
};
