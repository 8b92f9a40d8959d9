import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { LexicalIndex, queryTerms, type LexicalDoc, type LexicalHeader, type LexicalParams } from '../../src/index/lexical.js';
import { isStopword, stem, tokenize } from '../../src/index/tokenize.js';
import { bm25fTermScore, fieldNorms } from '../../src/index/bm25f.js';

const CORPUS = join(import.meta.dirname, '../../data/corpus');

describe('tokenize', () => {
  it('lowercases and stems so inflections meet', () => {
    expect(tokenize('training trained trains Training')).toEqual(['train', 'train', 'train', 'train']);
    expect(tokenize('Transformers')).toEqual(tokenize('transformer'));
    expect(tokenize('LLMs')).toEqual(tokenize('LLM'));
    expect(stem('networks')).toBe(stem('network'));
  });

  it('joins hyphenated compounds so "pre-training" meets "pretraining"', () => {
    const [joined] = tokenize('pretraining');
    expect(tokenize('pre-training')).toContain(joined);
    expect(tokenize('Pre-Trained')).toContain(tokenize('pretrained')[0]);
    expect(tokenize('fine-tuning')).toContain(tokenize('finetuning')[0]);
    // The parts stay searchable too.
    expect(tokenize('pre-training')).toEqual(expect.arrayContaining(['pre', stem('training')]));
    // Slashes join the same way.
    expect(tokenize('input/output')).toContain('inputoutput');
  });

  it('joins a compound with a typeset hyphen or an en dash as with "-"; drops a soft hyphen; an em dash parts', () => {
    expect(tokenize('pre\u2010training')).toEqual(tokenize('pre-training'));
    expect(tokenize('pre\u2011training')).toEqual(tokenize('pre-training'));
    expect(tokenize('vision\u2013language models')).toEqual(tokenize('vision-language models'));
    expect(tokenize('pre\u00adtraining')).toEqual(tokenize('pretraining'));
    expect(tokenize('results\u2014training')).toEqual(['result', 'train']);
    expect(tokenize('results \u2013 training')).toEqual(['result', 'train']);
    const idx = LexicalIndex.build([
      { title: 'Training Recipes', body: 'training models with care' },
      { title: 'Pretraining at Scale', body: 'we study pretraining' },
    ]);
    expect(idx.search('pre\u2010training', 2)[0].doc).toBe(1);
  });

  it('does not join words that were separated by a space', () => {
    expect(tokenize('pre training')).not.toContain(tokenize('pretraining')[0]);
  });

  it('drops stopwords and conversational filler unless asked to keep them', () => {
    expect(tokenize('Is there a paper about the model that I remember?')).toEqual(['model']);
    expect(isStopword('the')).toBe(true);
    expect(isStopword('transformer')).toBe(false);
    expect(tokenize('the model', { keepStopwords: true })).toEqual(['the', 'model']);
  });

  it('drops a negation typed without its apostrophe as it drops the one with it', () => {
    expect(tokenize("theorems that hadn't been proved")).toEqual(tokenize('theorems that hadnt been proved'));
    expect(tokenize('dont cant wont isnt werent didnt doesnt shouldnt')).toEqual([]);
    // Words that only end the same way are words.
    expect(tokenize('event ant front')).toEqual(['event', 'ant', 'front']);
  });

  it('drops single letters but keeps digits and mixed tokens', () => {
    expect(tokenize('x y z 7')).toEqual(['7']);
    expect(tokenize('3D GPT-4')).toEqual(expect.arrayContaining(['3d', 'gpt', '4', 'gpt4']));
  });

  it('parts an ML term from the unspaced script written against it ("什么是LoRA", "LoRA는", "LoRAとは")', () => {
    expect(tokenize('什么是LoRA')).toEqual(['什么是', 'lora']);
    // A one-letter particle is dropped like any single letter.
    expect(tokenize('LoRA는 뭐야?')).toEqual(['lora', '뭐야']);
    expect(tokenize('LoRAとは')).toEqual(['lora', 'とは']);
    expect(tokenize('基于GPT-4评估')).toEqual(['基于', 'gpt', '4', 'gpt4', '评估']);
    // Scripts written with spaces keep their words whole, and Latin text is tokenized as before.
    expect(tokenize('что такое LoRA')).toEqual(['что', 'такое', 'lora']);
    expect(tokenize('naïve pre-training')).toEqual(['naïve', 'pre', stem('training'), stem('pretraining')]);
  });

  it("strips a possessive 's", () => {
    expect(tokenize("model's")).toEqual(['model']);
  });

  it('treats compatibility forms like their plain letters (NFKC)', () => {
    expect(tokenize('ﬁne')).toEqual(tokenize('fine'));
  });

  it('returns nothing for punctuation or empty text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('?! -- ...')).toEqual([]);
  });
});

