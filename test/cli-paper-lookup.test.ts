/**
 * `research-bot paper` and `similar` use the same resolver as the bot: an ambiguous title lists the
 * candidates and fails with PAPER_AMBIGUOUS (exit 1, like every non-usage failure), a miss lists
 * the closest papers; `--json` carries both lists.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/index/ingest.js';
import { runCli as run, useOfflineCliEnv } from './helpers/cli.js';

const CORPUS = join(import.meta.dirname, '..', 'data/corpus');
let indexDir: string;

beforeAll(async () => {
  indexDir = await mkdtemp(join(tmpdir(), 'rb-cli-paper-'));
  await ingest({ corpusDir: CORPUS, indexDir });
});
afterAll(async () => {
  await rm(indexDir, { recursive: true, force: true });
});

useOfflineCliEnv(() => {
  process.env.INDEX_DIR = indexDir;
  process.env.CORPUS_DIR = CORPUS;
});

// The shipped corpus has no paper titled BERT; four titles hold it as a word or inside one.
const BERT_TITLES = [
  'Boosting Distributed Training Performance of the Unpadded BERT Model',
  'bert2BERT: Towards Reusable Pretrained Language Models',
  'MosaicBERT: A Bidirectional Encoder Optimized for Fast Pretraining',
];

describe('paper / similar with a title that is not exact', () => {
  it('"BERT" lists the candidates, whole word first, and opens none (exit 1, PAPER_AMBIGUOUS)', async () => {
    for (const cmd of ['paper', 'similar']) {
      const r = await run(cmd, 'BERT');
      expect(r.code, cmd).toBe(1);
      expect(r.out).toBe('');
      const lines = r.err.split('\n');
      expect(lines[0]).toBe('error [PAPER_AMBIGUOUS]: "BERT" matches 4 papers; give the id or the full title:');
      expect(lines.slice(1, 4).map((l) => l.replace(/^ {2}[0-9a-f]{10} {2}/, ''))).toEqual(BERT_TITLES);
    }
  });

  it('--json gives the candidates with their ids; an id from the list opens the paper', async () => {
    const r = await run('paper', 'BERT', '--json');
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.out);
    expect(error).toMatchObject({ code: 'PAPER_AMBIGUOUS', total: 4 });
    expect(error.candidates.slice(0, 3).map((c: { title: string }) => c.title)).toEqual(BERT_TITLES);
    expect(error.candidates[0]).toEqual({ paperId: expect.stringMatching(/^[0-9a-f]{10}$/), title: BERT_TITLES[0], match: 'words' });
    const picked = await run('paper', error.candidates[1].paperId, '--json');
    expect(picked.code).toBe(0);
    expect(JSON.parse(picked.out).title).toBe(BERT_TITLES[1]);
  });

  it('a miss lists the closest papers by retrieval (text and --json)', async () => {
    const r = await run('paper', 'packing several prompts into one sequence', '--json');
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.out);
    expect(error.code).toBe('PAPER_NOT_FOUND');
    expect(error.suggestions.length).toBeGreaterThan(0);
    expect(error.suggestions.length).toBeLessThanOrEqual(5);
    expect(error.suggestions[0].title).toMatch(/^Prepacking/);
    const text = await run('similar', 'packing several prompts into one sequence');
    expect(text.err).toMatch(
      /^error \[PAPER_NOT_FOUND\]: No paper matches "packing several prompts into one sequence"\. The closest papers:\n {2}[0-9a-f]{10} {2}Prepacking/,
    );
  });
});
