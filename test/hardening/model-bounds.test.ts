/**
 * The model and embedding bounds on the real binary: `research-bot ask --json` against a
 * misbehaving OpenAI-compatible server (429 with retry-after: 3600, a runaway model, a hanging
 * embedding endpoint) answers within LLM_TOTAL_BUDGET_MS and says why; `research-bot bot` with a
 * model call stuck in a retry wait exits 0 within its shutdown bound after SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import { OpenAIEmbeddings } from '../../src/index/embeddings.js';
import { botProcessEnv } from '../helpers/bot-env.js';
import { spawnChild } from '../helpers/children.js';
import { answerMessages, buildIndex, removeDir, tempDir, userId } from '../discord/harness.js';
import { startDiscordServer, type FakeDiscordServer } from '../servers/discord-server.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'research-bot.js');
const CORPUS = join(ROOT, 'data', 'corpus');
const QUESTION = 'What is dataset decomposition?';

let openai: FakeOpenAIServer;
let indexDir: string;
const dirs: string[] = [];

beforeAll(async () => {
  openai = await startOpenAIServer({ dimensions: 32 });
  indexDir = await buildIndex();
  dirs.push(indexDir);
});
afterAll(async () => {
  await openai?.close();
  for (const d of dirs) await removeDir(d);
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawnChild(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: indexDir, CORPUS_DIR: CORPUS, OPENAI_BASE_URL: openai.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 })));
}

describe('research-bot ask (the binary)', () => {
  it('429 with retry-after: 3600 answers with the digest within LLM_TOTAL_BUDGET_MS, saying why', async () => {
    openai.setPersistentFault('chat', { kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    try {
      const r = await run(['ask', QUESTION, '--json'], {
        INDEX_DIR: indexDir,
        CHAT_MODEL: 'fake-chat',
        LLM_TOTAL_BUDGET_MS: '5000',
        LOG_LEVEL: 'error',
      });
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.mode).toBe('extractive');
      expect(json.fallbackReason).toBe('the language model answered HTTP 429 and asked to wait 3600 s, longer than the time left');
      expect(json.citations.length).toBeGreaterThan(0);
      // Process start-up included; before the fix it was still waiting at 90 s.
      expect(r.ms).toBeLessThan(5000);
    } finally {
      openai.clearFaults();
    }
  }, 30_000);

  it('a runaway model is cut at the character cap and the answer says it was cut off (truncated: true)', async () => {
    openai.setPersistentFault('chat', { kind: 'runaway', text: 'Dataset decomposition buckets sequences by length [1]. ' });
    try {
      const r = await run(['ask', QUESTION, '--json'], { INDEX_DIR: indexDir, CHAT_MODEL: 'fake-chat', LLM_MAX_OUTPUT_TOKENS: '200' });
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.mode).toBe('llm');
      expect(json.truncated).toBe(true);
      expect(json.answer).toMatch(/\n\n_\(Answer cut off: the model ran past the length cap\. Only its complete sentences are shown\.\)_$/);
      expect(json.answer.length).toBeLessThan(200 * 6 + 200);
      expect(openai.requests.at(-1)?.body.max_tokens).toBe(200);
    } finally {
      openai.clearFaults();
    }
  }, 30_000);

  it('a hanging embedding endpoint: the answer comes from the lexical index within the bound, and says so', async () => {
    const hybridDir = await tempDir('bounds-hybrid');
    dirs.push(hybridDir);
    const embedder = new OpenAIEmbeddings({ model: 'fake-embed', baseURL: openai.url, maxRetries: 0 });
    await runIngest(loadConfig({ CORPUS_DIR: CORPUS, INDEX_DIR: hybridDir, EMBEDDING_MODEL: 'fake-embed' }), { embedder });
    openai.setPersistentFault('embeddings', { kind: 'stall' });
    try {
      const env = { INDEX_DIR: hybridDir, EMBEDDING_MODEL: 'fake-embed', EMBEDDING_QUERY_TIMEOUT_MS: '1000', LOG_LEVEL: 'error' };
      const r = await run(['ask', QUESTION, '--json'], env);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.retrieval).toBe('lexical');
      expect(json.retrievalFallback).toBe('the embedding endpoint failed to answer in time');
      expect(json.citations[0].title).toMatch(/Dataset Decomposition/i);
      // Before the fix: 62 s and EMBEDDING_FAILED.
      expect(r.ms).toBeLessThan(5000);
      const text = await run(['ask', QUESTION], env);
      expect(text.stdout).toMatch(/lexical retrieval only because the embedding endpoint failed to answer in time; \d+ ms\)\n$/);
    } finally {
      openai.clearFaults();
    }
  }, 60_000);
});

describe('research-bot bot (the binary) with a model call stuck in a retry wait', () => {
  let discord: FakeDiscordServer;
  beforeAll(async () => {
    discord = await startDiscordServer({ heartbeatIntervalMs: 500 });
  });
  afterAll(async () => {
    await discord?.close();
  });

  it('SIGTERM: the answer lands as a digest and the process exits 0 within the shutdown bound', async () => {
    const feedbackDir = await tempDir('bounds-feedback');
    dirs.push(feedbackDir);
    openai.reset();
    // 50 s fits in the 120 s budget (and under the 60 s cap on one wait), so the call waits: only the shutdown can end it.
    openai.setPersistentFault('chat', { kind: 'status', status: 429, headers: { 'retry-after': '50' } });
    let child: ChildProcess | undefined;
    try {
      child = spawnChild(process.execPath, [BIN, 'bot'], {
        cwd: ROOT,
        env: {
          ...botProcessEnv({ discord, indexDir, feedbackDir }),
          OPENAI_BASE_URL: openai.url,
          CHAT_MODEL: 'fake-chat',
          LLM_TOTAL_BUDGET_MS: '120000',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr!.on('data', (d: Buffer) => void (log += d.toString()));
      const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
      await discord.waitFor(() => log.includes('"bot ready"'), 30_000);
      const h = discord.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: QUESTION }] });
      await discord.waitFor(() => openai.chatCalls() > 0, 15_000);
      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 25_000))]);
      const ms = Date.now() - t0;
      expect(code).toBe(0);
      // Shutdown bound: 10 s for work in flight, then model calls are cancelled.
      expect(ms).toBeLessThan(15_000);
      expect(log).toContain('"bot stopped"');
      const parts = answerMessages(discord, h.token);
      expect(parts?.[0].content).toMatch(/_Showing an extractive digest because the language model was cancelled\._/);
      expect(openai.chatCalls()).toBe(1);
    } finally {
      openai.clearFaults();
    }
  }, 60_000);
});
