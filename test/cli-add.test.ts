/** `research-bot add`: files checked one by one, stored content-addressed in the corpus, ingested once; first-seen dates. */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run, useOfflineCliEnv } from './helpers/cli.js';
import { addPapers, ADD_MAX_FILE_BYTES } from '../src/corpus/add-papers.js';
import { loadCorpus } from '../src/corpus/load.js';
import { AppError } from '../src/errors.js';
import { startTestDatabase, type TestDatabase } from './servers/postgres-server.js';

const ROOT = join(import.meta.dirname, '..');
const CORPUS = join(ROOT, 'data/corpus');
const F2 = '002_8ade21b1ef0670a8.txt'; // 32 papers
const F4 = '004_ca378cfbdc088b08.txt'; // 117 papers
const CRISIS = 'CrisisTransformers: Pre-trained language models and sentence encoders for crisis-related social media texts';
const NOVEL = 'Quokka Routing: Sparse Expert Dispatch for Marsupial Language Models';
const NOVEL2 = 'Wombat Caching for Retrieval over Burrowed Documents';

let root: string;
let n = 0;
let corpus: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-add-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
useOfflineCliEnv(async () => {
  corpus = join(root, `corpus-${n}`);
  await mkdir(corpus, { recursive: true });
  await copyFile(join(CORPUS, F2), join(corpus, F2));
  process.env.CORPUS_DIR = corpus;
  process.env.INDEX_DIR = join(root, `index-${n++}`);
});

async function json(...argv: string[]) {
  const r = await run(...argv, '--json');
  return { code: r.code, value: JSON.parse(r.out) };
}

const record = (title: string, abstract: string) => JSON.stringify({ title, abstract });

/** 2 new papers, 1 already in the corpus (CrisisTransformers, shorter abstract), 1 bad record. */
async function paperList(): Promise<string> {
  const path = join(root, `list-${n}.jsonl`);
  await writeFile(
    path,
    [
      record(NOVEL, 'We route tokens to sparse experts chosen by a marsupial gating network and halve dispatch cost.'),
      record(CRISIS, 'Crisis-related social media texts need their own pre-trained models.'),
      '{"title": "no abstract here"}',
      record(NOVEL2, 'A cache for burrowed documents that keeps retrieval latency flat as the warren grows.'),
    ].join('\n'),
  );
  return path;
}

async function generation(): Promise<string> {
  return (await json('stats')).value.generation;
}

