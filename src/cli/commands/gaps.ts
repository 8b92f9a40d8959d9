import { openRetriever } from '../../context.js';
import { noProgress } from '../../index/progress.js';
import { findGaps } from '../../radar/gaps.js';
import { jsonOpt, positiveInt } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const gaps: Command = {
  summary: 'Questions the corpus answers poorly (abstained, low confidence, or voted down), grouped by wording.',
  usage: 'research-bot gaps [-n N] [--json]',
  options: { n: { type: 'string', short: 'n' }, ...jsonOpt },
  async run({ config, logger, io }, v) {
    const limit = positiveInt(v.n, '-n', 20);
    const retriever = await openRetriever(config, { logger, progress: noProgress });
    try {
      const gaps = await findGaps(config.feedbackDir, retriever, { limit });
      if (v.json) {
        printJson(io, { gaps });
        return 0;
      }
      if (!gaps.length) io.out('No gaps: no question was abstained on, answered with low confidence, or voted down.\n');
      gaps.forEach((g, i) => {
        const why = Object.entries(g.reasons)
          .filter(([, n]) => n)
          .map(([r, n]) => `${n} ${r}`)
          .join(', ');
        io.out(`${i + 1}. "${oneLine(g.question)}"  (${g.count}× — ${why}; last ${g.lastAsked})\n`);
        for (const w of g.variants) io.out(`     also: "${oneLine(w)}"\n`);
        if (g.closest.length) io.out(`     closest: ${g.closest.map((p) => p.title).join(' | ')}\n`);
        for (const n of g.notes)
          io.out(`     👎 note: ${JSON.stringify(n.note)}${n.question !== g.question ? ` (on "${oneLine(n.question)}")` : ''}\n`);
      });
      return 0;
    } finally {
      await retriever.store.close();
    }
  },
};

/** A question asked over several lines, on one line of the listing. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ');
