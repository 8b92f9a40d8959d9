import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run, useOfflineCliEnv } from './helpers/cli.js';
import { ingest } from '../src/index/ingest.js';

const ROOT = join(import.meta.dirname, '..');
const CORPUS = join(ROOT, 'data/corpus');
const DROPPOS = 'DropPos: Pre-Training Vision Transformers by Reconstructing Dropped Positions';

let root: string;
let sharedIndex: string;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-cli-'));
  sharedIndex = join(root, 'shared-index');
  await ingest({ corpusDir: CORPUS, indexDir: sharedIndex });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

useOfflineCliEnv(() => {
  process.env.INDEX_DIR = sharedIndex;
  process.env.CORPUS_DIR = CORPUS;
});

function freshIndexDir(): string {
  return join(root, `index-${n++}`);
}

describe('cli main()', () => {
  it('ingest --json prints one JSON summary with 428 papers, then reports up to date', async () => {
    process.env.INDEX_DIR = freshIndexDir();
    const first = await run('ingest', '--json');
    expect(first.code).toBe(0);
    expect(first.err).toBe('');
    const s = JSON.parse(first.out);
    expect(s).toMatchObject({ upToDate: false, papers: 428, chunks: 428, blocks: 481, duplicatesMerged: 53, files: 4, embedding: null });
    expect(s.filesSkipped).toEqual([]);
    expect(existsSync(join(process.env.INDEX_DIR, 'CURRENT'))).toBe(true);

    const second = await run('ingest', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ upToDate: true, generation: s.generation, papers: 428 });
  });

  it('ingest without --json prints a human summary', async () => {
    const r = await run('ingest');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/up to date \(428 papers, 428 chunks/);
  });

  it('ingest --corpus/--index override the environment', async () => {
    const index = freshIndexDir();
    process.env.CORPUS_DIR = join(root, 'nowhere');
    const r = await run('ingest', '--corpus', CORPUS, '--index', index, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).papers).toBe(428);
    expect(existsSync(join(index, 'CURRENT'))).toBe(true);
  });

  it('ingest of a missing corpus fails with a clear error', async () => {
    process.env.INDEX_DIR = freshIndexDir();
    process.env.CORPUS_DIR = join(root, 'nowhere');
    const r = await run('ingest');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error \[CORPUS_NOT_FOUND\]: .*nowhere/);
  });

  it('search --json prints only JSON with ranked results', async () => {
    const r = await run('search', 'DropPos', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.trim().startsWith('{')).toBe(true);
    const body = JSON.parse(r.out);
    expect(body.query).toBe('DropPos');
    expect(body.mode).toBe('lexical');
    expect(body.results.length).toBeGreaterThan(0);
    expect(body.results.length).toBeLessThanOrEqual(10);
    for (const hit of body.results) {
      expect(Object.keys(hit).sort()).toEqual(['paperId', 'rank', 'score', 'title']);
      expect(hit.paperId).toMatch(/^[0-9a-f]{10}$/);
      expect(typeof hit.score).toBe('number');
    }
    expect(body.results.map((h: { rank: number }) => h.rank)).toEqual(body.results.map((_: unknown, i: number) => i + 1));
    expect(body.results[0].title).toBe(DROPPOS);
  });

  it('search -k limits the results and joins words into one query', async () => {
    const r = await run('search', 'machine', 'translation', '-k', '3', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(body.query).toBe('machine translation');
    expect(body.results).toHaveLength(3);
  });

  it('search and ask read a typo as the corpus word it misses, rank as for the word spelled right, and say so', async () => {
    const right = JSON.parse((await run('search', 'machine', 'translation', '-k', '3', '--json')).out);
    const r = await run('search', 'machine', 'tranlsation', '-k', '3', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(body.corrections).toEqual([{ from: 'tranlsation', to: 'translation' }]);
    expect(body.results).toEqual(right.results);
    expect(right.corrections).toBeUndefined();
    const text = await run('search', 'machine', 'tranlsation', '-k', '1');
    expect(text.out.split('\n')[0]).toBe('Read "tranlsation" as "translation".');
    const ask = JSON.parse((await run('ask', 'machine tranlsation with pretrained transformers?', '--json')).out);
    expect(ask.corrections).toEqual([{ from: 'tranlsation', to: 'translation' }]);
    expect(ask.answer.startsWith('_Read "tranlsation" as "translation"._\n\n')).toBe(true);
    expect(ask.abstainReason ?? '').not.toContain('tranlsation');
  });

  it('search without --json prints one line per hit', async () => {
    const r = await run('search', 'DropPos', 'vision', 'transformers', '-k', '2');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ 1\. \[[0-9a-f]{10}\] DropPos: .* {2}\(\d+(\.\d+)?\)$/);
    expect(lines[1]).toMatch(/^ 2\. \[[0-9a-f]{10}\] /);
  });

  it('search builds the index on first use', async () => {
    process.env.INDEX_DIR = freshIndexDir();
    const r = await run('search', 'DropPos', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).results[0].title).toBe(DROPPOS);
  });

  it('rejects an empty query as a usage error: exit 2, code USAGE, with the usage line', async () => {
    for (const q of [[], [''], ['   ']]) {
      const r = await run('search', ...q);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^error \[USAGE\]: Please give a query\.\nUsage: research-bot search /);
    }
    const json = await run('search', '', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toEqual({
      error: { code: 'USAGE', message: 'Please give a query.', usage: expect.stringMatching(/^research-bot search/) },
    });
  });

  it('rejects a bad -k as a usage error (exit 2)', async () => {
    for (const k of ['lots', '0', '101', '2.5']) {
      const r = await run('search', 'DropPos', '-k', k);
      expect(r.code, k).toBe(2);
      expect(r.err).toMatch(/^error \[USAGE\]: -k must be a whole number/);
    }
    const json = await run('similar', 'DropPos', '-k', '99', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out).error).toMatchObject({ code: 'USAGE', message: '-k must be a whole number from 1 to 25.' });
  });

  it('date filters: one validator for search and ask, exit 2 on a bad value or --from after --to', async () => {
    for (const argv of [
      ['search', 'DropPos', '--from', 'yesterday'],
      ['ask', 'DropPos', '--from', 'yesterday'],
      ['search', 'DropPos', '--to', '2024-13-45'],
      ['ask', 'DropPos', '--from', '2024-13-45'],
      ['summarize', 'vision transformers', '--to', '2023-02-29'],
      ['search', 'DropPos', '--from', '2024-02-01', '--to', '2024-01-01'],
      ['ask', 'DropPos', '--from', '2024-02-01', '--to', '2024-01-01'],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err, argv.join(' ')).toMatch(/^error \[USAGE\]: --(from|to) /);
    }
  });

  it('when the filter (not the corpus) empties the result, the message names the filter', async () => {
    const search = await run('search', 'DropPos', '--from', '2030-01-01');
    expect(search.code).toBe(0);
    expect(search.out).toBe('No paper dated 2030-01-01 or later matches the query; without the filter, some do.\n');
    const json = JSON.parse((await run('search', 'DropPos', '--from', '2030-01-01', '--json')).out);
    expect(json.results).toEqual([]);
    expect(json.note).toContain('dated 2030-01-01 or later');
    const ask = JSON.parse((await run('ask', 'How does DropPos pre-train vision transformers?', '--to', '1990-01-01', '--json')).out);
    expect(ask.abstained).toBe(true);
    expect(ask.abstainReason).toBe('no paper dated 1990-01-01 or earlier matches it');
    expect(ask.answer).not.toContain('no paper in the corpus');
    // Without a filter, an empty result still blames the corpus.
    expect((await run('search', 'zzzzqqq', '--json')).out).not.toContain('note');
  });

  it('paper <id> shows the paper', async () => {
    const id = JSON.parse((await run('search', 'DropPos', '--json')).out).results[0].paperId;
    const r = await run('paper', id);
    expect(r.code).toBe(0);
    expect(r.out.startsWith(`${DROPPOS}\n  id: ${id}\n`)).toBe(true);
    expect(r.out).toContain('sources: 004_ca378cfbdc088b08.txt');
    expect(r.out).toContain('links: https://github.com/Haochen-Wang409/DropPos');
    expect(r.out).toContain('As it is empirically observed that Vision Transformers');
  });

  it('paper <title fragment> finds the paper, also as JSON', async () => {
    for (const q of [['DropPos'], ['reconstructing', 'dropped', 'positions'], ['dropped positions vision transformers']]) {
      const r = await run('paper', ...q, '--json');
      expect(r.code, q.join(' ')).toBe(0);
      const p = JSON.parse(r.out);
      expect(p.title).toBe(DROPPOS);
      expect(p.sources).toEqual(['004_ca378cfbdc088b08.txt']);
      expect(p.abstract.length).toBeGreaterThan(200);
    }
  });

  it('paper shows metadata when the paper has it', async () => {
    const r = await run('paper', 'CrisisTransformers');
    expect(r.code).toBe(0);
    expect(r.out).toContain('date: 2023-09-11');
    expect(r.out).toContain('authors: 3');
  });

  it('paper with no match fails with PAPER_NOT_FOUND', async () => {
    const r = await run('paper', 'zzzz qqqq xxxx');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error \[PAPER_NOT_FOUND\]: No paper matches "zzzz qqqq xxxx"/);
  });

  it('stats --json describes the index', async () => {
    const r = await run('stats', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({
      papers: 428,
      chunks: 428,
      vectors: 0,
      mode: 'lexical',
      embeddingModel: null,
      chunkStrategy: 'abstract',
      files: 4,
      skipped: 0,
      indexDir: sharedIndex,
    });
    expect(s.generation).toMatch(/^gen-/);
  });

  it('stats without an index fails with INDEX_MISSING', async () => {
    process.env.INDEX_DIR = freshIndexDir();
    const r = await run('stats', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.code).toBe('INDEX_MISSING');
  });

  it('an unknown command exits 2 with code USAGE and the help', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error \[USAGE\]: Unknown command "frobnicate"\./);
    expect(r.err).toContain('Commands:');
  });

  it('a name inherited from Object is not a command either', async () => {
    for (const name of ['toString', 'constructor', '__proto__']) {
      const r = await run(name);
      expect(r.code, name).toBe(2);
      expect(r.err).toMatch(/^error \[USAGE\]: Unknown command/);
    }
  });

  it('an unknown flag exits 2 with code USAGE and the usage', async () => {
    const r = await run('search', 'x', '--bogus');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error \[USAGE\]: Unknown option '--bogus'.*\nUsage: research-bot search/s);
  });

  it('with --json a usage error is one JSON document on stdout, nothing on stderr, exit 2', async () => {
    for (const argv of [
      ['search', 'x', '--bogus', '--json'],
      ['frobnicate', '--json'],
      ['search', '--json'],
      ['ask', 'x', '--from', '2024-13-45', '--json'],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toBe('');
      const body = JSON.parse(r.out);
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe('USAGE');
      expect(body.error.message.length).toBeGreaterThan(5);
    }
  });

  it('no command prints the help and exits 2; help exits 0', async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.out).toContain('Commands:');
    const help = await run('help');
    expect(help.code).toBe(0);
    for (const c of ['ingest', 'search', 'paper', 'stats']) expect(help.out).toContain(`  ${c}`);
  });

  it('a bad configuration exits 1 naming the variable', async () => {
    process.env.MAX_CORPUS_FILE_MB = 'huge';
    const r = await run('stats');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error \[CONFIG_INVALID\]: .*MAX_CORPUS_FILE_MB/s);
  });
});

