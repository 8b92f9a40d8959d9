/**
 * The bot's behaviour as plain functions over a BotContext: no Discord objects in or out (views
 * are plain API embed JSON), so tests and other front ends can drive them directly.
 */
import { DIGEST_OPENER } from '../answer/digest.js';
import type { APIEmbed } from 'discord.js';
import type { Paper } from '../corpus/types.js';
import {
  answerQuestion,
  cleanQuestion,
  similarPapers,
  summarizeTopic,
  type AnswerResult,
  type Citation,
  type SourceInfo,
  type SummaryResult,
} from '../answer/engine.js';
import { keySentences } from '../answer/digest.js';
import type { ComparisonRow } from '../answer/compare.js';
import { answerInThread } from '../answer/thread.js';
import { threadRecords } from './thread-records.js';
import type { Turn } from '../answer/followup.js';
import { abstractLinks, arxivSearchUrl, paperUrl } from '../answer/sources.js';
import { configToEnv } from '../config.js';
import { openRetriever, runAddPapers, runIngest } from '../context.js';
import type { AddPapersResult, IncomingFile } from '../corpus/add-papers.js';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';
import type { IngestSummary } from '../index/ingest.js';
import type { Progress } from '../index/progress.js';
import { findPaper, type SearchFilter } from '../index/search.js';
import type { SearchStore } from '../index/search-store.js';
import { siblingModule } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { addedText, describeFilter, hasUserFilter } from '../search-filter.js';
import type { BotContext } from './context.js';
import { newAnswerId, type AnswerKind, type AnswerRecord } from './feedback.js';
import type { Ticket } from './limiter.js';
import { COLOR } from './render/answer.js';
import { fitEmbed, joinLinesWithin } from './render/embed.js';
import { LIMITS, escapeMarkdownText, mdLink, oneLine, truncate } from './render/text.js';

export { cleanQuestion };

// ---------------------------------------------------------------------------------------------
// Admission
// ---------------------------------------------------------------------------------------------

export type Admission =
  | { ok: true; ticket: Ticket }
  | { ok: false; reason: 'cooldown' | 'busy' | 'stopping'; message: string; retryAfterMs?: number };

