#!/usr/bin/env node
// Questions asked the way people ask in chat against the same questions put plainly, half by half:
// `node scripts/phrasing-probe.mjs tuning|heldout [pairs.jsonl]` (after `npm run build`, offline;
// eval/peer-phrasing.jsonl by default: "how do people compress the KV cache?" against "how can the KV cache be
// compressed?"; eval/talk-phrasing.jsonl: "what's the hype about mixture of experts?" against "mixture of experts";
// eval/peer-object-phrasing.jsonl: "what benchmark do people use for code generation?" against "what benchmarks evaluate
// code generation?"; eval/aspect-phrasing.jsonl: "what are the downsides of model merging?" against "what are the
// limitations of model merging?"); eval/idiom-phrasing.jsonl: "whats the lowdown on byte-level LMs" against "what is known
// about byte-level LMs?").
// How it is asked should not change the answer: counts the questions that get the confidence and the first
// citation their plain form gets, and those not answered `high`. Each file was split into halves before any rule
// was written for it.
import { join } from 'node:path';
import { halfArg, openProbe, questionsOf, root } from './probe-eval.mjs';

const split = halfArg(process.argv[2], 'node scripts/phrasing-probe.mjs tuning|heldout [pairs.jsonl]');
const pairs = questionsOf(process.argv[3] ?? join(root, 'eval', 'peer-phrasing.jsonl'), split);
const { ask } = await openProbe();
let sameConfidence = 0;
let sameFirst = 0;
let notHigh = 0;
for (const p of pairs) {
  const [asked, plain] = [await ask(p.question), await ask(p.plain)];
  if (asked.confidence !== 'high') notHigh++;
  if (asked.confidence === plain.confidence) sameConfidence++;
  else console.log(`  ${p.id} ${asked.confidence} (plain: ${plain.confidence})  ${p.question}`);
  if (asked.citations[0]?.paperId === plain.citations[0]?.paperId) sameFirst++;
}
console.log(
  `${split} half, ${pairs.length} questions: same confidence as plain ${sameConfidence}, same first citation ${sameFirst}, ` +
    `not answered high ${notHigh}`,
);
process.exit(0);
