/**
 * The offline default loads no endpoint client: `ask` with no model configured answers without the openai SDK ever
 * being loaded (src/openai-client.ts), while a configured chat model loads it on its first call. Module loads are
 * traced by a resolve hook registered in the child process, which writes each resolved openai file to a log.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/index/ingest.js';
import { killChild, spawnChild } from '../helpers/children.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'research-bot.js');
const CORPUS = join(ROOT, 'data', 'corpus');

let dir: string;
let register: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-offline-modules-'));
  await ingest({ corpusDir: CORPUS, indexDir: join(dir, 'index') });
  const hook = join(dir, 'hook.mjs');
  await writeFile(
    hook,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  if (found.url.includes('/node_modules/openai/')) appendFileSync(process.env.MODULE_LOG, found.url + '\\n');
  return found;
}
`,
  );
  register = join(dir, 'register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `research-bot ask --json` as a child process with the trace hook; the openai files it loaded. */
async function askTraced(name: string, env: Record<string, string>): Promise<{ code: number | null; json: string; openai: string[] }> {
  const log = join(dir, `${name}.log`);
  await writeFile(log, '');
  const child = spawnChild(process.execPath, ['--import', register, BIN, 'ask', 'what does LoRA freeze?', '--json'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      CORPUS_DIR: CORPUS,
      INDEX_DIR: join(dir, 'index'),
      LOG_LEVEL: 'silent',
      MODULE_LOG: log,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let json = '';
  child.stdout!.on('data', (d: Buffer) => void (json += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => void killChild(child), 30_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, json, openai: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
}

describe('the openai SDK in an offline process', () => {
  it('is never loaded by an offline ask, which still answers with citations', async () => {
    const run = await askTraced('offline', {});
    expect(run.code).toBe(0);
    const reply = JSON.parse(run.json) as { answer: string; citations: unknown[] };
    expect(reply.answer).toMatch(/\[1\]/);
    expect(run.openai).toEqual([]);
  });

  it('is loaded by the first call of a configured chat model (here to a closed port, answered from the digest)', async () => {
    const run = await askTraced('chat', { CHAT_MODEL: 'any-model', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', LLM_TOTAL_BUDGET_MS: '3000' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.json).answer).toMatch(/\[1\]/);
    expect(run.openai.length).toBeGreaterThan(0);
  });
});
