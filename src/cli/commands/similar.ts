import { similarPapers } from '../../answer/engine.js';
import { openRetriever } from '../../context.js';
import { jsonOpt, positiveInt, requireText } from '../args.js';
import { printJson } from '../output.js';
import { lookupPaper } from '../paper-lookup.js';
import type { Command } from '../types.js';

export const similar: Command = {
  summary: 'Papers similar to a given paper.',
  usage: 'research-bot similar <paper-id-or-title> [-k N] [--json]',
  options: { k: { type: 'string', short: 'k' }, ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    const q = requireText(pos.join(' '), 'paper id or title');
    const retriever = await openRetriever(config, { logger, autoIngest: true });
    const paper = await lookupPaper(io, retriever, q, { json: Boolean(v.json) });
    if (typeof paper === 'number') return paper;
    const result = await similarPapers(retriever, paper, positiveInt(v.k, '-k', 5, 25));
    if (v.json) {
      printJson(io, { paper: { paperId: paper.id, title: paper.title }, similar: result.similar });
      return 0;
    }
    io.out(`Papers similar to "${paper.title}":\n`);
    result.similar.forEach((s, i) => {
      io.out(`${String(i + 1).padStart(2)}. [${s.paperId}] ${s.title}\n      ${s.why.slice(0, 200)}\n`);
    });
    return 0;
  },
};
