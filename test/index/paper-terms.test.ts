/** A paper as the tokenizer reads it, worked out once per paper object (src/index/paper-terms.ts). */
import { describe, expect, it } from 'vitest';
import { MAX_PAPERS, paperTerms } from '../../src/index/paper-terms.js';
import { splitSentences } from '../../src/index/sentences.js';
import { tokenize } from '../../src/index/tokenize.js';

const paper = {
  title: "Pre-Training Doesn't Need All the Data",
  abstract:
    'We deduplicate pre-training data with MinHash. Deduplicated data trains models 2.1x faster. ' +
    'Chain-of-thought accuracy is unchanged, and the pretraining corpus shrinks by 40%.',
};

describe('paperTerms', () => {
  it('reads a paper as tokenize reads its title and abstract', () => {
    const read = paperTerms(paper);
    expect(read.titleTerms).toEqual(tokenize(paper.title));
    expect(read.abstractTerms).toEqual(tokenize(paper.abstract));
    expect([...read.title]).toEqual([...new Set(tokenize(paper.title))]);
    // Title and abstract as one text, in the order the tokenizer meets their terms.
    expect([...read.all]).toEqual([...new Set(tokenize(`${paper.title} ${paper.abstract}`))]);
    expect(read.tf.get('dedupl')).toBe(2);
    expect(read.tf.get('pretrain')).toBe(2);
    expect(read.sentences.map((s) => s.text)).toEqual(splitSentences(paper.abstract));
    expect(read.sentences.map((s) => s.index)).toEqual([0, 1, 2]);
    for (const s of read.sentences) expect(s.terms).toEqual(tokenize(s.text));
  });

  it('works a paper out once, and another paper object on its own', () => {
    expect(paperTerms(paper)).toBe(paperTerms(paper));
    expect(paperTerms(paper).sentences).toBe(paperTerms(paper).sentences);
    const other = { title: 'Something Else Entirely', abstract: 'A different abstract about speech.' };
    expect(paperTerms(other)).not.toBe(paperTerms(paper));
    expect([...paperTerms(other).all]).toEqual([...new Set(tokenize(`${other.title} ${other.abstract}`))]);
  });

  it('keeps the terms of the latest papers only, so a 100k-paper store does not hold them all', () => {
    const papers = Array.from({ length: MAX_PAPERS + 1 }, (_, i) => ({ title: `Paper ${i}`, abstract: `Abstract number ${i}.` }));
    const first = paperTerms(papers[0]);
    const second = paperTerms(papers[1]);
    for (const p of papers.slice(2)) paperTerms(p);
    // The next is still kept; the oldest is worked out again.
    expect(paperTerms(papers[1])).toBe(second);
    expect(paperTerms(papers[0])).not.toBe(first);
    expect([...paperTerms(papers[0]).all]).toEqual([...first.all]);
  });
});
