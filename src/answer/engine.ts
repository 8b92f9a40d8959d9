/**
 * The answering engine shared by the CLI and the Discord bot:
 * question -> (follow-up rewrite) -> retrieve -> abstain? -> LLM with cited sources, or the
 * offline extractive digest -> citation validation -> AnswerResult.
 */
import type { Paper } from '../corpus/types.js';
import { AppError, isAppError } from '../errors.js';
import { expansionAsked, questionCore, switchesTopic } from '../index/chat-frame.js';
import { describeFilter, hasUserFilter, timeWindowAsked } from '../search-filter.js';
import { asReaderSees } from '../index/discord-markup.js';
import { readQuestion } from '../index/read-question.js';
import { type Correction, readAs } from '../index/spelling.js';
import { collapseSpacesKeepingLines } from '../index/chat-clauses.js';
import type { Retriever, SearchFilter } from '../index/search.js';
import type { TermStats } from '../index/search-store.js';
import { plainHyphens } from '../index/tokenize.js';
import { silentLogger, type Logger } from '../logger.js';
import { type Confidence, type ConfidenceDecision, corpusTerms, decideConfidence } from './abstain.js';
import { validateCitations } from './citations.js';
import { answerDigest, keySentences, type QuestionPart, quoteCorpusText, themedDigest } from './digest.js';
import { condensedTranscript, rewriteFollowUp, type Turn } from './followup.js';
import { factsAsked, factsLine } from './paper-facts.js';
import type { ChatModel, CutOff } from './llm.js';
import { formatSources, renderPrompt, type PromptName } from './prompts.js';
import { sanitizedStream, sanitizeModelText } from './safe-text.js';
import { ASK, type AnswerSettings, SUMMARIZE } from './settings.js';
import {
  asksForList,
  asksSeveral,
  gatherSources,
  paperUrl,
  pinSources,
  widenPins,
  type Evidence,
  type GatheredSources,
  type Source,
} from './sources.js';
import { describeGap, gatherParts, partReader, quotePart } from './question-parts.js';
import { questionParts } from '../index/question-parts.js';

export interface Citation {
  marker: number;
  paperId: string;
  title: string;
  url: string;
  links: string[];
}

export interface SourceInfo extends Citation {
  date?: string;
  score: number;
}

export interface AnswerResult {
  question: string;
  /** The query actually used for retrieval (differs for rewritten follow-ups). */
  query: string;
  answer: string;
  mode: 'llm' | 'extractive';
  /**
   * `none`: nothing in the corpus is close, so no answer (then and only then `abstained`); `low`:
   * an answer that says what no paper covers and shows the closest papers; `high`: answered.
   */
  confidence: Confidence;
  abstained: boolean;
  citations: Citation[];
  sources: SourceInfo[];
  droppedCitations: number;
  /** Why an LLM answer was replaced by the digest, if it was. */
  fallbackReason?: string;
  /** The model's answer stopped short; `answer` is its complete part and says it was cut off. */
  truncated?: boolean;
  /** How retrieval actually ran for this answer. */
  retrieval: 'hybrid' | 'lexical';
  /** Why a hybrid index was searched lexically for this answer (the embedding endpoint failed). */
  retrievalFallback?: string;
  abstainReason?: string;
  /** Typos searched as the corpus word they miss by one edit ("pretarining" as "pretraining"); the answer opens by saying so. */
  corrections?: Correction[];
  evidence: Evidence;
  durationMs: number;
}

export interface EngineDeps {
  retriever: Retriever;
  chat?: ChatModel;
  logger?: Logger;
  abstainThreshold?: number;
  /**
   * Hard bound on one answer's endpoint time (follow-up rewrite, question embedding, the model's
   * answer, retries and their waits), in ms. Defaults to the chat model's total budget.
   */
  budgetMs?: number;
  /** The clock "papers from this week" counts back from (tests); defaults to Date.now. */
  now?: () => number;
}