/** Cooldown + concurrency decision for one answer, taken synchronously. */
export function admit(ctx: BotContext, userId: string): Admission {
  if (ctx.stopping) return { ok: false, reason: 'stopping', message: 'The bot is restarting. Please try again in a minute.' };
  const cd = ctx.cooldowns.take(userId);
  if (!cd.ok) {
    const secs = Math.max(1, Math.ceil(cd.retryAfterMs / 1000));
    return {
      ok: false,
      reason: 'cooldown',
      message: `${ERROR_CODES.RATE_LIMITED} You can ask again in ${secs} s.`,
      retryAfterMs: cd.retryAfterMs,
    };
  }
  const ticket = ctx.gate.tryEnter();
  if (!ticket) {
    ctx.cooldowns.refund(userId);
    return { ok: false, reason: 'busy', message: ERROR_CODES.BUSY };
  }
  return { ok: true, ticket };
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

export interface AnswerRequest {
  question: string;
  kind: AnswerKind;
  history?: Turn[];
  /** Inside a conversation thread: its answer records, oldest first (its numbered source list is rebuilt from them). */
  thread?: AnswerRecord[];
  /** Date filter from the command's options. */
  filter?: SearchFilter;
  userId?: string;
  guildId?: string;
  channelId?: string;
  threadId?: string;
  /** Streaming: called with the model's text so far (LLM mode only). */
  onPreview?: (textSoFar: string) => void;
  signal?: AbortSignal;
}

export function toRecord(
  ctx: BotContext,
  r: (AnswerResult | SummaryResult) & { question?: string; topic?: string; query?: string; comparison?: ComparisonRow[] },
  req: Omit<AnswerRequest, 'onPreview' | 'signal' | 'history' | 'thread'>,
  retriever: { store: { generation: string } },
): AnswerRecord {
  return {
    type: 'answer',
    answerId: newAnswerId(),
    time: new Date().toISOString(),
    kind: req.kind,
    question: r.question ?? r.topic ?? req.question,
    ...(r.query && r.query !== r.question ? { query: r.query } : {}),
    answer: r.answer,
    mode: r.mode,
    abstained: r.abstained,
    confidence: r.confidence,
    citations: r.citations,
    sources: r.sources,
    droppedCitations: r.droppedCitations,
    ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
    ...(r.truncated ? { truncated: true } : {}),
    ...(ctx.chat ? { chatModel: ctx.chat.model } : {}),
    // What this answer actually used: a hybrid index answers lexically while embeddings are down.
    retrievalMode: r.retrieval,
    ...(r.retrievalFallback ? { retrievalFallback: r.retrievalFallback } : {}),
    indexGeneration: retriever.store.generation,
    durationMs: r.durationMs,
    ...(req.userId ? { userId: req.userId } : {}),
    ...(req.guildId ? { guildId: req.guildId } : {}),
    ...(req.channelId ? { channelId: req.channelId } : {}),
    ...(req.threadId ? { threadId: req.threadId } : {}),
    ...(r.comparison ? { comparison: r.comparison } : {}),
  };
}

/** Answer a question with citations and store the record durably (before any button can point at it). */
export async function computeAnswer(ctx: BotContext, req: AnswerRequest): Promise<AnswerRecord> {
  const retriever = ctx.retriever();
  const deps = { retriever, chat: ctx.chat, logger: ctx.logger, abstainThreshold: ctx.config.abstainThreshold };
  const opts = {
    filter: req.filter,
    signal: req.signal ?? ctx.shutdown.signal,
    onToken: req.onPreview ? (_d: string, soFar: string) => req.onPreview!(soFar) : undefined,
  };
  const result: AnswerResult & { comparison?: ComparisonRow[] } = req.thread
    ? await answerInThread(deps, req.question, req.threadId ? await threadRecords(ctx, req.threadId, req.thread) : req.thread, opts)
    : await answerQuestion(deps, req.question, { ...opts, history: req.history });
  const record = toRecord(ctx, result, { ...req, ...(result.comparison ? { kind: 'compare' as const } : {}) }, retriever);
  await ctx.store.saveAnswer(record);
  ctx.stats.answers++;
  ctx.logger.info('answered', {
    answerId: record.answerId,
    kind: record.kind,
    mode: record.mode,
    abstained: record.abstained,
    citations: record.citations.length,
    history: req.history?.length ?? 0,
    ms: result.durationMs,
    ...(record.fallbackReason ? { fallbackReason: record.fallbackReason } : {}),
  });
  return record;
}

export async function computeSummary(ctx: BotContext, req: AnswerRequest): Promise<AnswerRecord> {
  const retriever = ctx.retriever();
  const result = await summarizeTopic(
    { retriever, chat: ctx.chat, logger: ctx.logger, abstainThreshold: ctx.config.abstainThreshold },
    req.question,
    { signal: req.signal ?? ctx.shutdown.signal, onToken: req.onPreview ? (_d, soFar) => req.onPreview!(soFar) : undefined },
  );
  const record = toRecord(ctx, result, { ...req, kind: 'summarize' }, retriever);
  await ctx.store.saveAnswer(record);
  ctx.stats.answers++;
  ctx.logger.info('summarized', { answerId: record.answerId, mode: record.mode, abstained: record.abstained, ms: result.durationMs });
  return record;
}

/** Turns for the engine's follow-up handling, from stored answer records (oldest first). */
export function turnsFromRecords(records: AnswerRecord[], max = 6): Turn[] {
  return records
    .filter((r) => r.kind !== 'recap')
    .slice(-max)
    .map((r) => ({ question: r.question, answer: r.answer, citedTitles: r.citations.map((c) => c.title) }));
}

// ---------------------------------------------------------------------------------------------
// Thread recap (/summarize inside a bot thread)
// ---------------------------------------------------------------------------------------------

const DIGEST_NOTE = /^_Showing an extractive digest because[^\n]*_\s*/;

/** The first sentence or two of an answer (markers kept), at most ~`max` chars. */
export function leadSentences(text: string, max = 320): string {
  // An offline digest opens with "Found N relevant papers…": the lead is what the papers say.
  const body = text.replace(DIGEST_NOTE, '').replace(DIGEST_OPENER, '').replace(/\s+/g, ' ').trim();
  const sentences = body.match(/[^.!?]+[.!?]+(?:\s*\[\d+\])*|[^.!?]+$/g) ?? [body];
  let out = '';
  for (const s of sentences) {
    if (out && out.length + s.length > max) break;
    out += s;
    if (out.length >= max * 0.6) break;
  }
  return truncate(out.trim(), max + 40);
}

/**
 * A recap of a thread's answered questions, each with its citations renumbered into one shared
 * source list. Pure: the caller stores the returned record.
 */
export function buildThreadRecap(
  records: AnswerRecord[],
  meta: { threadName?: string; userId?: string; guildId?: string; channelId?: string; threadId?: string },
): AnswerRecord {
  const turns = records.filter((r) => r.kind !== 'recap');
  const byPaper = new Map<string, number>();
  const citations: Citation[] = [];
  const sources: SourceInfo[] = [];
  const globalMarker = (c: Citation | SourceInfo): number => {
    let m = byPaper.get(c.paperId);
    if (!m) {
      m = byPaper.size + 1;
      byPaper.set(c.paperId, m);
      const source = { ...c, marker: m };
      citations.push({ marker: m, paperId: c.paperId, title: c.title, url: c.url, links: c.links });
      sources.push({ score: 0, ...source } as SourceInfo);
    }
    return m;
  };
  const blocks: string[] = [];
  turns.forEach((r, i) => {
    const local = new Map<number, Citation | SourceInfo>();
    for (const s of r.sources) local.set(s.marker, s);
    for (const c of r.citations) local.set(c.marker, c);
    const q = escapeMarkdownText(truncate(oneLine(r.question), 200));
    let body: string;
    if (r.abstained) body = '_No answer in the corpus._';
    else {
      body = leadSentences(r.answer).replace(/\[(\d+)\]/g, (_m, n: string) => {
        const c = local.get(Number(n));
        return c ? `[${globalMarker(c)}]` : '';
      });
      // Answers whose lead sentence carries no marker still credit the papers they cited.
      if (!/\[\d+\]/.test(body) && r.citations.length)
        body +=
          ' ' +
          r.citations
            .slice(0, 3)
            .map((c) => `[${globalMarker(c)}]`)
            .join('');
    }
    blocks.push(`**${i + 1}. ${q}**\n${body}`);
  });
  const n = turns.length;
  const intro = n ? `This thread has ${n} answered question${n === 1 ? '' : 's'}:` : 'This thread has no answered questions yet.';
  return {
    type: 'answer',
    answerId: newAnswerId(),
    time: new Date().toISOString(),
    kind: 'recap',
    question: meta.threadName ? `Recap of "${meta.threadName}"` : 'Thread recap',
    answer: [intro, ...blocks].join('\n\n'),
    mode: 'extractive',
    abstained: n === 0,
    citations,
    sources,
    droppedCitations: 0,
    ...(meta.userId ? { userId: meta.userId } : {}),
    ...(meta.guildId ? { guildId: meta.guildId } : {}),
    ...(meta.channelId ? { channelId: meta.channelId } : {}),
    ...(meta.threadId ? { threadId: meta.threadId } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Papers: search, card, similar, autocomplete
// ---------------------------------------------------------------------------------------------

export async function searchView(ctx: BotContext, rawQuery: string, k = 10, filter?: SearchFilter): Promise<APIEmbed> {
  const query = cleanQuestion(rawQuery);
  const retriever = ctx.retriever();
  const hits = await retriever.search(query, { k, filter });
  // Say when the filter, not the corpus, left nothing.
  const empty =
    !hits.length && hasUserFilter(filter) && (await retriever.search(query, { k: 1 })).length
      ? `No paper ${describeFilter(filter)} matches; without the date filter, some do.`
      : 'No matching papers.';
  const lines = hits.map(
    (h) => `**${h.rank}.** ${mdLink(truncate(h.paper.title, 200), paperUrl(h.paper))}${h.paper.date ? ` · ${h.paper.date}` : ''}`,
  );
  return fitEmbed({
    title: `Top papers for "${truncate(oneLine(query), 200)}"`,
    description: lines.length ? joinLinesWithin(lines, LIMITS.embedDescription, (n) => `…and ${n} more`) : empty,
    color: COLOR.answer,
    footer: { text: `${retriever.mode} retrieval · ${retriever.store.papers.length} papers` },
  });
}

export function requirePaper(store: SearchStore, idOrTitle: string): Paper {
  const q = idOrTitle.trim();
  if (!q) throw new AppError('PAPER_NOT_FOUND', 'Please give a paper title.');
  const paper = findPaper(store, q);
  if (!paper) throw new AppError('PAPER_NOT_FOUND', `No paper matches "${truncate(oneLine(q), 100)}". Try /search.`);
  return paper;
}

export async function paperView(ctx: BotContext, idOrTitle: string): Promise<APIEmbed> {
  const retriever = ctx.retriever();
  const paper = requirePaper(retriever.store, idOrTitle);
  const key = keySentences(paper.title, paper.abstract, retriever.corpus.termStats, 3);
  const { similar } = await similarPapers(retriever, paper, 5);
  const links = abstractLinks(paper).filter((l) => /^https?:\/\//.test(l));
  const search = arxivSearchUrl(paper.title);
  const fields = [
    { name: 'Date', value: paper.date ?? 'unknown', inline: true },
    ...(paper.firstSeen ? [{ name: 'Added', value: addedText(paper)!.replace(/^added /, ''), inline: true }] : []),
    ...(paper.authors?.length || paper.authorsCount
      ? [
          {
            name: 'Authors',
            value: escapeMarkdownText(paper.authors?.length ? truncate(paper.authors.join(', '), 300) : `${paper.authorsCount}`),
            inline: true,
          },
        ]
      : []),
    {
      name: 'Links',
      value: [paperUrl(paper) !== search ? mdLink('Paper', paperUrl(paper)) : '', mdLink('arXiv search', search)]
        .filter(Boolean)
        .join('\n'),
    },
    // Abstract URLs are corpus text: shown under their own name, never as the paper's link.
    ...(links.length
      ? [
          {
            name: 'Mentioned in the abstract',
            value: links
              .slice(0, 5)
              .map((l) => mdLink(truncate(l.replace(/^https?:\/\//, ''), 60), l))
              .join('\n'),
          },
        ]
      : []),
    ...(similar.length
      ? [
          {
            name: 'Similar papers',
            value: joinLinesWithin(
              similar.map((s, i) => `${i + 1}. ${mdLink(truncate(s.title, 150), s.url)}`),
              LIMITS.fieldValue,
              (n) => `…and ${n} more`,
            ),
          },
        ]
      : []),
  ];
  return fitEmbed({
    title: paper.title,
    url: paperUrl(paper),
    description: key.map((s) => `> ${escapeMarkdownText(s)}`).join('\n'),
    color: COLOR.answer,
    fields,
    footer: { text: `id ${paper.id} · key sentences quoted from the abstract` },
  });
}

export async function similarView(ctx: BotContext, idOrTitle: string, k = 5): Promise<APIEmbed> {
  const retriever = ctx.retriever();
  const paper = requirePaper(retriever.store, idOrTitle);
  const { similar } = await similarPapers(retriever, paper, k);
  const lines = similar.map(
    (s, i) => `**${i + 1}.** ${mdLink(truncate(s.title, 180), s.url)}${s.why ? `\n> ${escapeMarkdownText(truncate(s.why, 300))}` : ''}`,
  );
  return fitEmbed({
    title: `Papers similar to: ${paper.title}`,
    url: paperUrl(paper),
    description: lines.length ? joinLinesWithin(lines, LIMITS.embedDescription, (n) => `…and ${n} more`) : 'No similar papers found.',
    color: COLOR.answer,
    footer: { text: `${retriever.mode} retrieval` },
  });
}

interface TitleEntry {
  id: string;
  title: string;
  lower: string;
  words: string[];
}
// Keyed by the store's paper list, not the store: a store that switches generation in place
// (Postgres) hands out a new list, and autocomplete must offer the new generation's titles.
const titleIndexes = new WeakMap<readonly Paper[], TitleEntry[]>();

function titleIndex(store: SearchStore): TitleEntry[] {
  const papers = store.papers;
  let list = titleIndexes.get(papers);
  if (!list) {
    list = papers
      .map((p) => ({
        id: p.id,
        title: p.title,
        lower: p.title.toLowerCase(),
        words: p.title
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u)
          .filter(Boolean),
      }))
      .sort((a, b) => a.lower.localeCompare(b.lower));
    titleIndexes.set(papers, list);
  }
  return list;
}

/** Autocomplete: ≤ 25 title choices for the typed text, from memory (no I/O). */
export function titleChoices(store: SearchStore, typed: string, max = 25): Array<{ name: string; value: string }> {
  const q = typed.trim().toLowerCase().slice(0, 200);
  const entries = titleIndex(store);
  let ranked: TitleEntry[];
  if (!q) ranked = entries.slice(0, max);
  else {
    const qWords = q.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const scored: Array<{ e: TitleEntry; score: number }> = [];
    for (const e of entries) {
      let score = 0;
      if (e.id === q) score = 1000;
      else if (e.lower.startsWith(q)) score = 500;
      else if (e.words.some((w) => w.startsWith(q))) score = 300;
      else if (e.lower.includes(q)) score = 200;
      else if (qWords.length && qWords.every((qw) => e.words.some((w) => w.startsWith(qw)))) score = 100;
      if (score) scored.push({ e, score: score - e.title.length / 1000 });
    }
    ranked = scored
      .sort((a, b) => b.score - a.score)
      .slice(0, max)
      .map((s) => s.e);
  }
  return ranked.map((e) => ({ name: truncate(oneLine(e.title), LIMITS.choiceName), value: e.id.slice(0, LIMITS.choiceValue) }));
}

// ---------------------------------------------------------------------------------------------
// Stats, help
// ---------------------------------------------------------------------------------------------

export interface StatsData {
  papers: number;
  chunks: number;
  retrievalMode: string;
  chatModel: string;
  generation: string;
  builtAt: string;
  answers: number;
  feedback: number;
  uptimeSeconds: number;
}

export function statsData(ctx: BotContext): StatsData {
  const r = ctx.retriever();
  const m = r.store.manifest;
  return {
    papers: r.store.papers.length,
    chunks: r.store.chunks.length,
    retrievalMode: r.mode,
    chatModel: ctx.chat?.model ?? 'offline',
    generation: m.generation,
    builtAt: m.createdAt,
    answers: ctx.stats.answers,
    feedback: ctx.stats.feedback,
    uptimeSeconds: Math.round((Date.now() - ctx.stats.startedAt) / 1000),
  };
}

export function statsView(ctx: BotContext): APIEmbed {
  const s = statsData(ctx);
  return fitEmbed({
    title: 'research-bot stats',
    color: COLOR.answer,
    fields: [
      { name: 'Papers', value: String(s.papers), inline: true },
      { name: 'Chunks', value: String(s.chunks), inline: true },
      { name: 'Retrieval', value: s.retrievalMode, inline: true },
      {
        name: 'Chat model',
        value: s.chatModel === 'offline' ? 'offline (extractive answers)' : escapeMarkdownText(s.chatModel),
        inline: true,
      },
      { name: 'Index built', value: `${s.builtAt} (${s.generation})` },
      { name: 'Since start', value: `${s.answers} answers, ${s.feedback} feedback votes, up ${s.uptimeSeconds} s` },
    ],
  });
}

export const HELP_LINES: Array<[string, string]> = [
  [
    '/ask question: [private:]',
    'Ask a question; the answer cites papers from the corpus as [n]. Follow-up questions go in the thread the answer opens.',
  ],
  [
    '/summarize [topic:]',
    'Themed summary of what the corpus says about a topic. Inside an answer thread without a topic: a recap of the thread.',
  ],
  ['/search query:', 'Top matching papers, one line each.'],
  ['/paper title:', 'A paper card: key sentences of the abstract, date, links and similar papers.'],
  ['/similar title:', 'Papers most like a given one.'],
  [
    '/compare paper1: paper2: [paper3:] [paper4:]',
    'Papers side by side: problem, method, data/scale and headline numbers. In a thread, "compare 1 and 3" works too.',
  ],
  ['/stats', 'Index size, retrieval mode and chat model.'],
  ['/reindex [force:]', 'Rebuild the index from the corpus (Manage Server only). Answers keep working meanwhile.'],
  [
    '/add-papers file1: [file2: …]',
    'Add Daily Papers dumps or .jsonl/.json paper lists to the corpus (admins). Answers keep working meanwhile.',
  ],
  ['/watch add topic: · list · remove watch:', 'Topics this channel gets a digest of new papers for after each ingest (Manage Channels).'],
  ['/digest [days:] [topic:]', "Papers first seen in the last days (default 7) that match this channel's watched topics."],
  ['/gaps', 'Questions the corpus answers poorly, grouped, with the closest papers (Manage Server only).'],
];

export function helpView(ctx?: BotContext): APIEmbed {
  const offline = ctx && !ctx.chat;
  return fitEmbed({
    title: 'research-bot: cited answers from the paper corpus',
    color: COLOR.answer,
    description: [
      ...HELP_LINES.map(([cmd, what]) => `**${cmd}**\n${what}`),
      '',
      'Under each answer: 👍 / 👎 to rate it, **Sources** for the full source list.',
      offline ? 'No language model is configured: answers are extractive digests quoted from the abstracts.' : '',
    ]
      .filter((l, i, a) => l !== '' || i < a.length - 1)
      .join('\n'),
  });
}

// ---------------------------------------------------------------------------------------------
// Reindex
// ---------------------------------------------------------------------------------------------

/** Progress of a long ingest as log lines (start, each quarter, done). */
export function logProgress(logger: Logger, what = 'ingest'): Progress {
  let phase = '';
  let total = 0;
  let count = 0;
  let lastQuarter = -1;
  return {
    start(p, t) {
      phase = p;
      total = t;
      count = 0;
      lastQuarter = 0;
      logger.info(`${what}: ${p}`, { phase: p, total });
    },
    tick(n = 1) {
      count = Math.min(total, count + n);
      const quarter = total ? Math.floor((count / total) * 4) : 4;
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        logger.info(`${what}: ${phase} ${quarter * 25}%`, { phase, done: count, total });
      }
    },
    done(note) {
      logger.info(`${what}: ${phase} done`, { phase, total, ...(note ? { note } : {}) });
    },
  };
}

export interface ReindexOutcome {
  upToDate: boolean;
  swapped: boolean;
  papers: number;
  chunks: number;
  generation: string;
  previousGeneration: string;
  /** Papers first seen in this ingest (0 when nothing was ingested). */
  newPapers: number;
  durationMs: number;
  /** For /add-papers: what happened to each file. */
  added?: AddPapersResult;
}

/** What the ingest worker is asked to do: re-ingest the corpus, or add files to it first. */
interface IngestJob {
  force: boolean;
  add?: IncomingFile[];
}

/** The worker's answer: no summary when /add-papers had nothing to add (nothing was ingested). */
interface IngestJobResult {
  summary?: IngestSummary;
  added?: AddPapersResult;
}

/**
 * The ingest worker: compiled, reindex-worker.js next to this file. Running from the TypeScript
 * sources (tsx, vitest), the .ts file with tsx's loader registered inside the worker first (loader
 * hooks are per thread, so `--import tsx` in execArgv does not reach the worker's entry module).
 */
function startIngestWorker(workerData: IngestJob & { env: Record<string, string> }): Worker {
  const { file, tsx } = siblingModule(import.meta.url, 'reindex-worker');
  if (!tsx) return new Worker(file, { workerData });
  const code =
    `import(${JSON.stringify(tsx('tsx/esm/api'))}).then((m) => m.register()).then(() => import(${JSON.stringify(pathToFileURL(file).href)}))` +
    '.catch((err) => { process.nextTick(() => { throw err; }); });';
  return new Worker(code, { eval: true, workerData });
}

/**
 * Run the ingest in a worker thread (parsing and indexing are CPU-bound and would otherwise stall
 * interaction acknowledgements); if a worker cannot be started, run it here.
 */
async function ingestOffThread(ctx: BotContext, job: IngestJob): Promise<IngestJobResult> {
  const progress = logProgress(ctx.logger, 'reindex');
  // Fall back to the main thread only if the worker never got going (e.g. its file is missing).
  let heard = false;
  try {
    return await new Promise<IngestJobResult>((resolve, reject) => {
      const worker = startIngestWorker({ env: configToEnv(ctx.config), ...job });
      let settled = false;
      worker.on(
        'message',
        (m: {
          type: string;
          line?: string;
          phase?: string;
          done?: number;
          total?: number;
          summary?: IngestSummary;
          added?: AddPapersResult;
          code?: ErrorCode;
          message?: string;
        }) => {
          heard = true;
          if (m.type === 'log' && m.line) {
            try {
              const { level, msg, time: _t, ...fields } = JSON.parse(m.line) as Record<string, unknown>;
              const log = ctx.logger[(['debug', 'info', 'warn', 'error'].includes(String(level)) ? level : 'info') as 'info'];
              log(`reindex: ${String(msg)}`, fields);
            } catch {
              /* not a log line */
            }
          } else if (m.type === 'progress' && m.phase !== undefined) {
            if (m.done === 0) progress.start(m.phase, m.total ?? 0);
            else if (m.done === m.total) progress.done();
            else ctx.logger.info(`reindex: ${m.phase} ${m.done}/${m.total}`, { phase: m.phase, done: m.done, total: m.total });
          } else if (m.type === 'done') {
            settled = true;
            resolve({ summary: m.summary, added: m.added });
          } else if (m.type === 'error') {
            settled = true;
            reject(new AppError(m.code ?? 'INTERNAL', m.message));
          }
        },
      );
      worker.on('error', (err) => {
        if (!settled) reject(err);
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new Error(`reindex worker exited with code ${code}`));
      });
    });
  } catch (err) {
    if (heard || err instanceof AppError) throw err;
    ctx.logger.warn('reindex worker could not start; indexing on the main thread', { err });
    if (job.add) {
      const added = await runAddPapers(ctx.config, job.add, { logger: ctx.logger, progress });
      return { summary: added.ingest, added };
    }
    return { summary: await runIngest(ctx.config, { force: job.force, logger: ctx.logger, progress }) };
  }
}

/**
 * Re-ingest the corpus into a new index generation while answers keep using the old retriever,
 * then swap the new one in. One at a time. With `add` (/add-papers), the files are first checked
 * and stored in the corpus, in the same worker.
 */
export async function reindex(ctx: BotContext, opts: { force?: boolean; add?: IncomingFile[] } = {}): Promise<ReindexOutcome> {
  if (ctx.reindexing) throw new AppError('INDEX_LOCKED', 'A re-index is already running. Please wait for it to finish.');
  const started = Date.now();
  const run = (async (): Promise<ReindexOutcome> => {
    const live = ctx.retriever().store;
    const previous = live.generation;
    ctx.logger.info('reindex started', { corpusDir: ctx.config.corpusDir, force: Boolean(opts.force), adding: opts.add?.length ?? 0 });
    const { summary, added } = await ingestOffThread(ctx, { force: Boolean(opts.force), add: opts.add });
    let swapped = false;
    if (summary && summary.generation !== previous) {
      const next = await openRetriever(ctx.config, { logger: ctx.logger });
      ctx.swapRetriever(next);
      swapped = true;
    }
    const outcome = {
      upToDate: summary?.upToDate ?? true,
      swapped,
      papers: summary?.papers ?? live.papers.length,
      chunks: summary?.chunks ?? live.chunks.length,
      generation: summary?.generation ?? previous,
      previousGeneration: previous,
      newPapers: summary?.newPapers ?? 0,
      durationMs: Date.now() - started,
    };
    ctx.logger.info('reindex finished', { ...outcome, ...(added ? { files: added.files.map((f) => f.status) } : {}) });
    return { ...outcome, ...(added ? { added } : {}) };
  })();
  ctx.reindexing = run;
  try {
    return await run;
  } finally {
    ctx.reindexing = undefined;
  }
}
