/**
 * The answer profiles (settings.ts) drive the one pipeline: what the model is told, how many papers
 * are cited, what happens when the model finds nothing relevant; answerability reads only corpus
 * term statistics (no retriever).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CorpusTerms, decideConfidence } from '../../src/answer/abstain.js';
import { answerQuestion, summarizeTopic } from '../../src/answer/engine.js';
import { OpenAIChat } from '../../src/answer/llm.js';
import { ASK, SUMMARIZE } from '../../src/answer/settings.js';
import type { Evidence } from '../../src/answer/sources.js';
import { bm25Idf } from '../../src/index/bm25f.js';
import type { PaperHit } from '../../src/index/search.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';
import { buildIndex, type BuiltIndex } from './helpers.js';

/** Twelve papers on one subject (more than either profile cites) and a few others. */
const PAPERS = [
  ...Array.from({ length: 12 }, (_, i) => ({
    title: `Knowledge Distillation Study ${i + 1}`,
    abstract: `Knowledge distillation trains a small student from a large teacher; variant ${i + 1} distills logits at temperature ${i + 2}.`,
  })),
  { title: 'Two-Bit Weight Quantization', abstract: 'We quantize language model weights to 2 bits with a small calibration set.' },
  {
    title: 'Speculative Decoding with Small Drafts',
    abstract: 'A small draft model proposes tokens that a large model verifies in parallel.',
  },
  { title: 'Vision Transformers Need Registers', abstract: 'Artifacts in attention maps disappear when register tokens are added.' },
];

let dir: string;
let built: BuiltIndex;
let server: FakeOpenAIServer;

const chat = () =>
  new OpenAIChat({ model: 'fake-model', apiKey: 'sk-test', baseURL: server.url, maxRetries: 0, timeoutMs: 2000, totalBudgetMs: 4000 });
