/**
 * Typos read as the corpus word they miss by one edit, over term statistics faked from a list of
 * document frequencies (the narrow interface every store serves), with the real English word list.
 */
import { describe, expect, it } from 'vitest';
import { bm25Idf } from '../../src/index/bm25f.js';
import { isEnglishWord } from '../../src/index/english-words.js';
import type { TermStats } from '../../src/index/search-store.js';
import { correctionFor, correctSpelling } from '../../src/index/spelling.js';
import { tokenize } from '../../src/index/tokenize.js';

const SIZE = 400;

/** Term statistics of a corpus in which each given word's term is in that many of 400 papers. */
function statsOf(docs: Record<string, number>): TermStats {
  const df = new Map<string, number>();
  for (const [word, n] of Object.entries(docs)) for (const t of tokenize(word)) df.set(t, n);
  return { size: SIZE, idf: (t) => bm25Idf(SIZE, df.get(t) ?? 0) };
}

const corpus = statsOf({
  pretraining: 40,
  representations: 12,
  deduplication: 3,
  forecasting: 2,
  nordic: 1,
  tokenizer: 9,
  datasets: 30,
  biggest: 1,
  digest: 5,
  comments: 1,
  commits: 6,
  confidence: 50,
  language: 90,
  translation: 10,
  lags: 2,
  feather: 1,
  statues: 1,
  naming: 5,
  params: 40,
  models: 100,
  cause: 3,
  data: 200,
});

/** The text read with each typo replaced as given, and the corrections reported in the order typed. */
function expectReading(typed: string, read: Record<string, string>): void {
  const r = correctSpelling(typed, corpus);
  let expected = typed;
  for (const [from, to] of Object.entries(read)) expected = expected.replace(from, to);
  expect(r.text).toBe(expected);
  expect(r.corrections).toEqual(Object.entries(read).map(([from, to]) => ({ from, to })));
}

describe('correctSpelling', () => {
  it('reads a swapped, dropped, doubled or changed letter as the corpus word it misses', () => {
    expectReading('does deduplicaton of pretarining data help with represnetations or foreacsting?', {
      deduplicaton: 'deduplication',
      pretarining: 'pretraining',
      represnetations: 'representations',
      foreacsting: 'forecasting',
    });
    expect(correctSpelling('pretraning', corpus).text).toBe('pretraining');
    expect(correctSpelling('pretrainimg', corpus).text).toBe('pretraining');
  });

  it('reads a capitalised word where it starts a sentence, keeping the capital, and not inside one (a name)', () => {
    const r = correctSpelling('Deduplicaton helps? ok. Pretarining too: Represnetations', corpus);
    expect(r.text).toBe('Deduplication helps? ok. Pretraining too: Representations');
    expect(r.corrections.map((c) => c.from)).toEqual(['Deduplicaton', 'Pretarining', 'Represnetations']);
    expect(correctSpelling('what about Pretarining and Deduplicaton', corpus).corrections).toEqual([]);
  });

  it('reads a word in a single paper too, since the dictionary vouches for it', () => {
    expect(correctSpelling('the nodric pile', corpus).text).toBe('the nordic pile');
  });

  it('leaves English words the corpus lacks, so a near-miss subject is still named as missing', () => {
    for (const q of ['weather forecasting', 'team lunch statutes', 'gaming the judge'])
      expect(correctSpelling(q, corpus).corrections).toEqual([]);
  });

  it('leaves names, short words, contractions and words in another language as typed', () => {
    for (const q of [
      'so Pretarining with Mixtrl',
      'swe-bnech verified',
      'pretarining2 results',
      'lnag models',
      'ckpts and langs',
      'idk if theyre right, it doesnt fit',
      '¿qué modelos de lenguaje se usan para la traducción?',
    ]) {
      const r = correctSpelling(q, corpus);
      expect(r.corrections, q).toEqual([]);
      expect(r.text).toBe(q);
    }
  });

  it('reads a word of four or five letters only by the likeliest edits (letters swapped, doubled, undoubled or put back) into an English word', () => {
    expectReading('the root casue of daata leaks in modls', { casue: 'cause', daata: 'data', modls: 'models' });
    // A changed letter ("dara"), a letter too many ("langs", one from "lags") and a swap into no English word ("lnag")
    // stay as typed: at these lengths they are as often shorthand and names.
    for (const q of ['dara leaks', 'ckpts and langs', 'lnag models']) expect(correctSpelling(q, corpus).corrections, q).toEqual([]);
  });

  it('prefers the likelier typo: a doubled letter over a changed one, an added letter over a far key', () => {
    expect(correctionFor('bigest', corpus)).toBe('biggest');
    expect(correctionFor('commnts', corpus)).toBe('comments');
  });

  it('reads a word outside the dictionary only when several papers use it and it is built from English words', () => {
    expect(isEnglishWord('tokenizer')).toBe(false);
    expect(correctionFor('tokenzier', corpus)).toBe('tokenizer');
    expect(correctionFor('datsets', corpus)).toBe('datasets');
    expect(correctionFor('tokenzier', statsOf({ tokenizer: 2 }))).toBeUndefined();
    // "confid" (the stem of "confidence") is one edit from "config", and no word.
    expect(correctSpelling('config files', corpus).corrections).toEqual([]);
  });

  it('changes nothing in a question without typos', () => {
    const q = 'Which pretraining datasets improve language translation? (see arxiv.org/abs/2401.00001)';
    expect(correctSpelling(q, corpus)).toEqual({ text: q, corrections: [] });
  });
});

describe('isEnglishWord', () => {
  it('knows inflections and British spellings, and not typos or ML jargon', () => {
    for (const w of ['weather', 'statutes', 'neighbours', 'replies', 'aardvark', 'zyzzyva']) expect(isEnglishWord(w), w).toBe(true);
    for (const w of ['pretarining', 'datasets', 'finetuning', '', 'weather\nstatutes']) expect(isEnglishWord(w), w).toBe(false);
  });
});