describe('queryTerms and top-k selection', () => {
  it('counts repeated query terms', () => {
    expect(queryTerms('graph graphs neural')).toEqual(
      new Map([
        [stem('graph'), 2],
        [stem('neural'), 1],
      ]),
    );
  });

  it('also searches the word ML chat shorthand stands for, keeping the word as typed', () => {
    expect(queryTerms('avg gain, img cls')).toEqual(
      new Map([
        ['avg', 1],
        [stem('average'), 1],
        [stem('gain'), 1],
        ['img', 1],
        [stem('image'), 1],
        ['cls', 1],
        [stem('classification'), 1],
      ]),
    );
    // Shorthand of two meanings ("diff": difference or diffusion) is searched as typed only.
    expect([...queryTerms('diff lengths').keys()]).toEqual(['diff', stem('lengths')]);
    expect(queryTerms('sparse combos').get(stem('combination'))).toBe(1);
    // A plural is its singular's stem, so it expands the same way.
    expect(queryTerms('imgs ckpts')).toEqual(queryTerms('img ckpt'));
    expect(queryTerms('continual PT').get(stem('pretraining'))).toBe(1);
    // "VRAM" is what the papers call GPU memory.
    expect([...queryTerms('VRAM').keys()]).toEqual(['vram', stem('gpu'), stem('memory')]);
    // A name in the plural is the name the papers write; a decade is no name.
    expect([...queryTerms('8 A100s').keys()]).toEqual(['8', 'a100s', 'a100']);
    expect([...queryTerms('T5s').keys()]).toEqual(['t5s', 't5']);
    expect([...queryTerms('1990s').keys()]).toEqual(['1990s']);
    // An ambiguous one ("ppl": perplexity or people) is searched as typed only.
    expect(queryTerms('ppl')).toEqual(new Map([['ppl', 1]]));
  });

  it('sorts by score then doc and cuts at k', () => {
    const same = { title: 'Graph Methods', body: 'graph networks' };
    const idx = LexicalIndex.build([
      { title: 'Other', body: 'unrelated text' },
      same,
      same,
      { title: 'Graph Graph', body: 'graph graph' },
      same,
    ]);
    const hits = idx.search('graph', 3);
    expect(hits.map((h) => h.doc)).toEqual([3, 1, 2]);
    expect(hits[1].score).toBe(hits[2].score);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
  });
});