describe('research-bot add', () => {
  it('adds a paper list: new and merged papers and skipped records, stored content-addressed, searchable with a first-seen date', async () => {
    expect((await run('ingest')).code).toBe(0);
    const before = new Date().toISOString();
    const list = await paperList();
    const { code, value } = await json('add', list);
    expect(code).toBe(0);
    expect(value.files).toHaveLength(1);
    const f = value.files[0];
    expect(f).toMatchObject({ file: list.split('/').pop(), status: 'added', papers: 3, new: 2, merged: 1 });
    expect(f.skipped).toEqual([{ line: 3, reason: expect.stringMatching(/abstract/) }]);
    expect(f.storedAs).toMatch(/^added-[0-9a-f]{16}\.jsonl$/);
    expect(await readFile(join(corpus, f.storedAs))).toEqual(await readFile(list));
    expect((await readdir(corpus)).sort()).toEqual([F2, f.storedAs].sort());
    expect(value.ingest).toMatchObject({ upToDate: false, papers: 34, newPapers: 2 });

    const paper = (await json('paper', NOVEL)).value;
    expect(paper.sources).toEqual([f.storedAs]);
    expect(paper.firstSeen >= before).toBe(true);
    const text = await run('paper', NOVEL);
    expect(text.out).toContain(`  added to the corpus on ${paper.firstSeen.slice(0, 10)} ${paper.firstSeen.slice(11, 16)} UTC\n`);
    // The merged paper keeps its first-seen time and now lists both files.
    const crisis = (await json('paper', CRISIS)).value;
    expect(crisis.sources).toEqual([F2, f.storedAs]);
    expect(crisis.firstSeen < paper.firstSeen).toBe(true);

    // Undated papers are filtered by the day they were added.
    const today = paper.firstSeen.slice(0, 10);
    const since = (await json('search', 'marsupial sparse experts', '--from', today)).value.results.map((r: { title: string }) => r.title);
    expect(since).toContain(NOVEL);
    const old = (await json('search', 'marsupial sparse experts', '--to', '2020-01-01')).value.results;
    expect(old).toEqual([]);

    // Carried over across re-ingests: a forced rebuild keeps the first-seen time.
    expect((await run('ingest', '--force')).code).toBe(0);
    expect((await json('paper', NOVEL)).value.firstSeen).toBe(paper.firstSeen);

    // Text output: one line per file, then the index.
    const again = await run('add', list);
    expect(again.code).toBe(0);
    expect(again.out).toBe(
      `${list.split('/').pop()}: nothing to do, already in the corpus as ${f.storedAs}.\nNothing was added; the index is unchanged.\n`,
    );
  });

  it('a Daily Papers dump: papers already in the corpus are counted as merged; re-adding the same dump is a no-op', async () => {
    expect((await run('ingest')).code).toBe(0);
    const gen = await generation();
    const dump = join(root, `day-${n}.md`);
    await copyFile(join(CORPUS, F4), dump);
    const { papers: inF2 } = await loadCorpus(corpus);
    const { code, value } = await json('add', dump);
    expect(code).toBe(0);
    const f = value.files[0];
    const ids = new Set(inF2.map((p) => p.id));
    const parsed = (await loadCorpus(corpus)).papers.filter((p) => p.sources.includes(f.storedAs));
    const overlap = parsed.filter((p) => ids.has(p.id)).length;
    expect(overlap).toBeGreaterThan(0);
    expect(f).toMatchObject({ status: 'added', papers: parsed.length, new: parsed.length - overlap, merged: overlap });
    expect(f.storedAs).toMatch(/^added-[0-9a-f]{16}\.md$/);
    const after = await generation();
    expect(after).not.toBe(gen);

    // The same bytes again, under another name, and a copy of a file the corpus shipped with.
    const copy = join(root, `renamed-${n}.txt`);
    await copyFile(dump, copy);
    const shipped = join(root, `shipped-${n}.txt`);
    await copyFile(join(CORPUS, F2), shipped);
    const dup = await json('add', dump, copy, shipped);
    expect(dup.code).toBe(0);
    expect(dup.value.files.map((x: { status: string; reason: string }) => [x.status, x.reason])).toEqual([
      ['duplicate', `already in the corpus as ${f.storedAs}`],
      ['duplicate', `already in the corpus as ${f.storedAs}`],
      ['duplicate', `already in the corpus as ${F2}`],
    ]);
    expect(dup.value.ingest).toBeUndefined();
    expect(await generation()).toBe(after);
    expect((await readdir(corpus)).sort()).toEqual([F2, f.storedAs].sort());
  });

  it('bad files are refused with a reason and change nothing; good files of the same batch are still added (exit 1)', async () => {
    expect((await run('ingest')).code).toBe(0);
    const gen = await generation();
    const bad = {
      pdf: join(root, 'paper.pdf'),
      big: join(root, 'huge.txt'),
      latin1: join(root, 'latin1.txt'),
      prose: join(root, 'notes.md'),
      json: join(root, 'broken.json'),
    };
    const empty = join(root, 'empty.jsonl');
    await writeFile(bad.pdf, '%PDF-1.7 not a paper list');
    await writeFile(bad.big, Buffer.alloc(ADD_MAX_FILE_BYTES + 1, 'a'));
    await writeFile(bad.latin1, Buffer.from('Caf\xe9 papers\n\nA title\n\nAn abstract with a stray byte.', 'latin1'));
    await writeFile(bad.prose, 'hello');
    await writeFile(bad.json, '{"papers": [');
    await writeFile(empty, '{"title": "only a title"}\n');
    const r = await json('add', ...Object.values(bad));
    expect(r.code).toBe(1);
    const reasons = r.value.files.map((f: { file: string; status: string; reason: string }) => [f.file, f.status, f.reason]);
    expect(reasons).toEqual([
      ['paper.pdf', 'rejected', 'unsupported file type ".pdf" (expected .txt, .md, .jsonl, .json)'],
      ['huge.txt', 'rejected', 'file too large (over the 10 MB limit)'],
      ['latin1.txt', 'rejected', 'not valid UTF-8 text (re-save the file as UTF-8)'],
      ['notes.md', 'rejected', 'no papers found in this file'],
      ['broken.json', 'rejected', expect.stringMatching(/^could not parse: /)],
    ]);
    expect(r.value.ingest).toBeUndefined();
    const none = await json('add', empty);
    expect(none.code).toBe(1);
    expect(none.value.files).toEqual([
      {
        file: 'empty.jsonl',
        status: 'rejected',
        papers: 0,
        new: 0,
        merged: 0,
        skipped: [],
        reason: 'no papers found in this file',
      },
    ]);
    expect(await readdir(corpus)).toEqual([F2]);
    expect(await generation()).toBe(gen);

    const text = await run('add', bad.pdf, await paperList());
    expect(text.code).toBe(1);
    expect(text.out).toMatch(
      /^paper\.pdf: not added: unsupported file type "\.pdf" .*Nothing changed\.\nlist-\d+\.jsonl: 3 papers: 2 new, 1 merged/,
    );
    expect(await readdir(corpus)).toHaveLength(2);

    const usage = await run('add');
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^error \[USAGE\]: Give at least one file/);
    const missing = await run('add', join(root, 'no-such-file.txt'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Cannot read .*no-such-file\.txt \(ENOENT\)\. Nothing was added\./);
  });

  it('names are never paths: whatever a file is called, it is stored only in the corpus folder under its content hash', async () => {
    const outside = await mkdtemp(join(root, 'outside-'));
    const sub = join(outside, 'sub');
    await mkdir(sub);
    const body = (t: string) => new TextEncoder().encode(record(t, `An abstract about ${t.toLowerCase()} and nothing else.`));
    const names = [
      '../../escape.jsonl',
      '/etc/cron.d/evil.jsonl',
      '..\\..\\windows.jsonl',
      `${sub}/../x.jsonl`,
      '.hidden.jsonl',
      'a\u0000b\u202e.jsonl',
    ];
    const ingests: string[] = [];
    const r = await addPapers(
      { corpusDir: sub, files: names.map((name, i) => ({ name, bytes: body(`Paper ${i}`) })).slice(0, 5) },
      async (onPapers) => {
        ingests.push('ingest');
        onPapers([], 'now');
        return { generation: 'gen-x', papers: 5 } as never;
      },
    );
    expect(ingests).toHaveLength(1);
    expect(r.files.map((f) => f.file)).toEqual(['escape.jsonl', 'evil.jsonl', 'windows.jsonl', 'x.jsonl', '.hidden.jsonl']);
    expect(r.files.map((f) => f.status)).toEqual(['added', 'added', 'added', 'added', 'added']);
    const stored = (await readdir(sub)).sort();
    expect(stored).toHaveLength(5);
    for (const s of stored) expect(s).toMatch(/^added-[0-9a-f]{16}\.jsonl$/);
    expect((await readdir(outside)).sort()).toEqual(['sub']);

    const weird = await addPapers({ corpusDir: sub, files: [{ name: names[5], bytes: body('Paper 5') }] }, async (onPapers) => {
      onPapers([], 'now');
      return { generation: 'gen-y', papers: 6 } as never;
    });
    expect(weird.files[0].file).toBe('ab.jsonl');

    await expect(
      addPapers({ corpusDir: sub, files: names.map((name) => ({ name, bytes: body(name) })) }, async () => ({}) as never),
    ).rejects.toThrow(AppError);
  });

  it('a failed ingest takes the batch back out of the corpus', async () => {
    const sub = await mkdtemp(join(root, 'rollback-'));
    const bytes = new TextEncoder().encode(record(NOVEL, 'An abstract.'));
    await expect(
      addPapers({ corpusDir: sub, files: [{ name: 'a.jsonl', bytes }] }, async () => {
        expect(await readdir(sub)).toHaveLength(1);
        throw new AppError('EMBEDDING_FAILED', 'the endpoint is down');
      }),
    ).rejects.toThrow('the endpoint is down');
    expect(await readdir(sub)).toEqual([]);
  });
});

describe('research-bot add with STORE=postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('counts new and merged papers against the Postgres index, which keeps first-seen times', async () => {
    process.env.STORE = 'postgres';
    process.env.DATABASE_URL = db.url;
    expect((await run('ingest')).code).toBe(0);
    const crisisBefore = (await json('paper', CRISIS)).value.firstSeen;
    const list = await paperList();
    const { code, value } = await json('add', list);
    expect(code).toBe(0);
    expect(value.files[0]).toMatchObject({ status: 'added', papers: 3, new: 2, merged: 1 });
    const novel = (await json('paper', NOVEL)).value;
    expect(novel.firstSeen > crisisBefore).toBe(true);
    expect((await json('paper', CRISIS)).value.firstSeen).toBe(crisisBefore);
    const [row] = await db.query<{ first_seen: Date }>(
      'SELECT p.first_seen FROM rb_papers p JOIN rb_meta m USING (generation) WHERE p.paper_id = $1',
      [novel.id],
    );
    expect(new Date(row.first_seen).toISOString()).toBe(novel.firstSeen);
    expect((await json('add', list)).value.files[0].status).toBe('duplicate');
  });
});
