/**
 * The one paper resolver behind /paper, /similar, /compare and the CLI, over small fixture corpora
 * indexed for real (so the abbreviation pairs and the miss suggestions come from the corpus).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperIdFor } from '../../src/corpus/normalize.js';
import { resolvePaper, suggestPapers, type PaperResolution } from '../../src/index/paper-resolver.js';
import { buildIndex, type BuiltIndex } from '../answer/helpers.js';

const BERT = {
  title: 'BERT',
  abstract: 'We pre-train deep bidirectional encoder representations from unlabeled text for language understanding.',
};
const BERT2BERT = {
  title: 'bert2BERT: Towards Reusable Pretrained Language Models',
  abstract: 'We grow a small pretrained model into a larger one by reusing its parameters, saving pre-training compute.',
};
const MOSAIC = {
  title: 'MosaicBERT: A Bidirectional Encoder Optimized for Fast Pretraining',
  abstract: 'An encoder architecture and training recipe that reaches high GLUE scores at low pretraining cost.',
};
const DISTIL = {
  title: 'Distilling BERT for Phones',
  abstract: 'Knowledge distillation (KD) shrinks a large encoder into a small student that runs on mobile phones.',
};
const LORA = {
  title: 'Low-Rank Adaptation of Large Language Models',
  abstract: 'Low-Rank Adaptation (LoRA) freezes the pretrained weights and trains small rank decomposition matrices in each layer.',
};
const VELORA = {
  title: 'VeLoRA: Memory Efficient Training using Rank-1 Sub-Token Projections',
  abstract: 'Compressing intermediate activations during fine-tuning saves memory without hurting accuracy.',
};
const EXPLORATION = {
  title: 'A Systematic Exploration of Book-Length Summarization',
  abstract: 'We evaluate long-document summarization of whole books with large language models.',
};
const DROPPOS = {
  title: 'DropPos: Pre-Training Vision Transformers by Reconstructing Dropped Positions',
  abstract: 'A self-supervised task that drops position embeddings and asks the model to reconstruct them.',
};
const DROPPOS_FOLLOWUP = {
  title: 'Beyond DropPos: Position Prediction for Video Transformers',
  abstract: 'Extending position reconstruction to video models.',
};
const DRAFTS = {
  title: 'Drafting Tokens with a Small Model',
  abstract:
    'Speculative decoding lets a small draft model propose tokens that the large model verifies in parallel, speeding up inference.',
};

async function indexOf(papers: Array<{ title: string; abstract: string }>): Promise<BuiltIndex> {
  const dir = await mkdtemp(join(tmpdir(), 'rb-resolver-corpus-'));
  dirs.push(dir);
  await writeFile(join(dir, 'papers.jsonl'), `${papers.map((p) => JSON.stringify(p)).join('\n')}\n`);
  const built = await buildIndex(dir);
  indexes.push(built);
  return built;
}

const dirs: string[] = [];
const indexes: BuiltIndex[] = [];
let withBert: BuiltIndex;
let withoutBert: BuiltIndex;

beforeAll(async () => {
  const others = [BERT2BERT, MOSAIC, DISTIL, LORA, VELORA, EXPLORATION, DROPPOS, DROPPOS_FOLLOWUP, DRAFTS];
  withBert = await indexOf([BERT, ...others]);
  withoutBert = await indexOf(others);
});

afterAll(async () => {
  for (const i of indexes) await i.cleanup();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const titles = (r: PaperResolution) => (r.kind === 'ambiguous' ? r.candidates.map((c) => c.paper.title) : []);

describe('resolvePaper', () => {
  it('"BERT" opens the paper titled exactly BERT, whatever the case or punctuation, although bert2BERT also matches', () => {
    const store = withBert.retriever.store;
    for (const q of ['BERT', 'bert', ' Bert. ']) {
      const r = resolvePaper(store, q);
      expect(r, q).toMatchObject({ kind: 'found', match: 'exact', paper: { title: 'BERT' } });
    }
    expect(resolvePaper(store, paperIdFor(BERT2BERT.title))).toMatchObject({
      kind: 'found',
      match: 'id',
      paper: { title: BERT2BERT.title },
    });
    expect(resolvePaper(store, 'bert2bert: towards reusable pretrained language models!')).toMatchObject({ kind: 'found', match: 'exact' });
  });

  it('without a paper titled BERT, "BERT" offers picks (whole word first, then word fragments) instead of opening bert2BERT', () => {
    const r = resolvePaper(withoutBert.retriever.store, 'BERT');
    expect(r.kind).toBe('ambiguous');
    expect(titles(r)).toEqual([DISTIL.title, BERT2BERT.title, MOSAIC.title]);
    expect(r.kind === 'ambiguous' && r.candidates.map((c) => c.match)).toEqual(['words', 'substring', 'substring']);
  });

  it('one loose match (a word fragment) is still offered as a pick, never opened silently', () => {
    const r = resolvePaper(withoutBert.retriever.store, 'MosaicBER');
    expect(r).toMatchObject({ kind: 'ambiguous', total: 1, candidates: [{ match: 'substring', paper: { title: MOSAIC.title } }] });
  });

  it("a paper's own name (before the colon) or all its title words in exactly one title open it directly", () => {
    const store = withBert.retriever.store;
    expect(resolvePaper(store, 'DropPos')).toMatchObject({ kind: 'found', match: 'name', paper: { title: DROPPOS.title } });
    expect(resolvePaper(store, 'reconstructing dropped positions')).toMatchObject({ kind: 'found', match: 'words' });
    // "Beyond DropPos" has these words too: two matches, so the person picks.
    expect(resolvePaper(store, 'DropPos position')).toMatchObject({ kind: 'ambiguous' });
  });

  it('abbreviation pairs the corpus spells out rank above fragments; a fragment inside a word ("exploration") is no match', () => {
    const store = withBert.retriever.store;
    const r = resolvePaper(store, 'LoRA');
    expect(r.kind === 'ambiguous' && r.candidates.map((c) => [c.paper.title, c.match])).toEqual([
      [LORA.title, 'abbreviation'],
      [VELORA.title, 'substring'],
    ]);
    expect(titles(r)).not.toContain(EXPLORATION.title);
  });

  it('a miss is missing, and the suggestions are the closest papers by retrieval over the query', async () => {
    const { retriever } = withBert;
    expect(resolvePaper(retriever.store, 'speculative decoding')).toEqual({ kind: 'missing', query: 'speculative decoding' });
    const suggested = await suggestPapers(retriever, 'speculative decoding');
    expect(suggested[0].title).toBe(DRAFTS.title);
    expect(suggested.length).toBeLessThanOrEqual(5);
    expect(resolvePaper(retriever.store, '  ')).toMatchObject({ kind: 'missing' });
    expect(await suggestPapers(retriever, '?!')).toEqual([]);
  });

  it('at most five candidates, with the total', () => {
    const r = resolvePaper(withBert.retriever.store, 'model', 5);
    if (r.kind !== 'ambiguous') throw new Error(`expected picks, got ${r.kind}`);
    expect(r.candidates.length).toBeLessThanOrEqual(5);
    expect(r.total).toBeGreaterThanOrEqual(r.candidates.length);
  });
});
