#!/usr/bin/env node
// Questions with one typo, half by half: `node scripts/typo-probe.mjs tuning|heldout [questions.jsonl] [--first] [--capitalised]`
// (after `npm run build`, offline; eval/bank.jsonl by default). Each question gets one typo in its longest plain
// lower-case word of six letters or more (with --first: its first such word of four or more), of four kinds: two
// middle letters swapped, the middle letter dropped, doubled, or changed. Prints the eval's numbers for the
// questions as written and for each kind, and "graded as written": how many get the confidence they get without the typo.
// With --capitalised, every question (as written too) starts with a capital, as at the start of a sentence.
import { join } from 'node:path';
import { fmt as format, halfArg, openProbe, questionsOf, root } from './probe-eval.mjs';

const args = process.argv.slice(2);
const first = args.includes('--first');
const capitalised = args.includes('--capitalised');
const [half, file] = args.filter((a) => !a.startsWith('--'));
const split = halfArg(half, 'node scripts/typo-probe.mjs tuning|heldout [questions.jsonl] [--first] [--capitalised]');
const capital = (q) => (capitalised ? q.charAt(0).toUpperCase() + q.slice(1) : q);
const questions = questionsOf(file ?? join(root, 'eval', 'bank.jsonl'), split).map((q) => ({ ...q, question: capital(q.question) }));
const { measure } = await openProbe();
const fmt = (m) => format(m, 'written');

const middle = (w) => Math.floor(w.length / 2);
const kinds = {
  swapped: (w, i = middle(w)) => w.slice(0, i - 1) + w[i] + w[i - 1] + w.slice(i + 1),
  dropped: (w, i = middle(w)) => w.slice(0, i) + w.slice(i + 1),
  doubled: (w, i = middle(w)) => w.slice(0, i) + w[i] + w.slice(i),
  changed: (w, i = middle(w)) => w.slice(0, i) + (w[i] === 'e' ? 'a' : 'e') + w.slice(i + 1),
};
const WORD = first ? /(?<![\w-])[a-z]{4,}(?![\w-])/g : /(?<![\w-])[a-z]{6,}(?![\w-])/g;

function withTypo(written, typo) {
  // The typo goes into the question as asked before any capital, so --capitalised can put it into the first word.
  const question = capitalised ? written.charAt(0).toLowerCase() + written.slice(1) : written;
  const words = [...question.matchAll(WORD)];
  if (!words.length) return capital(question);
  const w = first ? words[0] : words.reduce((a, b) => (b[0].length > a[0].length ? b : a));
  return capital(question.slice(0, w.index) + typo(w[0]) + question.slice(w.index + w[0].length));
}

const plain = await measure(questions);
console.log(`${split} half, ${questions.length} questions; as written: ${fmt(plain)}`);
for (const [name, typo] of Object.entries(kinds)) {
  const m = await measure(
    questions.map((q) => ({ ...q, question: withTypo(q.question, typo) })),
    plain,
  );
  console.log(`${name.padEnd(8)} ${fmt(m)}`);
}
process.exit(0);
