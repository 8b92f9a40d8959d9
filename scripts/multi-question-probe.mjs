#!/usr/bin/env node
// Several questions in one message against the same questions asked one at a time, half by half:
// `node scripts/multi-question-probe.mjs tuning|heldout [messages.jsonl]` (after `npm run build`, offline;
// eval/multi-question.jsonl by default: "1) what does DropPos pretrain ViTs to do? 2) how many GPU hours did
// Open-Qwen2VL take?" against its two parts).
// A message should be answered as its parts are: `high` when every part alone is, `none` when every part alone is,
// else `low`; and it should cite each answerable part's paper. Counts, per half: messages graded as their parts,
// messages citing every part's expected paper, parts whose expected paper the message cites, and messages with a
// part nothing answers that are flagged (`low` or `none`).
import { join } from 'node:path';
import { halfArg, openProbe, questionsOf, root } from './probe-eval.mjs';

const split = halfArg(process.argv[2], 'node scripts/multi-question-probe.mjs tuning|heldout [messages.jsonl]');
const messages = questionsOf(process.argv[3] ?? join(root, 'eval', 'multi-question.jsonl'), split);
const { ask } = await openProbe();

/** The grade a message earns from its parts' grades, asked alone. */
function expectedGrade(grades) {
  if (grades.every((g) => g === 'high')) return 'high';
  if (grades.every((g) => g === 'none')) return 'none';
  return 'low';
}

let graded = 0;
let allCited = 0;
let partsCited = 0;
let answerableParts = 0;
let withGap = 0;
let gapFlagged = 0;
for (const m of messages) {
  const asked = await ask(m.question);
  const alone = [];
  for (const part of m.parts) alone.push(await ask(part));
  const want = expectedGrade(alone.map((a) => a.confidence));
  if (asked.confidence === want) graded++;
  const cited = new Set(asked.citations.map((c) => c.title));
  const expected = m.expected_titles.filter((titles) => titles.length > 0);
  const hits = expected.filter((titles) => titles.some((t) => cited.has(t))).length;
  answerableParts += expected.length;
  partsCited += hits;
  if (hits === expected.length) allCited++;
  if (expected.length < m.expected_titles.length) {
    withGap++;
    if (asked.confidence !== 'high') gapFlagged++;
  }
  if (asked.confidence !== want || hits < expected.length) {
    const parts = alone.map((a) => a.confidence).join('/');
    console.log(`  ${m.id} ${asked.confidence} (parts: ${parts}), cites ${hits}/${expected.length}  ${JSON.stringify(m.question)}`);
  }
}
console.log(
  `${split} half, ${messages.length} messages: graded as their parts ${graded}, cite every part's paper ${allCited}, ` +
    `parts cited ${partsCited}/${answerableParts}, with a part nothing answers flagged ${gapFlagged}/${withGap}`,
);
process.exit(0);
