/**
 * Hardening: secrets never reach output or logs, even when an endpoint echoes them back; huge
 * corpus files are handled without a crash.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'research-bot.js');
const SECRET = 'sk-test-SECRET-0123456789abcdef';

let root: string;
let server: FakeOpenAIServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-hardening-'));
  server = await startOpenAIServer({ dimensions: 32 });
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: root, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('secrets', () => {
  it('an API key echoed back by a failing chat endpoint appears nowhere in output or logs', async () => {
    const indexDir = join(root, 'index-chat');
    server.setPersistentFault('chat', {
      kind: 'status',
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${SECRET}`, type: 'invalid_request_error', code: 'invalid_api_key' } },
    });
    const env = {
      CORPUS_DIR: join(ROOT, 'data', 'corpus'),
      INDEX_DIR: indexDir,
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: SECRET,
      CHAT_MODEL: 'fake-chat',
      LLM_MAX_RETRIES: '0',
      LOG_LEVEL: 'debug',
    };
    const r = await cli(['ask', 'what does DropPos pretrain ViTs to do?', '--json'], env);
    server.setPersistentFault('chat', null);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { mode: string; fallbackReason?: string; answer: string };
    // The user still gets an answer: the extractive digest, marked as a fallback.
    expect(out.mode).toBe('extractive');
    expect(out.fallbackReason).toMatch(/401/);
    expect(r.stderr).toMatch(/llm failed/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    // The key did reach the endpoint, so the test would notice if it were never sent at all.
    expect(server.requests.some((q) => String(q.headers.authorization).includes(SECRET))).toBe(true);
  });

  it('an API key echoed back by a failing embedding endpoint appears nowhere in the ingest error', async () => {
    server.setPersistentFault('embeddings', {
      kind: 'status',
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${SECRET}`, type: 'invalid_request_error' } },
    });
    const env = {
      CORPUS_DIR: join(ROOT, 'data', 'corpus'),
      INDEX_DIR: join(root, 'index-embed'),
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: SECRET,
      EMBEDDING_MODEL: 'fake-embed',
      LLM_MAX_RETRIES: '0',
      LOG_LEVEL: 'debug',
    };
    const text = await cli(['ingest'], env);
    const json = await cli(['ingest', '--json'], env);
    server.setPersistentFault('embeddings', null);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/EMBEDDING_FAILED/);
    expect(JSON.parse(json.stdout).error.code).toBe('EMBEDDING_FAILED');
    for (const r of [text, json]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});

describe('huge corpus files', () => {
  it('parses a 50 MB dump without crashing, merging its repeated papers', async () => {
    const dir = join(root, 'huge');
    await mkdir(dir, { recursive: true });
    const block = await readFile(join(ROOT, 'data', 'corpus', '004_ca378cfbdc088b08.txt'), 'utf8');
    const copies = Math.ceil((50 * 1024 * 1024) / Buffer.byteLength(block));
    await writeFile(join(dir, 'huge.txt'), Array.from({ length: copies }, () => block).join('\n\n'));
    const { papers, report } = await loadCorpus(dir, { maxFileBytes: 64 * 1024 * 1024 });
    expect(report.files[0].error).toBeUndefined();
    expect(report.files[0].blocks).toBeGreaterThan(copies * 100);
    const single = await loadCorpus(join(ROOT, 'data', 'corpus'));
    const inFile4 = single.papers.filter((p) => p.sources.includes('004_ca378cfbdc088b08.txt')).length;
    expect(papers.length).toBe(inFile4);
    expect(report.duplicatesMerged).toBe(report.blocks - papers.length);
  });

  it('reports a file over the size limit by name and still ingests the others', async () => {
    const dir = join(root, 'limit');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'big.txt'), 'x'.repeat(3 * 1024 * 1024));
    await writeFile(
      join(dir, 'ok.jsonl'),
      `${JSON.stringify({ title: 'A small paper', abstract: 'We study small things at length and report results.' })}\n`,
    );
    const { papers, report } = await loadCorpus(dir, { maxFileBytes: 1024 * 1024 });
    expect(papers.map((p) => p.title)).toEqual(['A small paper']);
    expect(report.skipped).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: 'big.txt', reason: expect.stringMatching(/too large \(3\.0 MB > 1 MB/) })]),
    );
  });
});
