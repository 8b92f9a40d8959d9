#!/usr/bin/env node
// The bank's questions wrapped in chat ("tldr: {q} thx"), half by half: `node scripts/chat-wrappers.mjs
// tuning|heldout [questions.jsonl] [wrappers.json]` (after `npm run build`, offline; eval/bank.jsonl by default).
// For each wrapper of eval/chat-wrappers.json's set of that name (or of another file's: its set of that name, or all its wrappers if it has no sets, as
// eval/relay-wrappers.json), runs the eval on the bank's half of the same name with every question wrapped, and
// prints the numbers next to the unwrapped ones: a question in chat wording should be answered as the
// question alone; "graded as unwrapped" counts the questions whose confidence is the same wrapped as not.
// Tuning wrappers were read and tuned on; held-out ones judge.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt as format, halfArg, openProbe, questionsOf, root } from './probe-eval.mjs';

const split = halfArg(process.argv[2], 'node scripts/chat-wrappers.mjs tuning|heldout [questions.jsonl] [wrappers.json]');
const file = JSON.parse(readFileSync(process.argv[4] ?? join(root, 'eval', 'chat-wrappers.json'), 'utf8'));
const wrappers = file[split] ?? Object.fromEntries(Object.entries(file).filter(([name]) => !name.startsWith('_')));
const bank = questionsOf(process.argv[3] ?? join(root, 'eval', 'bank.jsonl'), split);
const { measure } = await openProbe();
const fmt = (m) => format(m, 'unwrapped');
const plain = await measure(bank);
console.log(`${split} half, ${bank.length} questions; unwrapped: ${fmt(plain)}`);
const all = [];
for (const [name, template] of Object.entries(wrappers)) {
  const m = await measure(
    bank.map((q) => ({ ...q, question: template.replace('{q}', q.question) })),
    plain,
  );
  all.push(m);
  console.log(`${name.padEnd(28)} ${fmt(m)}`);
}
const mean = (k) => all.reduce((s, m) => s + m[k], 0) / all.length;
const refusedTotal = all.reduce((s, m) => s + m.refused, 0);
const refusing = all.filter((m) => m.refused > 0).length;
console.log(
  `mean over ${all.length} wrappers: R@5 ${mean('r5').toFixed(3)}  answerable low ${mean('low').toFixed(2)}  ` +
    `refused ${mean('refused').toFixed(2)} (total ${refusedTotal}, in ${refusing} wrappers)  unanswerable flagged ${mean('flagged').toFixed(2)}  ` +
    `numeric ${mean('numeric').toFixed(2)}  cited ${mean('cited').toFixed(2)}  graded as unwrapped ${mean('same').toFixed(2)}`,
);
process.exit(0);
