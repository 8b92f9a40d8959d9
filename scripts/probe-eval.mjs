// What scripts/chat-wrappers.mjs, scripts/typo-probe.mjs and scripts/phrasing-probe.mjs share: the built engine over the default index
// (offline), a half of a question file, and the numbers each compares: recall, answerable hedged and refused,
// unanswerable flagged, numeric keys, expected paper cited, and how many questions keep the confidence they get
// as written (`same`; all of them without `plain`).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = (...p) => pathToFileURL(join(root, 'dist', 'src', ...p)).href;

export async function openProbe() {
  if (!existsSync(join(root, 'dist', 'src', 'answer', 'eval.js'))) {
    console.error('Build first: npm run build');
    process.exit(1);
  }
  const { runEval } = await import(dist('answer', 'eval.js'));
  const { answerQuestion } = await import(dist('answer', 'engine.js'));
  const { loadConfig } = await import(dist('config.js'));
  const { openRetriever } = await import(dist('context.js'));
  const retriever = await openRetriever(loadConfig(), { embedder: null });

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
  return { measure, ask: (question) => answerQuestion({ retriever }, question) };
}

/** The half a probe was asked for (`tuning` or `heldout`); anything else prints the usage and exits. */
export function halfArg(split, usage) {
  if (split === 'tuning' || split === 'heldout') return split;
  console.error(`Usage: ${usage}`);
  process.exit(2);
}

/** The questions of one half (`tuning` or `heldout`) of a question file. */
export function questionsOf(file, split) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .filter((q) => q.split === split);
}

/** One line of numbers; `sameAs` names what `same` compares with ("unwrapped", "written"). */
export const fmt = (m, sameAs) =>
  `R@5 ${m.r5.toFixed(3)}  answerable low ${m.low}  refused ${m.refused}  unanswerable flagged ${m.flagged}  ` +
  `numeric ${m.numeric}  cited ${m.cited}  graded as ${sameAs} ${m.same}`;
