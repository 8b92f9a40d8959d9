import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { paperIdFor } from '../../src/corpus/normalize.js';
import type { Paper, ParsedCorpus } from '../../src/corpus/types.js';
import { AppError } from '../../src/errors.js';

const CORPUS = join(import.meta.dirname, '../../data/corpus');
const F1 = '001_ee0c38c5b4709230.txt';
const F2 = '002_8ade21b1ef0670a8.txt';
const F3 = '003_2e1a7ba535186e7a.txt';
const F4 = '004_ca378cfbdc088b08.txt';

const CHROME = [
  'new',
  'Get trending papers in your email inbox once a day!',
  'Get trending papers in your email inbox!',
  'Subscribe',
  'Daily Papers',
  'byAK and the research community',
  'Trending Papers',
  'Submit',
].map((s) => s.toLowerCase());

const ABSTRACT_A =
  'We propose a retrieval method for scientific abstracts that combines sparse and dense signals. It ' +
  'improves recall on three benchmarks. Code is at https://github.com/example/hybrid-retrieval.';
const ABSTRACT_B =
  'We study the effect of data ordering on language model pretraining. Curriculum ordering speeds up convergence by a third. We release the scripts.';
const ABSTRACT_C =
  'A survey of tokenizers for multilingual models. We compare byte-level, unigram and BPE tokenizers across forty languages and find large gaps.';

function byTitle(papers: Paper[], prefix: string): Paper {
  const found = papers.filter((p) => p.title.startsWith(prefix));
  expect(found, `papers titled "${prefix}…"`).toHaveLength(1);
  return found[0];
}