export interface AskOptions {
  history?: Turn[];
  filter?: SearchFilter;
  onToken?: (delta: string, textSoFar: string) => void;
  signal?: AbortSignal;
  maxSources?: number;
  /** Papers the question refers to (a thread's "the second one"): sources 1..k, ahead of what retrieval finds. */
  pinned?: Paper[];
}

export const MAX_QUESTION_CHARS = 4000;
const INSUFFICIENT = /INSUFFICIENT_EVIDENCE/;
/** The model's mark for an answer that covers only part of the question (prompts/answer-system.md). */
const PARTIAL = /PARTIAL_EVIDENCE:?\s*/;

/** A follow-up rewrite is a short call: it may use at most this much of the answer's budget. */
const REWRITE_BUDGET_MS = 10_000;

/** The answer's budget and the epoch ms it ends at; none without a chat model or an explicit budget. */
function answerBudget(deps: EngineDeps, started: number): { ms: number; deadline: number } | undefined {
  const ms = deps.budgetMs ?? deps.chat?.totalBudgetMs;
  return ms === undefined ? undefined : { ms, deadline: started + ms };
}

/** Normalise a user question; reject what cannot be a question. */
export function cleanQuestion(raw: string): string {
  // Typeset hyphens inside a word as "-", soft hyphens dropped (plainHyphens, as the tokenizer reads papers).
  const stripped = plainHyphens(String(raw ?? '').normalize('NFC'))
    // Control, zero-width and bidi-override characters carry no meaning for retrieval. Invisible
    // ones are removed outright so a word they sit inside ("Drop\u200bPos") stays one word.
    .replace(/[\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, ' ');
  // Discord's mentions (<@123>, <#123>, @here) are no part of a question; a custom emoji is its name (asReaderSees).
  const seen = asReaderSees(stripped);
  // Line breaks are kept: they part chat from the question (chat-clauses.ts).
  const text = collapseSpacesKeepingLines(seen).trim();
  if (!text)
    throw new AppError('QUESTION_INVALID', 'Please ask a question (the message was empty once mentions and formatting were removed).');
  if (!/[\p{L}\p{N}]/u.test(text)) throw new AppError('QUESTION_INVALID', 'That question has no words in it. Please ask in words.');
  if (text.length <= MAX_QUESTION_CHARS) return text;
  // Cut on a code-point boundary so an emoji or other surrogate pair is never split in half.
  return text.slice(0, MAX_QUESTION_CHARS).replace(/[\uD800-\uDBFF]$/, '');
}

function toCitation(s: Source): Citation {
  return { marker: s.marker, paperId: s.paper.id, title: s.paper.title, url: s.url, links: s.links };
}

function toSourceInfo(s: Source): SourceInfo {
  return { ...toCitation(s), date: s.paper.date, score: Math.round(s.score * 1e4) / 1e4 };
}

/** Why an answer stopped short, as a clause for the notice and the fallback reason. */
const CUT_OFF_WHY: Record<CutOff, string> = {
  length: 'the model reached its output limit',
  chars: 'the model ran past the length cap',
  stream: "the model's stream ended before the answer was finished",
  filter: "the model's provider stopped the answer",
};

export function cutOffNotice(cutOff: CutOff): string {
  return `_(Answer cut off: ${CUT_OFF_WHY[cutOff]}. Only its complete sentences are shown.)_`;
}

// A sentence end: . ! ? (optionally followed by citation markers, a closing quote or bracket) before whitespace or the end.
const SENTENCE_END = /[.!?](?:\s*\[\d{1,3}(?:\s*[-–,]\s*\d{1,3})*\])*["')\]*]*(?=\s|$)/g;

/** The text up to its last complete sentence ('' if there is none). */
export function completeSentences(text: string): string {
  let end = 0;
  for (const m of text.matchAll(SENTENCE_END)) end = (m.index ?? 0) + m[0].length;
  return text.slice(0, end).trimEnd();
}

type LlmOutput = { insufficient: boolean; text: string; cited: number[]; dropped: number; cutOff?: CutOff };

/** What a model answer or summary that cites valid sources is made of: its text, citations and sources. */
function citedLlmResult(out: LlmOutput, sources: Source[], started: number) {
  const bySource = new Map(sources.map((s) => [s.marker, s]));
  return {
    answer: llmAnswerText(out),
    mode: 'llm' as const,
    abstained: false,
    ...(out.cutOff ? { truncated: true } : {}),
    citations: out.cited.map((m) => toCitation(bySource.get(m)!)),
    sources: sources.map(toSourceInfo),
    droppedCitations: out.dropped,
    durationMs: Date.now() - started,
  };
}

/** Time left before `deadline` (epoch ms), never negative; undefined without a deadline. */
function leftMs(deadline: number | undefined): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
}

async function runLlm(
  chat: ChatModel,
  prompt: PromptName,
  vars: Record<string, string>,
  sourceCount: number,
  opts: { onToken?: AskOptions['onToken']; signal?: AbortSignal; budget?: { ms: number; deadline: number } },
): Promise<LlmOutput> {
  const { RunnableLambda, RunnableSequence } = await import('@langchain/core/runnables');
  // Nobody sees raw model text, streamed or final: control sequences and secrets are removed first.
  const stream = sanitizedStream(opts.onToken);
  const chain = RunnableSequence.from([
    RunnableLambda.from((v: Record<string, string>) => renderPrompt(prompt, v)),
    RunnableLambda.from(async (messages: Awaited<ReturnType<typeof renderPrompt>>) => {
      const reply = await chat.complete(messages, {
        onToken: stream.onToken,
        signal: opts.signal,
        budgetMs: opts.budget?.ms,
        deadline: opts.budget?.deadline,
      });
      stream.finish(reply.text);
      return { ...reply, text: sanitizeModelText(reply.text) };
    }),
    RunnableLambda.from(({ text: full, cutOff }: Awaited<ReturnType<ChatModel['complete']>>) => {
      // A reply that stopped short keeps only its complete sentences, and says so.
      const raw = cutOff ? completeSentences(full) : full;
      if (INSUFFICIENT.test(raw) && raw.replace(INSUFFICIENT, '').trim().length < 40)
        return { insufficient: true, text: '', cited: [], dropped: 0 };
      const check = validateCitations(raw.replace(INSUFFICIENT, '').trim(), sourceCount);
      return { insufficient: false, ...check, ...(cutOff ? { cutOff } : {}) };
    }),
  ]);
  return chain.invoke(vars);
}

/** The model's checked text, with the cut-off notice when it stopped short. */
function llmAnswerText(out: { text: string; cutOff?: CutOff }): string {
  return out.cutOff ? `${out.text}\n\n${cutOffNotice(out.cutOff)}` : out.text;
}

function abstainText(reason: string | undefined, sources: Source[]): string {
  const lines = [`I couldn't find an answer to this in the paper corpus${reason ? ` (${reason})` : ''}, so I won't guess.`];
  if (sources.length) {
    lines.push('', 'Possibly related papers:');
    for (const s of sources.slice(0, 3)) lines.push(`- ${quoteCorpusText(s.paper.title)}`);
  }
  return lines.join('\n');
}

/** The opening of a `low` answer: what no paper covers, said plainly, before the closest work. */
function lowConfidenceNote(decision: ConfidenceDecision): string {
  return `_Low confidence: ${describeGap(decision)}. The closest work in the corpus:_`;
}

type PipelineResult = Omit<AnswerResult, 'question' | 'query'>;

/**
 * The one answer pipeline, driven by a profile (settings.ts): clean the text, rewrite a follow-up,
 * retrieve, grade answerability (the lexical side decides only `none`), then the model's cited
 * reply, or the extractive digest offline and whenever the model's reply cannot be used.
 */
async function runPipeline(
  given: EngineDeps,
  raw: string,
  settings: AnswerSettings,
  opts: AskOptions,
): Promise<{ text: string; query: string; result: PipelineResult }> {
  // One generation for the whole answer: sources, statistics and citations all come from it.
  const deps = { ...given, retriever: await given.retriever.pinned() };
  const started = Date.now();
  const logger = deps.logger ?? silentLogger;
  const typed = cleanQuestion(raw);
  const lexical = deps.retriever.corpus.termStats;
  // Read once (typos, then the chat frame): the search, answerability and the digest all use this reading.
  // A typo ("pretarining") is read as the corpus word it misses by one edit, and the reply says so;
  // the question is read without its chat frame ("tldr:", "can someone explain"); the model reads the message whole, as typed.
  // How a sentence is read for what it is about: for asides here, and for a message's separate questions below.
  const reader = partReader(lexical, settings.answerability.split);
  const spelled = readQuestion(typed, lexical, { unknownShare: settings.answerability.asideUnknownShare, reader });
  const plain = spelled.unmarked;
  // "papers from this week about RL": the dates asked for are a filter, unless the person set one.
  const window = hasUserFilter(opts.filter) ? undefined : timeWindowAsked(plain, (given.now ?? Date.now)());
  const filter = window ? { ...opts.filter, ...window.filter } : opts.filter;
  const text = spelled.text;
  const asked = spelled.core;
  // Asking for papers is read from the whole message: the frame may be what asks ("recommend some papers on X").
  const list = asksForList(text);
  // One wall for every endpoint call of this answer: what the rewrite and the embedding spend, the answer cannot.
  const budget = answerBudget(deps, started);
  const deadline = budget?.deadline;
  const history = opts.history ?? [];
  // "unrelated, but …" leaves the thread: its earlier words would pull the search back to the old subject.
  const { query, method } = await rewriteFollowUp(asked, switchesTopic(plain) ? [] : history, {
    lexical,
    chat: deps.chat,
    budgetMs: Math.min(REWRITE_BUDGET_MS, leftMs(deadline) ?? REWRITE_BUDGET_MS),
    pinnedTitles: opts.pinned?.map((p) => p.title),
  });
  const gatherOpts = {
    filter,
    minRelative: settings.sources.minRelative,
    candidates: settings.sources.candidates,
    mmrLambda: settings.sources.mmrLambda,
    cooccurrenceWindow: settings.sources.cooccurrenceWindow,
    signal: opts.signal,
    deadline,
    // A rewritten follow-up is new text (earlier words, a model's rewrite): the search reads it.
    read: method === 'none',
  };
  const maxSources = (many: boolean) => opts.maxSources ?? (many ? settings.sources.listMaxSources : settings.sources.maxSources);
  // "Which papers…" asks for several papers, as a topic summary does, and so does a question in several
  // parts: evidence spread across papers is no gap. Held-out half of eval/bank.jsonl, answerable questions
  // answered `low`: 26 -> 25 (lists), 20 -> 16 (several parts); unanswerable flagged 19 = 19 both times.
  const answerability = (spread: boolean) => ({
    ...settings.answerability,
    coverage: deps.abstainThreshold ?? settings.answerability.coverage,
    singlePaper: settings.answerability.singlePaper && !spread,
  });
  // A follow-up rewritten offline carries the thread's words and titles to find its papers; answerability grades
  // what was asked, not them: a carried title is no subject the answer must join with the question.
  const followUp = method === 'lexical' ? { pointed: Boolean(opts.pinned?.length), searched: query } : undefined;
  const terms = corpusTerms(deps.retriever.corpus);
  // Separate questions in one message ("1) … 2) …") are searched and graded each as if asked alone.
  // Read from the whole message, each part then without its own chat frame ("oh and can someone explain …").
  const split = method === 'none' && !opts.pinned?.length && settings.separateQuestions ? questionParts(text, reader) : [];
  const parts = split.length > 1 ? split.map(questionCore) : [asked];
  const separate =
    parts.length > 1
      ? await gatherParts(deps.retriever, parts, query, { ...gatherOpts, max: maxSources(true) }, (part, found, measured) =>
          decideConfidence(terms, part, found, measured, answerability(asksForList(part) || asksSeveral(part)), { filter }),
        )
      : undefined;
  const gathered: GatheredSources & { decision?: ConfidenceDecision } =
    separate ?? (await gatherSources(deps.retriever, query, { ...gatherOpts, max: maxSources(list) }));
  const answeredParts = separate ? parts.map((question, i) => ({ question, answered: separate.answered[i] })) : undefined;
  const { hits, evidence, retrieval, degraded } = gathered;
  const picked = { question: asked, earlier: history.at(-1)?.question ?? '' };
  const pins = opts.pinned?.length
    ? [...opts.pinned, ...widenPins(terms, picked, opts.pinned, hits, settings.answerability.split.subjectIdf)]
    : [];
  const sources = pins.length ? pinSources(gathered.sources, pins, hits) : gathered.sources;
  if (degraded) logger.warn(`${settings.subject} embedding failed; searching the lexical index only`, { reason: degraded });
  const corrections = spelled.corrections;
  const base = {
    evidence,
    droppedCitations: 0,
    retrieval,
    ...(degraded ? { retrievalFallback: degraded } : {}),
    ...(corrections.length ? { corrections } : {}),
  };
  const readings = [
    ...(corrections.length ? [readAs(corrections)] : []),
    ...(window ? [`Read "${window.phrase}" as papers ${describeFilter(window.filter)}`] : []),
    ...spelled.asides.map((a) => `${quotePart(a)} is about nothing in the papers here, so it is not answered`),
  ];
  const readNote = readings.length ? `_${readings.join('; ')}._\n\n` : '';
  const done = (result: Omit<PipelineResult, keyof typeof base | 'durationMs'> & Partial<PipelineResult>) => ({
    text: typed,
    query,
    result: { ...base, ...result, answer: readNote + result.answer, durationMs: Date.now() - started },
  });
  const abstained = (reason: string | undefined, mode: AnswerResult['mode']) =>
    done({
      answer: abstainText(reason, sources),
      mode,
      confidence: 'none',
      abstained: true,
      abstainReason: reason,
      citations: [],
      sources: sources.slice(0, 3).map(toSourceInfo),
    });
  const decision =
    gathered.decision ??
    decideConfidence(terms, followUp ? asked : query, hits, evidence, answerability(list || asksSeveral(asked)), { filter, followUp });
  // A question about papers the user pointed at is answered from them, however few of its words they share.
  if (decision.confidence === 'none' && !opts.pinned?.length) return abstained(decision.reason, deps.chat ? 'llm' : 'extractive');
  const confidence = decision.confidence === 'none' ? 'high' : decision.confidence;
  const digest = (fallbackReason?: string, droppedCitations = 0) => {
    const body = composeDigest(settings, text, asked, sources, lexical, answeredParts);
    const graded = decision.confidence === 'low' ? `${lowConfidenceNote(decision)}\n\n${body}` : body;
    return done({
      answer: fallbackReason ? `_Showing an extractive digest because ${fallbackReason}._\n\n${graded}` : graded,
      mode: 'extractive',
      confidence,
      ...(decision.confidence === 'low' ? { abstainReason: decision.reason } : {}),
      abstained: false,
      citations: sources.map(toCitation),
      sources: sources.map(toSourceInfo),
      droppedCitations,
      ...(fallbackReason ? { fallbackReason } : {}),
    });
  };
  if (!deps.chat) return digest();
  const reply = settings.reply;
  try {
    const transcript = condensedTranscript(history, { numbered: false, maxTurns: 3, answerChars: 400 });
    const pinnedNote = opts.pinned?.length
      ? `The question refers to ${opts.pinned.map((p, i) => `source ${i + 1} ("${p.title}")`).join(' and ')}.\n`
      : '';
    const earlier = `${transcript ? `Conversation so far:\n${transcript}\n\n` : ''}${pinnedNote}`;
    const vars = {
      sources: formatSources(sources),
      [settings.subject]: typed,
      history: earlier,
      maxWords: String(settings.maxWords),
    };
    const out = await runLlm(deps.chat, settings.prompt, vars, sources.length, { onToken: opts.onToken, signal: opts.signal, budget });
    if (out.insufficient) {
      if (settings.onInsufficient === 'abstain')
        return abstained('the language model found that the retrieved papers do not answer it', 'llm');
      return digest('the language model judged the papers off-topic');
    }
    if (out.cited.length > 0) {
      if (out.cutOff) logger.warn(`llm ${reply} was cut off; keeping its complete sentences`, { cutOff: out.cutOff });
      const result = citedLlmResult(out, sources, started);
      const partial = PARTIAL.test(result.answer);
      return done({
        ...result,
        answer: partial ? result.answer.replace(PARTIAL, '_Low confidence:_ ') : result.answer,
        confidence: partial ? 'low' : 'high',
      });
    }
    if (out.cutOff) {
      logger.warn(`llm ${reply} was cut off before a cited sentence; using extractive digest`, { cutOff: out.cutOff });
      return digest(`the model's ${reply} was cut off (${CUT_OFF_WHY[out.cutOff]})`, out.dropped);
    }
    logger.warn(`llm ${reply} had no valid citation; using extractive digest`, { dropped: out.dropped });
    const removed = out.dropped ? ` (${out.dropped} invalid marker${out.dropped === 1 ? '' : 's'} removed)` : '';
    return digest(`the model's ${reply} cited no valid source${removed}`, out.dropped);
  } catch (err) {
    if (!isAppError(err) || err.code !== 'LLM_FAILED') throw err;
    logger.warn('llm failed; using extractive digest', { err });
    return digest(err.userMessage.replace(/^The language model/, 'the language model').replace(/\.$/, ''));
  }
}

/** The offline reply in the profile's layout; asked for a paper's authors or date, it opens with what the best match's record holds. */
function composeDigest(
  settings: AnswerSettings,
  text: string,
  asked: string,
  sources: Source[],
  lexical: TermStats,
  parts?: QuestionPart[],
): string {
  if (settings.digest.layout === 'themes') return themedDigest(asked, sources, lexical, settings.digest);
  const facts = factsLine(factsAsked(text), sources[0]);
  // Read from the whole message, as the frame it asks in ("what does X stand for") is not in the asked text.
  const body = answerDigest(asked, sources, lexical, settings.digest, { expands: expansionAsked(text), parts });
  return facts ? `${facts}\n\n${body}` : body;
}

export async function answerQuestion(given: EngineDeps, rawQuestion: string, opts: AskOptions = {}): Promise<AnswerResult> {
  const { text, query, result } = await runPipeline(given, rawQuestion, ASK, opts);
  return { question: text, query, ...result };
}

export interface SummaryResult extends Omit<AnswerResult, 'question' | 'query'> {
  topic: string;
}

export async function summarizeTopic(given: EngineDeps, rawTopic: string, opts: Omit<AskOptions, 'history'> = {}): Promise<SummaryResult> {
  const { text, result } = await runPipeline(given, rawTopic, SUMMARIZE, opts);
  return { topic: text, ...result };
}

export interface SimilarResult {
  paper: Paper;
  similar: Array<{ paperId: string; title: string; url: string; score: number; why: string }>;
}

/** Papers most like a given one: its title and abstract as the query, itself excluded. */
export async function similarPapers(retriever: Retriever, paper: Paper, k = 5): Promise<SimilarResult> {
  const query = `${paper.title}. ${paper.title}. ${paper.abstract}`;
  const hits = await retriever.search(query, { k: k + 1 });
  const similar = hits
    .filter((h) => h.paper.id !== paper.id)
    .slice(0, k)
    .map((h) => ({
      paperId: h.paper.id,
      title: h.paper.title,
      url: paperUrl(h.paper),
      score: Math.round(h.score * 1e4) / 1e4,
      why: keySentences(`${paper.title} ${paper.abstract}`, h.paper, retriever.corpus.termStats, 1)[0] ?? '',
    }));
  return { paper, similar };
}
