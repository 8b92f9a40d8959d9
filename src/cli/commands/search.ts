import { openRetriever } from '../../context.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { jsonOpt, positiveInt, requireText } from '../args.js';
import { printJson, round } from '../output.js';
import type { Command } from '../types.js';

export const search: Command = {
  summary: 'Top papers for a query.',
  usage: 'research-bot search "<query>" [-k N] [--json]',
  options: {
    k: { type: 'string', short: 'k' },
    from: { type: 'string' },
    to: { type: 'string' },
    source: { type: 'string' },
    ...jsonOpt,
  },
  async run({ config, logger, io }, v, pos) {
    const query = requireText(pos.join(' '), 'query');
    const k = positiveInt(v.k, '-k', 10);
    const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
    const hits = await retriever.search(query, {
      k,
      filter: { from: v.from as string | undefined, to: v.to as string | undefined, source: v.source as string | undefined },
    });
    if (v.json) {
      printJson(io, {
        query,
        mode: retriever.mode,
        results: hits.map((h) => ({ rank: h.rank, paperId: h.paper.id, title: h.paper.title, score: round(h.score) })),
      });
      return 0;
    }
    if (!hits.length) io.out('No matching papers.\n');
    for (const h of hits) io.out(`${String(h.rank).padStart(2)}. [${h.paper.id}] ${h.paper.title}  (${round(h.score)})\n`);
    return 0;
  },
};
