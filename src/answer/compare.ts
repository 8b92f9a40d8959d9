/**
 * Side-by-side comparison of 2–4 papers: problem, method, data/scale and headline numbers, picked
 * from each abstract's own sentences (offline), and, with a model, prose that compares them with
 * [n] citations above the same table.
 */
import type { Paper } from '../corpus/types.js';
import { AppError } from '../errors.js';
import { splitSentences } from '../index/sentences.js';
import { validateCitations } from './citations.js';
import { quoteCorpusText } from './digest.js';
import type { AnswerResult, Citation, EngineDeps, SourceInfo } from './engine.js';
import { formatSources, renderPrompt } from './prompts.js';
import { sanitizeModelText } from './safe-text.js';
import { abstractLinks, paperUrl, type Source } from './sources.js';

export interface PaperProfile {
  problem: string;
  method: string;
  data: string;
  numbers: string;
}

export interface ComparisonRow extends PaperProfile {
  marker: number;
  paperId: string;
  title: string;
}

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 4;
const NOT_STATED = 'not stated in the abstract';
const CELL = 240;

const PROBLEM =
  /\b(?:problem|challenge|challenging|limitation|bottleneck|however|suffer|difficult|remains?|lack|costly|expensive|struggle|issue)/i;
const METHOD = new RegExp(
  '\\b(?:we (?:propose|present|introduce|develop|design|describe|train|build)|this (?:paper|work) (?:proposes|presents|introduces)' +
    '|our (?:method|approach|model|framework)|called|dubbed|named)\\b',
  'i',
);
// Data and scale: named datasets or sizes first; the bare words only when no sentence has those.
const DATA_STRONG = new RegExp(
  [
    '\\b(?:ImageNet|COCO|GLUE|SuperGLUE|SQuAD|MMLU|GSM8K|HumanEval|WMT|LibriSpeech|Kinetics|C4|The Pile|RefinedWeb)\\b',
    '\\d+(?:\\.\\d+)?\\s?[BMKT]\\b',
    '\\b\\d+(?:\\.\\d+)?\\s?(?:billion|million|thousand|trillion)\\b',
    '\\b\\d[\\d,.]*\\s?(?:tokens|images|videos|hours|parameters|samples|examples|GPUs?)\\b',
  ].join('|'),
  'i',
);
const DATA_WEAK = /\b(?:datasets?|benchmarks?|corpus|corpora|trained on|pre-?train(?:ed|ing)? on|parameters)\b/i;
const NUMBER = /\d+(?:\.\d+)?\s?(?:%|x\b|×|times\b|points?\b|BLEU|F1|mAP|AP\b|accuracy)|\bstate-of-the-art\b|\bsota\b|\boutperform/gi;

function clip(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= CELL ? t : `${t.slice(0, CELL - 1).replace(/\s+\S*$/, '')}…`;
}

/** The four cells for one paper, each a sentence quoted from its abstract (or "not stated"). */
export function profilePaper(paper: Pick<Paper, 'abstract'>): PaperProfile {
  const sentences = splitSentences(paper.abstract);
  const used = new Set<number>();
  const pick = (re: RegExp, fallback?: number): string => {
    let i = sentences.findIndex((s, k) => !used.has(k) && re.test(s));
    if (i < 0 && fallback !== undefined && fallback < sentences.length && !used.has(fallback)) i = fallback;
    if (i < 0) return NOT_STATED;
    used.add(i);
    return clip(sentences[i]);
  };
  const method = pick(METHOD, 1);
  const methodAt = sentences.findIndex((x) => clip(x) === method);
  // The problem is what the abstract sets up before its method: a cue sentence there, else its opening.
  const before = sentences.findIndex((x, k) => k < methodAt && PROBLEM.test(x));
  const problemAt = before >= 0 ? before : methodAt !== 0 ? 0 : sentences.findIndex((x, k) => k !== methodAt && PROBLEM.test(x));
  const problem = problemAt >= 0 && problemAt < sentences.length ? clip(sentences[problemAt]) : NOT_STATED;
  if (problemAt >= 0) used.add(problemAt);
  // Headline numbers: the sentence with the most measured results.
  let best = -1;
  let bestCount = 0;
  sentences.forEach((s, k) => {
    const count = s.match(NUMBER)?.length ?? 0;
    if (count > bestCount && !used.has(k)) {
      best = k;
      bestCount = count;
    }
  });
  const numbers = best >= 0 ? clip(sentences[best]) : NOT_STATED;
  if (best >= 0) used.add(best);
  const strong = pick(DATA_STRONG);
  const data = strong !== NOT_STATED ? strong : pick(DATA_WEAK);
  return { problem, method, data, numbers };
}

