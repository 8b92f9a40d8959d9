/**
 * "who wrote X?", "when was X published?": answered from the best match's record (offline), or said
 * plainly to be missing from it; the model gets the authors in its source tags.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answer/engine.js';
import { factsAsked } from '../../src/answer/paper-facts.js';
import { formatSources } from '../../src/answer/prompts.js';
import { buildIndex, type BuiltIndex, FILLER_PAPERS } from './helpers.js';

const RECORDED = {
  title: 'Gradient Checkpoint Surgery for Long Sequences',
  abstract: 'We recompute only the attention activations of long sequences, halving training memory at equal speed.',
  authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'],
  date: '2024-05-01',
};
const BARE = {
  title: 'Sparse Mixtures of Tokenizers',
  abstract: 'Routing each document to one of several tokenizers lowers perplexity on code and multilingual text.',
};

let dir: string;
let built: BuiltIndex;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-facts-corpus-'));
  await writeFile(join(dir, 'papers.jsonl'), `${[RECORDED, BARE, ...FILLER_PAPERS].map((p) => JSON.stringify(p)).join('\n')}\n`);
  built = await buildIndex(dir);
});
afterAll(async () => {
  await built?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('paper facts (offline)', () => {
  it('"who wrote X?" opens with the best match\'s authors, graded as the question about X alone', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'who wrote the gradient checkpoint surgery paper?');
    expect(r.citations[0].title).toBe(RECORDED.title);
    expect(r.answer.split('\n')[0]).toBe(`**${RECORDED.title}** [1]: by Ada Lovelace, Alan Turing, Grace Hopper.`);
    expect(r.confidence).toBe('high');
  });

  it('"when was X published?" opens with its date, and both facts can be asked at once', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'when was gradient checkpoint surgery published?');
    expect(r.answer.split('\n')[0]).toBe(`**${RECORDED.title}** [1]: dated 2024-05-01.`);
    const both = await answerQuestion(
      { retriever: built.retriever },
      'who are the authors of gradient checkpoint surgery, and when was it published?',
    );
    expect(both.answer.split('\n')[0]).toBe(`**${RECORDED.title}** [1]: by Ada Lovelace, Alan Turing, Grace Hopper; dated 2024-05-01.`);
  });

  it('says plainly when the record lacks what is asked, rather than answering from the abstract alone', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'who wrote sparse mixtures of tokenizers and when did it come out?');
    expect(r.citations[0].title).toBe(BARE.title);
    expect(r.answer.split('\n')[0]).toBe(`**${BARE.title}** [1]: the corpus records neither its authors nor its date.`);
  });

  it('a question about the work itself gets no record line', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'how does gradient checkpoint surgery save memory?');
    expect(r.answer.startsWith('**')).toBe(false);
  });
});

describe('factsAsked', () => {
  it.each([
    ['who wrote DPO?', ['authors']],
    ['authors of the GaLore paper', ['authors']],
    ['when was mamba released on arxiv', ['date']],
    ['what year was BERT published', ['date']],
    ['author attribution with LLMs?', []],
    ['when is released code better than a paper?', []],
    ['how was the dataset published to the hub curated?', []],
  ])('%j asks %j', (q, facts) => {
    expect(factsAsked(q)).toEqual(facts);
  });
});

describe('the model sees the record', () => {
  it('source tags carry the authors (at most eight, then "et al.") and the date', () => {
    const many = Array.from({ length: 10 }, (_, i) => `Author ${i + 1}`);
    const source = (paper: object) => ({
      marker: 1,
      paper: { id: 'p', links: [], sources: [], ...paper },
      score: 1,
      passages: [],
      url: '',
      links: [],
    });
    const tags = formatSources([source({ ...RECORDED, authors: many }), { ...source(BARE), marker: 2 }] as never);
    expect(tags).toContain(
      'date="2024-05-01" authors="Author 1, Author 2, Author 3, Author 4, Author 5, Author 6, Author 7, Author 8 et al."',
    );
    expect(tags).toContain(`<source id="2" title="${BARE.title}">`);
  });
});