describe('built bin/research-bot.js', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/cli.js'))) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        stdio: 'ignore',
      });
    }
  }, 120_000);

  // Its own index, built by the compiled code itself, so a stale dist/ cannot misread one built from src/.
  const binEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    INDEX_DIR: join(root, 'bin-index'),
    CORPUS_DIR: CORPUS,
    EMBEDDING_MODEL: '',
    CHAT_MODEL: '',
    OPENAI_BASE_URL: '',
  });

  it('search "DropPos" --json prints only JSON', async () => {
    const cwd = join(root, 'bin-cwd');
    await mkdir(cwd, { recursive: true });
    const env = binEnv();
    // Default log level: stdout must stay pure JSON without help from LOG_LEVEL=silent.
    delete env.LOG_LEVEL;
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/research-bot.js'), 'search', 'DropPos', '--json'], {
      cwd,
      env,
      timeout: 60_000,
    });
    expect(stdout.trim().startsWith('{')).toBe(true);
    const body = JSON.parse(stdout);
    expect(body.results[0]).toMatchObject({ rank: 1, title: DROPPOS });
    expect(existsSync(join(root, 'bin-index', 'CURRENT'))).toBe(true);
  });

  it('ends quietly with exit 0 when the reader closes the pipe (`… | head`)', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/research-bot.js'), 'search', 'pre-training data', '-k', '50'], {
      cwd: root,
      env: binEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the first line is written.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve)).finally(() => clearTimeout(timer));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('exits 2 on an unknown command', async () => {
    const err = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/research-bot.js'), 'frobnicate'], {
      cwd: root,
      timeout: 60_000,
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/^error \[USAGE\]: Unknown command "frobnicate"/);
  });
});