describe('loadCorpus on the shipped corpus', () => {
  let corpus: ParsedCorpus;
  beforeAll(async () => {
    corpus = await loadCorpus(CORPUS);
  });

  it('reads 428 unique papers from 481 blocks, 53 duplicates merged, nothing skipped', () => {
    expect(corpus.report.files.map((f) => f.file)).toEqual([F1, F2, F3, F4]);
    expect(corpus.report.blocks).toBe(481);
    expect(corpus.report.papers).toBe(428);
    expect(corpus.papers).toHaveLength(428);
    expect(corpus.report.duplicatesMerged).toBe(53);
    expect(corpus.report.skipped).toEqual([]);
    for (const f of corpus.report.files) {
      expect(f.error).toBeUndefined();
      expect(f.format).toBe('daily-papers-text');
      expect(f.papers).toBe(f.blocks);
    }
    expect(corpus.report.files.map((f) => f.blocks)).toEqual([88, 32, 244, 117]);
  });

  it('gives each paper a unique id derived from its title', () => {
    const ids = new Set(corpus.papers.map((p) => p.id));
    expect(ids.size).toBe(428);
    for (const p of corpus.papers) expect(p.id).toBe(paperIdFor(p.title));
  });

  it('strips "Subscribe" glued to the MT-Ladder title in 003', () => {
    const p = byTitle(corpus.papers, 'MT-Ladder');
    expect(p.title).toBe('MT-Ladder: A Model-Agnostic Framework Boosting LLM-based Machine Translation to the Next Level');
    expect(p.sources).toEqual([F3]);
    expect(
      p.abstract.startsWith(
        'General-purpose Large Language Models (LLMs) like GPT-4 have achieved remarkable advancements in machine translation',
      ),
    ).toBe(true);
    expect(p.links).toEqual(['https://github.com/fzp0424/Ladder']);
    expect(corpus.papers.some((q) => q.title.startsWith('Subscribe'))).toBe(false);
  });

  it('merges a paper present in several files and keeps all its sources', () => {
    const guide = byTitle(corpus.papers, "A Pretrainer's Guide to Training Data");
    expect(guide.title).toBe(
      "A Pretrainer's Guide to Training Data: Measuring the Effects of Data Age, Domain Coverage, Quality, & Toxicity",
    );
    expect(guide.sources).toEqual([F1, F3, F4]);
    expect(guide.abstract.startsWith('Pretraining is the preliminary and fundamental step')).toBe(true);

    const everywhere = corpus.papers.filter((p) => p.sources.length === 4);
    expect(everywhere.map((p) => p.title)).toEqual(['A Little Help Goes a Long Way: Efficient LLM Training by Leveraging Small LMs']);
  });

  it('reads authors count and date from the metadata lines of 002', () => {
    const crisis = byTitle(corpus.papers, 'CrisisTransformers');
    expect(crisis).toMatchObject({ authorsCount: 3, date: '2023-09-11', sources: [F2] });
    expect(crisis.links).toEqual(['https://huggingface.co/crisistransformers']);

    const yi = byTitle(corpus.papers, 'Yi: Open Foundation Models by 01.AI');
    expect(yi).toMatchObject({ authorsCount: 31, date: '2024-03-07', upvotes: 3 });
    expect(yi.sources).toEqual([F1, F2]);
  });

  it('takes dates only from paper metadata (002), never from page headers', () => {
    const dated = corpus.papers.filter((p) => p.date);
    expect(dated.length).toBeGreaterThan(15);
    for (const p of dated) {
      expect(p.sources).toContain(F2);
      expect(p.date).toMatch(/^(19|20)\d\d-\d\d-\d\d$/);
    }
  });

  it('extracts links from abstracts, trailing punctuation trimmed', () => {
    expect(byTitle(corpus.papers, 'SkyReels-V2').links).toEqual(['https://github.com/SkyworkAI/SkyReels-V2']);
    expect(byTitle(corpus.papers, 'DropPos').links).toEqual(['https://github.com/Haochen-Wang409/DropPos']);
    expect(byTitle(corpus.papers, 'Tiny language models').links).toEqual(['https://github.com/Rg32601/Tiny-Language-Models']);
    // The abstract carries a LaTeX \url{...} remnant.
    expect(byTitle(corpus.papers, 'Stacking Your Transformers').links).toEqual(['https://llm-stacking.github.io/']);
    const all = corpus.papers.flatMap((p) => p.links);
    expect(all.length).toBeGreaterThan(80);
    for (const l of all) {
      expect(l).toMatch(/^https?:\/\/[^\s{}]+$/);
      expect(l).not.toMatch(/[.,;:)\]]$/);
    }
  });

  it('keeps short real titles that look nothing like prose', () => {
    const titles = corpus.papers.map((p) => p.title);
    expect(titles).toContain('2 OLMo 2 Furious');
    expect(titles).toContain('Qwen2.5 Technical Report');
    expect(titles).toContain('One Epoch Is All You Need');
  });

  it('has no chrome or page date as a title and no chrome in abstracts', () => {
    for (const p of corpus.papers) {
      expect(CHROME).not.toContain(p.title.toLowerCase());
      expect(p.title).not.toMatch(/^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}(,? \d{4})?( \d+)?$/);
      expect(p.title).not.toMatch(/^\s|\s$|authors$/);
      expect(p.abstract).not.toMatch(/Get trending papers|byAK and the research community|\n\s*•|\d+ authors\n/);
    }
  });

  it('has no abstract shorter than 200 characters', () => {
    const short = corpus.papers.filter((p) => p.abstract.length < 200).map((p) => p.title);
    expect(short).toEqual([]);
  });
});

