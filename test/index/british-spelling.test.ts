import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import wordListPath from 'word-list';
import { americanSpelling, keptAsWritten } from '../../src/index/british-spelling.js';
import { KEPT_AS_WRITTEN } from '../../src/index/british-spelling-kept.js';
import { isEnglishWord } from '../../src/index/english-words.js';
import { LexicalIndex } from '../../src/index/lexical.js';
import { tokenize } from '../../src/index/tokenize.js';

describe('British spellings', () => {
  it('stems a British spelling as the American one, in every form the endings take', () => {
    const pairs = [
      ['optimisation', 'optimization'],
      ['tokenisation', 'tokenization'],
      ['specialised', 'specialized'],
      ['summarising', 'summarizing'],
      ['generalisable', 'generalizable'],
      ['behaviour', 'behavior'],
      ['behavioural', 'behavioral'],
      ['neighbours', 'neighbors'],
      ['favourite', 'favorite'],
      ['tumours', 'tumors'],
      ['analyse', 'analyze'],
      ['analysed', 'analyzed'],
      ['centre', 'center'],
      ['centred', 'centered'],
      ['dialogue', 'dialog'],
      ['catalogues', 'catalogs'],
      ['defence', 'defense'],
      ['programme', 'program'],
      ['learnt', 'learned'],
    ];
    for (const [british, american] of pairs) expect(tokenize(british), british).toEqual(tokenize(american));
  });

  it('leaves a word with no American form in its family ("supervised" with "supervision", "precise" with "precision")', () => {
    expect(tokenize('supervised')).toEqual(tokenize('supervision'));
    expect(tokenize('precise')).toEqual(tokenize('precision'));
    for (const word of ['supervise', 'precise', 'promise', 'exercise', 'pairwise', 'contour', 'detour', 'analyses']) {
      expect(americanSpelling(word), word).toBe(word);
    }
  });

  it('keeps as written exactly the English words whose American form is none (regenerate: scripts/british-spelling-kept.mjs)', () => {
    const expected = keptAsWritten(readFileSync(wordListPath, 'utf8').split('\n'), isEnglishWord);
    expect(KEPT_AS_WRITTEN.trim().split(/\s+/)).toEqual(expected);
    expect(expected).toContain('supervised');
    expect(expected).not.toContain('optimised');
  });

  it('never rewrites short words into others ("four" is not "for", "hour" not "hor")', () => {
    for (const word of ['four', 'hour', 'flour', 'noise', 'raise', 'rise', 'rogue', 'metre', 'tour']) {
      expect(americanSpelling(word), word).toBe(word);
    }
    expect(tokenize('four layers')).toEqual(['four', 'layer']);
  });

  it('rewrites words of the field the word list lacks in both spellings ("tokenise")', () => {
    expect(americanSpelling('tokenise')).toBe('tokenize');
    expect(americanSpelling('denoising')).toBe('denoizing');
  });

  it('finds a paper written in one spelling from a question in the other', () => {
    const idx = LexicalIndex.build([
      { title: 'Graph Methods', body: 'graph networks for molecules' },
      { title: 'Tokenization for Code Models', body: 'We study how tokenization and optimization interact in code models.' },
      { title: 'Centre-Surround Behaviour', body: 'Neurons in the visual centre show a surround behaviour.' },
    ]);
    expect(idx.search('tokenisation and optimisation', 3)[0]?.doc).toBe(1);
    expect(idx.search('center surround behavior', 3)[0]?.doc).toBe(2);
    expect(idx.search('optimisation', 3).map((h) => h.doc)).toEqual([1]);
  });
});
