#!/usr/bin/env node
// Asking what to read against the same topic asked plainly, half by half:
// `node scripts/reading-probe.mjs tuning|heldout [requests.jsonl]` (after `npm run build`, offline;
// eval/reading-requests.jsonl by default: "new to MoE, what should i read first?" against "which papers are about MoE?").
// How a reading list is asked for should not change which papers it gets: counts, per half, the expected papers the
// request cites and those its plain form cites, requests citing at least one expected paper, requests graded as
// their plain form, and, for topics no paper here is about, requests flagged (`low` or `none`).
import { join } from 'node:path';
import { halfArg, openProbe, questionsOf, root } from './probe-eval.mjs';

const split = halfArg(process.argv[2], 'node scripts/reading-probe.mjs tuning|heldout [requests.jsonl]');
const requests = questionsOf(process.argv[3] ?? join(root, 'eval', 'reading-requests.jsonl'), split);
const { ask } = await openProbe();

const citedOf = (answer, titles) => {
  const cited = new Set(answer.citations.map((c) => c.title));
  return titles.filter((t) => cited.has(t)).length;
};

const n = { expected: 0, cited: 0, plainCited: 0, anyCited: 0, answerable: 0, high: 0, same: 0, gaps: 0, flagged: 0, plainFlagged: 0 };
let papers = 0;
for (const r of requests) {
  const [asked, plain] = [await ask(r.question), await ask(r.plain)];
  if (asked.confidence === plain.confidence) n.same++;
  papers += asked.citations.length;
  let note = asked.confidence === plain.confidence ? '' : `${asked.confidence} (plain: ${plain.confidence})`;
  if (r.expected_titles.length === 0) {
    n.gaps++;
    if (asked.confidence !== 'high') n.flagged++;
    if (plain.confidence !== 'high') n.plainFlagged++;
  } else {
    n.answerable++;
    const [mine, theirs] = [citedOf(asked, r.expected_titles), citedOf(plain, r.expected_titles)];
    n.expected += r.expected_titles.length;
    n.cited += mine;
    n.plainCited += theirs;
    if (mine > 0) n.anyCited++;
    if (asked.confidence === 'high') n.high++;
    if (mine < theirs || mine === 0) note += ` cites ${mine}/${r.expected_titles.length} (plain ${theirs})`;
  }
  if (note) console.log(`  ${r.id} ${note.trim()}  ${JSON.stringify(r.question)}`);
}
console.log(
  `${split} half, ${requests.length} requests: expected papers cited ${n.cited}/${n.expected} (plain form ${n.plainCited}), ` +
    `citing one or more ${n.anyCited}/${n.answerable}, answered high ${n.high}/${n.answerable}, ` +
    `graded as plain ${n.same}/${requests.length}, topic nothing covers flagged ${n.flagged}/${n.gaps} (plain form ${n.plainFlagged}), ` +
    `papers cited per request ${(papers / Math.max(1, requests.length)).toFixed(2)}`,
);
process.exit(0);