describe('loadCorpus on temporary folders', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rb-load-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  let n = 0;
  async function folder(files: Record<string, string | Buffer>): Promise<string> {
    const dir = join(root, `c${n++}`);
    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    return dir;
  }

  it('reads .jsonl, reporting a broken line by number while ingesting the others', async () => {
    const lines = [
      JSON.stringify({
        title: 'Hybrid Retrieval for Abstracts',
        abstract: ABSTRACT_A,
        authors: ['Ada Lovelace', 'Alan Turing'],
        date: '2024-03-07',
        url: 'https://arxiv.org/abs/2403.00001',
      }),
      '{"title": "Broken Record", "abstract": "unterminated',
      '',
      JSON.stringify({ title: 'Curriculum Ordering for Pretraining', abstract: ABSTRACT_B, authors: 'A. One, B. Two and C. Three' }),
      JSON.stringify({ title: 'A Record Without Abstract', authors: 2 }),
      JSON.stringify({ title: '   ', abstract: ABSTRACT_C }),
    ];
    const dir = await folder({ 'papers.jsonl': `${lines.join('\n')}\n` });
    const { papers, report } = await loadCorpus(dir);
    expect(papers.map((p) => p.title)).toEqual(['Hybrid Retrieval for Abstracts', 'Curriculum Ordering for Pretraining']);
    expect(report.files[0]).toMatchObject({ file: 'papers.jsonl', format: 'jsonl', blocks: 5, papers: 2 });
    expect(report.files[0].error).toBeUndefined();
    expect(report.skipped.map((s) => [s.file, s.line])).toEqual([
      ['papers.jsonl', 2],
      ['papers.jsonl', 5],
      ['papers.jsonl', 6],
    ]);
    expect(report.skipped[0].reason).toMatch(/invalid JSON/);
    expect(report.skipped[1].reason).toMatch(/abstract/);
    expect(report.skipped[2].reason).toMatch(/title/);

    const [a, b] = papers;
    expect(a).toMatchObject({
      authors: ['Ada Lovelace', 'Alan Turing'],
      authorsCount: 2,
      date: '2024-03-07',
      url: 'https://arxiv.org/abs/2403.00001',
      sources: ['papers.jsonl'],
    });
    expect(a.links).toEqual(['https://arxiv.org/abs/2403.00001', 'https://github.com/example/hybrid-retrieval']);
    expect(b.authors).toEqual(['A. One', 'B. Two', 'C. Three']);
    expect(b.authorsCount).toBe(3);
  });

  it('reads a .json array and a {papers:[...]} object, reporting records missing an abstract', async () => {
    const dir = await folder({
      'a.json': JSON.stringify([{ title: 'Hybrid Retrieval for Abstracts', abstract: ABSTRACT_A }, { title: 'Missing Abstract Paper' }]),
      'b.json': JSON.stringify({
        papers: [
          { title: 'Curriculum Ordering for Pretraining', abstract: ABSTRACT_B, date: 2023 },
          { title: 'Tokenizers Across Forty Languages', abstract: ABSTRACT_C, authors: 4 },
          { title: 'Empty Abstract Paper', abstract: '   ' },
        ],
      }),
      'c.json': JSON.stringify({ items: [] }),
    });
    const { papers, report } = await loadCorpus(dir);
    expect(papers.map((p) => p.title).sort()).toEqual([
      'Curriculum Ordering for Pretraining',
      'Hybrid Retrieval for Abstracts',
      'Tokenizers Across Forty Languages',
    ]);
    const [a, b, c] = report.files;
    expect(a).toMatchObject({ file: 'a.json', format: 'json', blocks: 2, papers: 1 });
    expect(a.skipped).toHaveLength(1);
    expect(a.skipped[0]).toMatchObject({ file: 'a.json', line: 2 });
    expect(a.skipped[0].reason).toMatch(/record 2: abstract/);
    expect(b).toMatchObject({ file: 'b.json', format: 'json', blocks: 3, papers: 2 });
    expect(b.skipped[0]).toMatchObject({ file: 'b.json', line: 3 });
    expect(b.skipped[0].reason).toMatch(/abstract is empty/);
    expect(c.error).toMatch(/expected an array of papers or an object with a "papers" array/);
    expect(papers.find((p) => p.title.startsWith('Curriculum'))!.date).toBe('2023-01-01');
    expect(papers.find((p) => p.title.startsWith('Tokenizers'))!.authorsCount).toBe(4);
  });

  it('merges the same paper across a text dump and a structured file', async () => {
    const dir = await folder({
      'dump.txt': ['Daily Papers', '', 'Hybrid Retrieval for Abstracts', '', ABSTRACT_A, '', '  • 5 authors', '·', 'Sep 11, 2023 4'].join(
        '\n',
      ),
      'extra.jsonl': `${JSON.stringify({
        title: 'hybrid retrieval for abstracts!',
        abstract: `${ABSTRACT_A} Extended version.`,
        url: 'https://arxiv.org/abs/1',
      })}\n`,
    });
    const { papers, report } = await loadCorpus(dir);
    expect(report.duplicatesMerged).toBe(1);
    expect(papers).toHaveLength(1);
    const p = papers[0];
    expect(p.title).toBe('Hybrid Retrieval for Abstracts');
    expect(p.sources).toEqual(['dump.txt', 'extra.jsonl']);
    // The fuller abstract wins; metadata from both files is kept.
    expect(p.abstract).toBe(`${ABSTRACT_A} Extended version.`);
    expect(p).toMatchObject({ authorsCount: 5, date: '2023-09-11', upvotes: 4, url: 'https://arxiv.org/abs/1' });
    expect(p.links).toEqual(['https://github.com/example/hybrid-retrieval', 'https://arxiv.org/abs/1']);
  });

  it('reports each bad file by name with a reason while the other files still load', async () => {
    const good = ['Hybrid Retrieval for Abstracts', '', ABSTRACT_A, '', 'Curriculum Ordering for Pretraining', '', ABSTRACT_B].join('\n');
    const big = ['Tokenizers Across Forty Languages', '', ABSTRACT_C.repeat(20)].join('\n');
    const dir = await folder({
      'good.txt': good,
      'empty.txt': '',
      'blank.md': ' \n\t\n  \r\n',
      'binary.txt': Buffer.concat([Buffer.from('Title\n\nAbstract'), Buffer.from([0, 1, 2, 0, 255])]),
      'latin1.txt': Buffer.from([0xff, 0xfe, 0x41]),
      'paper.pdf': '%PDF-1.4 not really',
      'big.txt': big,
      '.DS_Store': 'ignored',
    });
    const { papers, report } = await loadCorpus(dir, { maxFileBytes: 2000 });
    expect(papers.map((p) => p.title)).toEqual(['Hybrid Retrieval for Abstracts', 'Curriculum Ordering for Pretraining']);
    expect(papers.every((p) => p.sources[0] === 'good.txt')).toBe(true);

    const errors = Object.fromEntries(report.files.map((f) => [f.file, f.error]));
    expect(Object.keys(errors).sort()).toEqual(['big.txt', 'binary.txt', 'blank.md', 'empty.txt', 'good.txt', 'latin1.txt', 'paper.pdf']);
    expect(errors['good.txt']).toBeUndefined();
    expect(errors['empty.txt']).toMatch(/^empty file/);
    expect(errors['blank.md']).toMatch(/empty file \(only whitespace\)/);
    expect(errors['binary.txt']).toMatch(/binary/);
    expect(errors['latin1.txt']).toMatch(/not valid UTF-8/);
    expect(errors['paper.pdf']).toMatch(/unsupported file type "\.pdf"/);
    expect(errors['big.txt']).toMatch(/too large.*MAX_CORPUS_FILE_MB/);

    // Every file-level problem also appears in the flat skipped list, by file name.
    const skippedFiles = report.skipped.map((s) => s.file).sort();
    expect(skippedFiles).toEqual(['big.txt', 'binary.txt', 'blank.md', 'empty.txt', 'latin1.txt', 'paper.pdf']);
    for (const s of report.skipped) expect(s.reason).toBe(errors[s.file]);
  });

  it('loads the large file once the limit allows it', async () => {
    const dir = await folder({ 'big.txt': ['Tokenizers Across Forty Languages', '', ABSTRACT_C.repeat(20)].join('\n') });
    const { papers, report } = await loadCorpus(dir, { maxFileBytes: 1_000_000 });
    expect(report.skipped).toEqual([]);
    expect(papers.map((p) => p.title)).toEqual(['Tokenizers Across Forty Languages']);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const dir = await folder({
      'bom.txt': Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(['Hybrid Retrieval for Abstracts', '', ABSTRACT_A].join('\n')),
      ]),
    });
    const { papers } = await loadCorpus(dir);
    expect(papers.map((p) => p.title)).toEqual(['Hybrid Retrieval for Abstracts']);
  });

  it('reads files in subfolders, naming them by relative path', async () => {
    const dir = await folder({ 'sub/deeper/x.txt': ['Hybrid Retrieval for Abstracts', '', ABSTRACT_A].join('\n') });
    const { papers, report } = await loadCorpus(dir);
    expect(report.files.map((f) => f.file)).toEqual(['sub/deeper/x.txt']);
    expect(papers[0].sources).toEqual(['sub/deeper/x.txt']);
  });

  it('names files the same whatever form the folder path is given in', async () => {
    const dir = await folder({ 'sub/x.txt': ['Hybrid Retrieval for Abstracts', '', ABSTRACT_A].join('\n') });
    const rel = relative(process.cwd(), dir);
    for (const form of [dir, `${dir}/`, `./${rel}`, `${rel}//`]) {
      const { papers, report } = await loadCorpus(form);
      expect(
        report.files.map((f) => f.file),
        form,
      ).toEqual(['sub/x.txt']);
      expect(papers[0].sources, form).toEqual(['sub/x.txt']);
    }
  });

  it('rejects a missing corpus folder with CORPUS_NOT_FOUND', async () => {
    const err = await loadCorpus(join(root, 'does-not-exist')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CORPUS_NOT_FOUND');
    expect((err as AppError).message).toContain('does-not-exist');
  });
});
