import { openRetriever } from '../../context.js';
import { addedText } from '../../search-filter.js';
import { jsonOpt, requireText } from '../args.js';
import { printJson } from '../output.js';
import { lookupPaper } from '../paper-lookup.js';
import type { Command } from '../types.js';

export const paper: Command = {
  summary: 'Show one paper by id or title.',
  usage: 'research-bot paper <id-or-title> [--json]',
  options: { ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    const q = requireText(pos.join(' '), 'paper id or title');
    const retriever = await openRetriever(config, { logger, autoIngest: true, embedder: null });
    const paper = await lookupPaper(io, retriever, q, { json: Boolean(v.json) });
    if (typeof paper === 'number') return paper;
    if (v.json) {
      printJson(io, paper);
      return 0;
    }
    io.out(`${paper.title}\n  id: ${paper.id}\n`);
    if (paper.date) io.out(`  date: ${paper.date}\n`);
    const added = addedText(paper);
    if (added) io.out(`  ${added}\n`);
    if (paper.authorsCount) io.out(`  authors: ${paper.authors?.join(', ') ?? paper.authorsCount}\n`);
    io.out(`  sources: ${paper.sources.join(', ')}\n`);
    if (paper.links.length) io.out(`  links: ${paper.links.join(' ')}\n`);
    io.out(`\n${paper.abstract}\n`);
    return 0;
  },
};
