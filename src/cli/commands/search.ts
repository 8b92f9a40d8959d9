import { openRetriever } from '../../context.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { readAs } from '../../index/spelling.js';
import { describeFilter, hasUserFilter } from '../../search-filter.js';
import { filterFrom, jsonOpt, positiveInt, requireText } from '../args.js';
import { printJson, round } from '../output.js';
import type { Command } from '../types.js';

export const search: Command = {
  summary: 'Top papers for a query.',
  usage: 'research-bot search "<query>" [-k N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--source FILE] [--json]',
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
    const filter = filterFrom(v);
    const { hits, corrections } = await retriever.searchWithMode(query, { k, filter });
    // Say when the filter, not the corpus, left nothing.
    const note =
      !hits.length && hasUserFilter(filter) && (await retriever.search(query, { k: 1 })).length
        ? `No paper ${describeFilter(filter)} matches the query; without the filter, some do.`
        : undefined;
    if (v.json) {
      printJson(io, {
        query,
        mode: retriever.mode,
        results: hits.map((h) => ({ rank: h.rank, paperId: h.paper.id, title: h.paper.title, score: round(h.score) })),
        ...(note ? { note } : {}),
        ...(corrections ? { corrections } : {}),
      });
      return 0;
    }
    if (corrections) io.out(`${readAs(corrections)}.\n`);
    if (!hits.length) io.out(`${note ?? 'No matching papers.'}\n`);
    for (const h of hits) io.out(`${String(h.rank).padStart(2)}. [${h.paper.id}] ${h.paper.title}  (${round(h.score)})\n`);
    return 0;
  },
};
