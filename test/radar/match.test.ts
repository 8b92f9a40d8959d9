/** The relevance bar of topic matching: the topic's rare words in one sentence (or the title), not scattered. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ingest } from '../../src/index/ingest.js';
import { Retriever } from '../../src/index/search.js';
import { IndexStore } from '../../src/index/store.js';
import { matchTopics } from '../../src/radar/match.js';
import { BASE_PAPERS, useTempRoot } from './fixtures.js';

const tempRoot = useTempRoot('match');

it('matches a paper whose sentence carries the topic, not one with its words in unrelated sentences', async () => {
  const root = tempRoot();
  const papers = [
    {
      title: 'Video Generation with Latent Transformers',
      abstract: 'We scale video generation to minutes of footage. Code is available online.',
    },
    {
      title: 'Tests as Specifications',
      abstract: 'Large models are strong at code generation from docstrings. Unit tests check the programs.',
    },
    { title: 'Compiler Feedback', abstract: 'A compiler checks the code. Our generation of fixes uses the repository graph.' },
  ];
  await writeFile(join(root, 'c.jsonl'), [...BASE_PAPERS, ...papers.map((p) => JSON.stringify(p))].join('\n'));
  await ingest({ corpusDir: root, indexDir: join(root, 'index') });
  const store = await IndexStore.open(join(root, 'index'));
  const retriever = new Retriever(store);
  const ids = store.papers.filter((p) => papers.some((q) => q.title === p.title)).map((p) => p.id);
  const groups = await matchTopics(retriever, ['code generation', 'video generation', 'protein folding'], ids);
  expect(groups.map((g) => [g.topic, g.matches.map((m) => m.paper.title)])).toEqual([
    ['code generation', ['Tests as Specifications']],
    ['video generation', ['Video Generation with Latent Transformers']],
  ]);
  expect(groups[0].matches[0].reason).toBe('Large models are strong at code generation from docstrings.');
  expect(groups[1].matches[0].reason).toBe('Video Generation with Latent Transformers');
});
