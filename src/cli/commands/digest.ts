import { openRetriever } from '../../context.js';
import { AppError } from '../../errors.js';
import { noProgress } from '../../index/progress.js';
import { paperUrl } from '../../answer/sources.js';
import { digestSince } from '../../radar/digest.js';
import { openRadarStore } from '../../radar/open.js';
import { parseSince } from '../../radar/since.js';
import { jsonOpt } from '../args.js';
import { printJson, round } from '../output.js';
import type { Command } from '../types.js';

export const digest: Command = {
  summary: 'Papers first seen since a date that match watched topics (or --topic), grouped by topic.',
  usage: 'research-bot digest --since YYYY-MM-DD|ISO-TIME [--topic T]... [--json]',
  options: { since: { type: 'string' }, topic: { type: 'string', multiple: true }, ...jsonOpt },
  async run({ config, logger, io }, v) {
    if (typeof v.since !== 'string') throw new AppError('USAGE', 'Please give --since (a date like 2026-11-20).');
    const since = parseSince(v.since);
    const radar = await openRadarStore(config, { logger });
    try {
      let topics = (v.topic as string[] | undefined) ?? [];
      if (!topics.length) topics = [...new Set((await radar.listWatches()).map((w) => w.topic))];
      if (!topics.length) throw new AppError('USAGE', 'No channel watches a topic yet: give one with --topic.');
      const retriever = await openRetriever(config, { logger, progress: noProgress });
      try {
        const view = await digestSince(radar, retriever, { since, topics });
        if (v.json) {
          printJson(io, {
            since: view.since,
            newPapers: view.newPapers,
            topics: view.topics,
            groups: view.groups.map((g) => ({
              topic: g.topic,
              more: g.more,
              papers: g.matches.map((m) => ({
                paperId: m.paper.id,
                title: m.paper.title,
                url: paperUrl(m.paper),
                score: round(m.score),
                coverage: round(m.coverage),
                reason: m.reason,
                ...(m.firstSeen ? { firstSeen: m.firstSeen } : {}),
              })),
            })),
          });
          return 0;
        }
        io.out(`${view.newPapers} papers first seen since ${view.since}.\n`);
        if (!view.groups.length) io.out(`None matches ${view.topics.map((t) => `"${t}"`).join(', ')}.\n`);
        for (const g of view.groups) {
          io.out(`\n${g.topic}\n`);
          for (const [i, m] of g.matches.entries()) io.out(`  ${i + 1}. ${m.paper.title}\n     ${m.reason}\n     ${paperUrl(m.paper)}\n`);
          if (g.more) io.out(`  … and ${g.more} more\n`);
        }
        return 0;
      } finally {
        await retriever.store.close();
      }
    } finally {
      await radar.close();
    }
  },
};
