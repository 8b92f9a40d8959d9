import { similarPapers } from '../../answer/engine.js';
import { openRetriever } from '../../context.js';
import { AppError } from '../../errors.js';
import { findPaper } from '../../index/search.js';
import { jsonOpt, positiveInt, requireText } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const similar: Command = {
  summary: 'Papers similar to a given paper.',
  usage: 'research-bot similar <paper-id-or-title> [-k N] [--json]',
  options: { k: { type: 'string', short: 'k' }, ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    const q = requireText(pos.join(' '), 'paper id or title');
    const retriever = await openRetriever(config, { logger, autoIngest: true });
    const paper = findPaper(retriever.store, q);
    if (!paper) throw new AppError('PAPER_NOT_FOUND', `No paper matches "${q.slice(0, 100)}". Try \`research-bot search\`.`);
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
