#!/usr/bin/env node
// Deals the question bank into tuning and held-out halves, once: `node scripts/split-bank.mjs [eval/bank.jsonl]`
// (after `npm run build`). The split is a pure function of the ids, kinds and seed (assignSplits in
// src/answer/eval.ts), so test/answer/bank.test.ts can recompute it. A bank that already carries a
// different split is left alone: re-dealing after seeing results would leak them into tuning.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'src', 'answer', 'eval.js');
if (!existsSync(entry)) {
  console.error('Build first: npm run build');
  process.exit(1);
}
const { assignSplits, BANK_SPLIT_SEED } = await import(pathToFileURL(entry).href);

const file = process.argv[2] ?? join(root, 'eval', 'bank.jsonl');
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));
const splits = assignSplits(rows, BANK_SPLIT_SEED);
const differing = rows.filter((r) => r.split !== undefined && r.split !== splits.get(r.id));
if (differing.length) {
  console.error(`${differing.length} question(s) already carry a different split (e.g. ${differing[0].id}); not re-dealing.`);
  process.exit(1);
}
// "split" goes last so the rest of each line reads as in eval/dev.jsonl.
const out = rows.map((r) => JSON.stringify({ ...r, split: splits.get(r.id) }));
writeFileSync(file, `${out.join('\n')}\n`);
const count = (s) => rows.filter((r) => splits.get(r.id) === s).length;
console.log(`${file}: ${count('tuning')} tuning, ${count('heldout')} heldout (seed ${BANK_SPLIT_SEED})`);