describe('LexicalIndex (BM25F)', () => {
  const docs: LexicalDoc[] = [
    { title: 'A Study of Optimizers', body: 'We compare optimizers for training graph neural networks on molecules and images.' },
    { title: 'Graph Neural Networks for Molecules', body: 'We predict molecular properties with message passing.' },
    { title: 'Vision Transformers Without Convolutions', body: 'Patches of images are fed to a transformer encoder.' },
    { title: 'Speech Recognition at Scale', body: 'We train speech models on many languages.' },
  ];
  const idx = LexicalIndex.build(docs);

  it('ranks a title match above a body-only match', () => {
    const hits = idx.search('graph neural networks');
    expect(hits.map((h) => h.doc)).toEqual([1, 0]);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
  });

  it('returns only documents that contain a query term', () => {
    expect(idx.search('speech').map((h) => h.doc)).toEqual([3]);
    expect(idx.search('quantum chromodynamics')).toEqual([]);
    expect(idx.search('')).toEqual([]);
  });

  it('matches inflected and hyphenated query forms', () => {
    expect(idx.search('transformer convolution')[0].doc).toBe(2);
    expect(idx.search('trained')[0].doc).toBe(3);
    const pre = LexicalIndex.build([
      { title: 'Scaling Laws', body: 'Compute-optimal pretraining of language models.' },
      { title: 'Dialogue Agents', body: 'Chat models learn from human feedback.' },
    ]);
    expect(pre.search('pre-training').map((h) => h.doc)).toEqual([0]);
  });

  it('weights rare terms above common ones (idf)', () => {
    expect(idx.idf('speech')).toBeGreaterThan(idx.idf(stem('images')));
    expect(idx.idf('never-seen-term')).toBeGreaterThan(idx.idf('speech'));
    // Two docs mention images (common); one mentions speech (rare): the rare term wins.
    const hits = idx.search('images speech');
    expect(hits[0].doc).toBe(3);
  });

  it('prefers a shorter body for the same term frequency (length normalisation)', () => {
    const li = LexicalIndex.build([
      { title: 'Alpha', body: `retrieval ${'filler words about nothing in particular '.repeat(20)}` },
      { title: 'Beta', body: 'retrieval methods' },
    ]);
    expect(li.search('retrieval').map((h) => h.doc)).toEqual([1, 0]);
  });

  it('respects custom field weights', () => {
    const bodyHeavy = LexicalIndex.build(docs, { titleWeight: 0.01, bodyWeight: 5 });
    expect(bodyHeavy.search('graph neural networks')[0].doc).toBe(0);
  });

  it('scores exactly as the shared BM25F formula (the per-doc divisors it precomputes change no bit)', async () => {
    const { papers } = await loadCorpus(CORPUS);
    const li = LexicalIndex.build(papers.map((p) => ({ title: p.title, body: p.abstract })));
    const norms = fieldNorms(li.params, li.averageLengths.title, li.averageLengths.body);
    const lists = new Map([...li.postingLists()].map((p) => [p.term, p]));
    for (const q of ['graph neural networks for molecules', 'transformer attention transformer', 'reinforcement learning reward']) {
      const terms = queryTerms(q);
      const want = new Map<number, number>();
      for (const [term, weight] of terms) {
        const list = lists.get(term);
        if (!list) continue;
        list.docs.forEach((d, j) => {
          const len = li.docLengths(d);
          const s = bm25fTermScore(li.params, norms, weight, li.idf(term), list.tfTitle[j], list.tfBody[j], len.title, len.body);
          want.set(d, (want.get(d) ?? 0) + s);
        });
      }
      const got = li.topDocs(terms, li.size);
      expect(got.length).toBe(want.size);
      for (const h of got) expect(h.score).toBe(want.get(h.doc));
    }
  });

  it('has size equal to the number of documents', () => {
    expect(idx.size).toBe(4);
    expect(LexicalIndex.build([]).size).toBe(0);
    expect(LexicalIndex.build([]).search('anything')).toEqual([]);
  });
});

/** The index from a body in memory, read as lexical-file.ts reads the file: in order, into arrays of their own. */
function deserialize(header: LexicalHeader, body: Buffer, params?: Partial<LexicalParams>): Promise<LexicalIndex> {
  let off = 0;
  const read = async (into: Uint8Array) => {
    into.set(body.subarray(off, off + into.length));
    off += into.length;
  };
  return LexicalIndex.read(header, body.length, read, params);
}

/** Header and body as they come back from disk: the header through JSON, the body at an unaligned offset. */
function roundTrip(idx: LexicalIndex, params?: Partial<LexicalParams>): Promise<LexicalIndex> {
  const { header, body } = idx.serialize();
  const file = Buffer.alloc(body.length + 1);
  body.copy(file, 1);
  return deserialize(JSON.parse(JSON.stringify(header)) as LexicalHeader, file.subarray(1), params);
}