const systemPrompts = () =>
  server.requests
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => r.body.messages.find((m: any) => m.role === 'system')?.content ?? '');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-settings-corpus-'));
  await writeFile(join(dir, 'papers.jsonl'), `${PAPERS.map((p) => JSON.stringify(p)).join('\n')}\n`);
  [server, built] = await Promise.all([startOpenAIServer(), buildIndex(dir)]);
});
afterAll(async () => {
  await server?.close();
  await built?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

describe('answer profiles', () => {
  it('ask and summarize cite up to their profile’s number of papers', async () => {
    const ask = await answerQuestion({ retriever: built.retriever }, 'how does knowledge distillation train a student from a teacher?');
    expect(ask.citations).toHaveLength(ASK.sources.maxSources);
    const list = await answerQuestion({ retriever: built.retriever }, 'which papers study knowledge distillation from a teacher?');
    expect(list.citations).toHaveLength(ASK.sources.listMaxSources);
    const summary = await summarizeTopic({ retriever: built.retriever }, 'knowledge distillation');
    expect(summary.citations).toHaveLength(SUMMARIZE.sources.maxSources);
  });

  it('the model is given each profile’s word limit', async () => {
    server.setChatResponder(() => 'Distillation trains a student from a teacher [1].');
    await answerQuestion({ retriever: built.retriever, chat: chat() }, 'how does knowledge distillation train a student?');
    await summarizeTopic({ retriever: built.retriever, chat: chat() }, 'knowledge distillation');
    const [ask, summarize] = systemPrompts();
    expect(ask).toContain(`at most ${ASK.maxWords} words`);
    expect(summarize).toContain(`At most ${SUMMARIZE.maxWords} words`);
  });

  it('when the model finds nothing relevant, ask refuses and summarize shows the papers found', async () => {
    server.setChatResponder(() => 'INSUFFICIENT_EVIDENCE');
    const ask = await answerQuestion({ retriever: built.retriever, chat: chat() }, 'how does knowledge distillation train a student?');
    expect(ASK.onInsufficient).toBe('abstain');
    expect(ask.abstained).toBe(true);
    expect(ask.confidence).toBe('none');
    const summary = await summarizeTopic({ retriever: built.retriever, chat: chat() }, 'knowledge distillation');
    expect(SUMMARIZE.onInsufficient).toBe('digest');
    expect(summary.abstained).toBe(false);
    expect(summary.mode).toBe('extractive');
    expect(summary.fallbackReason).toBe('the language model judged the papers off-topic');
    expect(summary.citations.length).toBeGreaterThan(0);
  });
});

describe('answerability reads term statistics, not the retriever', () => {
  /** Terms in `known` occur in a few of 100 documents; any other term in none (BM25's idf at df = 0). */
  const known = new Set(['distil', 'student', 'teacher', 'learn']);
  const corpus: CorpusTerms = {
    termStats: { size: 100, idf: (t: string) => (known.has(t) ? 3 : Math.log(1 + 100.5 / 0.5)) },
    acronyms: { expansions: new Map() },
  };
  const paper = { id: 'p1', title: 'Distillation', abstract: 'A student learns from a teacher by distillation.', links: [] };
  // A strong lexical match, so the thin-evidence rule (its own test in abstain.test.ts) stays out of these.
  const hits = [{ paper, rank: 1, score: 1, lexicalScore: 100, chunks: [] }] as unknown as PaperHit[];
  // `none` also needs the best match to cover little of the question as answerability reads it (chat left out): a
  // paper saying none of its words.
  const far = { ...paper, id: 'p2', title: 'Elsewhere', abstract: 'Nothing of the kind.' };
  const farHits = [{ ...hits[0], paper: far }] as unknown as PaperHit[];
  const evidence = (coverage: number, sharedIdf = 0): Evidence => ({
    coverage,
    sharedIdf,
    askedIdf: coverage ? sharedIdf / coverage : 0,
    unknownTerms: [],
    knownTerms: 3,
    topScore: 100,
  });
  /** The idf mass the best match must share with the question for it to count as close (settings.ts). */
  const closeMass = ASK.answerability.noneSharedWords * bm25Idf(100, 1);

  it('grades with the profile’s thresholds', () => {
    const question = 'how does a student learn from a teacher by distillation?';
    expect(decideConfidence(corpus, question, hits, evidence(0.9), ASK.answerability).confidence).toBe('high');
    expect(decideConfidence(corpus, question, farHits, evidence(ASK.answerability.coverage / 2), ASK.answerability).confidence).toBe(
      'none',
    );
    // The paper covering the question as read, the same evidence is no refusal.
    expect(decideConfidence(corpus, question, hits, evidence(ASK.answerability.coverage / 2), ASK.answerability).confidence).not.toBe(
      'none',
    );
    const lenient = { ...ASK.answerability, coverage: ASK.answerability.coverage / 4 };
    expect(decideConfidence(corpus, question, farHits, evidence(ASK.answerability.coverage / 2), lenient).confidence).toBe('high');
  });

  it('says `none` when most of the question is words no paper uses', () => {
    const d = decideConfidence(corpus, 'quokka marsupial habitat distillation', hits, evidence(0.5), SUMMARIZE.answerability);
    expect(d.confidence).toBe('none');
    expect(d.missing).toEqual(['quokka', 'marsupial', 'habitat']);
  });

  it('refuses only when nothing is close: a best match sharing enough of the question makes the same gaps `low`', () => {
    const low = ASK.answerability.coverage / 2;
    expect(decideConfidence(corpus, 'distillation', hits, evidence(low, closeMass), ASK.answerability).confidence).toBe('high');
    expect(decideConfidence(corpus, 'distillation', farHits, evidence(low, closeMass * 0.99), ASK.answerability).confidence).toBe('none');
    const question = 'quokka marsupial habitat distillation';
    const d = decideConfidence(corpus, question, hits, evidence(0.5, closeMass), SUMMARIZE.answerability);
    expect(d.confidence).toBe('low');
    expect(d.missing).toEqual(['quokka', 'marsupial', 'habitat']);
    expect(decideConfidence(corpus, question, hits, evidence(0.5, closeMass * 0.99), SUMMARIZE.answerability).confidence).toBe('none');
  });
});