export function comparisonRows(papers: Array<{ marker: number; paper: Paper }>): ComparisonRow[] {
  return papers.map(({ marker, paper }) => ({
    marker,
    paperId: paper.id,
    title: paper.title,
    ...Object.fromEntries(Object.entries(profilePaper(paper)).map(([k, v]) => [k, quoteCorpusText(v)])),
  })) as ComparisonRow[];
}

export const COMPARE_COLUMNS: Array<[keyof PaperProfile, string]> = [
  ['problem', 'Problem'],
  ['method', 'Method'],
  ['data', 'Data / scale'],
  ['numbers', 'Headline numbers'],
];

/** The table as plain text, one block per paper: for the CLI, the model's prompt and the attachment. */
export function comparisonText(rows: ComparisonRow[]): string {
  return rows
    .map((r) => [`[${r.marker}] ${r.title}`, ...COMPARE_COLUMNS.map(([k, label]) => `  ${label}: ${r[k]}`)].join('\n'))
    .join('\n\n');
}

function offlineText(rows: ComparisonRow[]): string {
  const names = rows.map((r) => `"${quoteCorpusText(r.title)}" [${r.marker}]`);
  const lead = `Comparing ${rows.length} papers side by side (quoted from their abstracts): ${names.slice(0, -1).join(', ')} and ${names.at(-1)}.`;
  return [lead, ...rows.map((r) => `**[${r.marker}]** ${r.method === NOT_STATED ? r.problem : r.method} [${r.marker}]`)].join('\n\n');
}

export type ComparisonResult = AnswerResult & { comparison: ComparisonRow[] };

/** Compare 2–4 papers (numbered 1..n here; a thread renumbers afterwards). */
export async function comparePapers(
  deps: EngineDeps,
  papers: Paper[],
  question: string,
  opts: { signal?: AbortSignal } = {},
): Promise<ComparisonResult> {
  const started = Date.now();
  const unique = [...new Map(papers.map((p) => [p.id, p])).values()];
  if (unique.length < COMPARE_MIN || unique.length > COMPARE_MAX)
    throw new AppError('QUESTION_INVALID', `Pick ${COMPARE_MIN} to ${COMPARE_MAX} different papers to compare (got ${unique.length}).`);
  const sources: Source[] = unique.map((paper, i) => ({
    marker: i + 1,
    paper,
    score: 1,
    passages: [paper.abstract],
    url: paperUrl(paper),
    links: abstractLinks(paper),
  }));
  const rows = comparisonRows(sources);
  const citations: Citation[] = sources.map((s) => ({
    marker: s.marker,
    paperId: s.paper.id,
    title: s.paper.title,
    url: s.url,
    links: s.links,
  }));
  const infos: SourceInfo[] = sources.map((s, i) => ({ ...citations[i], date: s.paper.date, score: 1 }));
  const retriever = deps.retriever;
  const base = {
    question,
    query: question,
    confidence: 'high' as const,
    abstained: false,
    citations,
    sources: infos,
    droppedCitations: 0,
    retrieval: retriever.mode === 'hybrid' ? ('hybrid' as const) : ('lexical' as const),
    evidence: { coverage: 1, sharedIdf: 0, askedIdf: 0, unknownTerms: [], knownTerms: 0, topScore: 0 },
    comparison: rows,
  };
  let fallbackReason: string | undefined;
  if (deps.chat) {
    try {
      const messages = await renderPrompt('compare', {
        sources: formatSources(sources),
        table: comparisonText(rows),
        question,
        maxWords: '200',
      });
      const reply = await deps.chat.complete(messages, { signal: opts.signal, budgetMs: deps.budgetMs ?? deps.chat.totalBudgetMs });
      const check = validateCitations(sanitizeModelText(reply.text).trim(), sources.length);
      if (check.cited.length && !reply.cutOff)
        return { ...base, answer: check.text, mode: 'llm', droppedCitations: check.dropped, durationMs: Date.now() - started };
      fallbackReason = reply.cutOff ? "the model's comparison was cut off" : "the model's comparison cited no paper";
    } catch (err) {
      if (err instanceof AppError && err.code !== 'LLM_FAILED') throw err;
      fallbackReason = 'the language model failed';
    }
  }
  const text = offlineText(rows);
  return {
    ...base,
    answer: fallbackReason ? `_Showing the extracted comparison because ${fallbackReason}._\n\n${text}` : text,
    mode: 'extractive',
    ...(fallbackReason ? { fallbackReason } : {}),
    durationMs: Date.now() - started,
  };
}