describe('LexicalIndex serialisation', () => {
  let docs: LexicalDoc[];
  let original: LexicalIndex;
  let restored: LexicalIndex;
  beforeAll(async () => {
    const { papers } = await loadCorpus(CORPUS);
    docs = papers.map((p) => ({ title: p.title, body: p.abstract }));
    original = LexicalIndex.build(docs);
    restored = await roundTrip(original);
  });

  it('round-trips through serialize/deserialize with identical results', async () => {
    expect(restored.size).toBe(original.size);
    expect(restored.size).toBe(428);
    expect(restored.vocabularySize).toBe(original.vocabularySize);
    const queries = [
      'DropPos dropped positions',
      'machine translation refinement',
      'pre-training data age toxicity',
      'mixture of experts',
      'tokenizer transfer zero-shot',
      'Qwen2.5',
    ];
    for (const q of queries) {
      const a = original.search(q, 20);
      expect(a.length, q).toBeGreaterThan(0);
      expect(restored.search(q, 20), q).toEqual(a);
    }
    for (const t of ['transform', 'pretrain', 'droppo', 'never-seen']) expect(restored.df(t), t).toBe(original.df(t));
    const again = restored.serialize();
    const first = original.serialize();
    expect(again.header).toEqual(first.header);
    expect(again.body.equals(first.body)).toBe(true);
  });

  it('finds the right paper for distinctive queries', () => {
    const top = (q: string) => docs[original.search(q, 1)[0].doc].title;
    expect(top('DropPos')).toMatch(/^DropPos:/);
    expect(top('MT-Ladder machine translation')).toMatch(/^MT-Ladder:/);
    expect(top('crisis social media texts')).toMatch(/^CrisisTransformers:/);
  });

  it('round-trips an empty index', async () => {
    const empty = await roundTrip(LexicalIndex.build([]));
    expect(empty.size).toBe(0);
    expect(empty.search('anything')).toEqual([]);
  });

  it('holds term counts in one byte when all fit and in two when one does not, scoring the same', async () => {
    const counts = (idx: LexicalIndex) => [...idx.postingLists()].flatMap((l) => [l.tfTitle, l.tfBody]);
    expect(counts(restored).every((c) => c instanceof Uint8Array)).toBe(true);
    const repeated = [...docs.slice(0, 20), { title: 'zebra stripes', body: Array(300).fill('zebra').join(' ') }];
    const built = LexicalIndex.build(repeated);
    const loaded = await roundTrip(built);
    const zebra = [...loaded.postingLists()].find((l) => l.term === 'zebra')!;
    expect([zebra.tfBody instanceof Uint16Array, zebra.tfBody.at(-1), zebra.tfTitle instanceof Uint8Array]).toEqual([true, 300, true]);
    for (const q of ['zebra', 'zebra stripes', 'mixture of experts']) expect(loaded.search(q, 10), q).toEqual(built.search(q, 10));
    // Written back, the file is the one it was read from.
    expect(loaded.serialize().body.equals(built.serialize().body)).toBe(true);
  });

  it('keeps its parameters, and lets the reader override them', async () => {
    const tuned = LexicalIndex.build(docs.slice(0, 10), { k1: 2 });
    expect((await roundTrip(tuned)).params.k1).toBe(2);
    expect((await roundTrip(tuned, { k1: 0.5 })).params.k1).toBe(0.5);
  });

  it('refuses an unknown format version and a truncated body', async () => {
    const { header, body } = original.serialize();
    await expect(deserialize({ ...header, version: 1 } as unknown as LexicalHeader, body)).rejects.toThrow(
      /unsupported lexical index version 1/,
    );
    await expect(deserialize(header, body.subarray(0, Math.floor(body.length / 2)))).rejects.toThrow(/truncated/);
  });

  it('refuses a body whose offsets or doc ids are out of bounds, promptly (one bad offset used to freeze a query)', async () => {
    const { header, body } = original.serialize();
    const T = header.terms.length;
    const lora = header.terms.indexOf('lora');
    expect(lora).toBeGreaterThan(0);
    const corrupt = (patch: (b: Buffer) => void) => {
      const copy = Buffer.from(body);
      patch(copy);
      return deserialize(header, copy);
    };
    const started = Date.now();
    // A term's end offset far past the postings, as in issue 11.
    await expect(corrupt((b) => b.writeUInt32LE(0x7fffff00, 4 * (lora + 1)))).rejects.toThrow(/offsets out of order or bounds at term/);
    // An end offset before its start.
    await expect(corrupt((b) => b.writeUInt32LE(0, 4 * (lora + 1)))).rejects.toThrow(/offsets out of order or bounds/);
    const docsAt = Math.ceil((4 * (T + 1)) / 8) * 8;
    // A posting naming a document that does not exist, and a posting list out of order.
    await expect(corrupt((b) => b.writeUInt32LE(428, docsAt))).rejects.toThrow(/names doc 428 \(of 428\)/);
    const firstMulti = header.terms.findIndex((_, t) => body.readUInt32LE(4 * (t + 1)) - body.readUInt32LE(4 * t) > 1);
    const at = docsAt + 4 * body.readUInt32LE(4 * firstMulti);
    await expect(corrupt((b) => b.writeUInt32LE(b.readUInt32LE(at + 4), at))).rejects.toThrow(/out of order/);
    await expect(deserialize(header, Buffer.concat([body, Buffer.alloc(8)]))).rejects.toThrow(/expected/);
    await expect(deserialize({ ...header, n: -1 }, body)).rejects.toThrow(/header is malformed/);
    // A damaged count is refused by the body's size before anything is allocated (2^31 postings would be 16 GB).
    await expect(deserialize({ ...header, postings: 2 ** 31 }, body)).rejects.toThrow(/truncated: \d+ bytes, expected 1\d{10}/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
