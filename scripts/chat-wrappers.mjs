#!/usr/bin/env node
// The bank's questions wrapped in chat ("tldr: {q} thx"), half by half: `node scripts/chat-wrappers.mjs
// tuning|heldout [questions.jsonl]` (after `npm run build`, offline; eval/bank.jsonl by default). For each wrapper of eval/chat-wrappers.json's set
// of that name, runs the eval on the bank's half of the same name with every question wrapped, and
// prints the numbers next to the unwrapped ones: a question in chat wording should be answered as the
// question alone; "graded as unwrapped" counts the questions whose confidence is the same wrapped as not.
// Tuning wrappers were read and tuned on; held-out ones judge.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = (...p) => pathToFileURL(join(root, 'dist', 'src', ...p)).href;
if (!existsSync(join(root, 'dist', 'src', 'answer', 'eval.js'))) {
  console.error('Build first: npm run build');
  process.exit(1);
}
const split = process.argv[2];
if (split !== 'tuning' && split !== 'heldout') {
  console.error('Usage: node scripts/chat-wrappers.mjs tuning|heldout [questions.jsonl]');
  process.exit(2);
}
const { runEval } = await import(dist('answer', 'eval.js'));
const { loadConfig } = await import(dist('config.js'));
const { openRetriever } = await import(dist('context.js'));

const wrappers = JSON.parse(readFileSync(join(root, 'eval', 'chat-wrappers.json'), 'utf8'))[split];
const bank = readFileSync(process.argv[3] ?? join(root, 'eval', 'bank.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l))
  .filter((q) => q.split === split);
const retriever = await openRetriever(loadConfig(), { embedder: null });

/**
 * The numbers compared: recall, answerable hedged and refused, unanswerable flagged, numeric keys, expected paper
 * cited, and how many questions are graded as they are unwrapped (`same`; all of them when there is no `plain`).
 */
async function measure(questions, plain) {
  const r = await runEval({ retriever }, questions);
  const answerable = r.perQuestion.filter((p) => p.kind !== 'unanswerable');
  const unanswerable = r.perQuestion.filter((p) => p.kind === 'unanswerable');
  return {
    r5: r.overall.r5,
    low: answerable.filter((p) => p.confidence === 'low').length,
    refused: answerable.filter((p) => p.confidence === 'none').length,
    flagged: unanswerable.filter((p) => p.confidence !== 'high').length,
    numeric: r.numeric.hits,
    cited: answerable.filter((p) => p.expectedCited).length,
    grades: new Map(r.perQuestion.map((p) => [p.id, p.confidence])),
    same: r.perQuestion.filter((p) => !plain || p.confidence === plain.grades.get(p.id)).length,
  };
}

const fmt = (m) =>
  `R@5 ${m.r5.toFixed(3)}  answerable low ${m.low}  refused ${m.refused}  unanswerable flagged ${m.flagged}  ` +
  `numeric ${m.numeric}  cited ${m.cited}  graded as unwrapped ${m.same}`;
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
