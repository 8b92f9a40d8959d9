import { describe, expect, it } from 'vitest';
import { meaningCoverage, otherForm, type PaperWords } from '../../src/answer/meaning-coverage.js';
import type { TermStats } from '../../src/index/search-store.js';
import { tokenize } from '../../src/index/tokenize.js';
import type { WordSimilarity } from '../../src/index/word-vectors.js';

/** Every word weighs 1 but "defenses" and "injection", which weigh 3 (rarer). */
const stats: TermStats = { size: 100, idf: (t) => (['defens', 'inject'].includes(t) ? 3 : 1) };

/** Cosines between a few words; any other pair is 0, a word to itself 1. */
const NEAR: Record<string, number> = { 'forecasting|prediction': 0.67, 'weather|climate': 0.63, 'sign|translation': 0.23 };
const vectors: WordSimilarity = {
  has: (w) => /^[a-z]+$/.test(w),
  closest: (w, others) => Math.max(0, ...others.map((o) => (o === w ? 1 : (NEAR[`${w}|${o}`] ?? NEAR[`${o}|${w}`] ?? 0)))),
};

function paper(text: string): PaperWords {
  const words = text.toLowerCase().split(/\W+/).filter(Boolean);
  const terms = new Set(tokenize(text));
  return { words, says: (t) => terms.has(t) };
}

describe('meaningCoverage', () => {
  it('counts a word the paper writes whole, one it does not by its nearest word, and names the far ones', () => {
    const p = paper('Agents that call tools');
    const r = meaningCoverage(stats, vectors, 'injection defenses for tool agents', [p], new Set(), 0.5);
    // tool 1 + agents 1 of a mass 3 + 3 + 1 + 1 ("for" is no word of the question).
    expect(r.share).toBeCloseTo(2 / 8);
    expect(r.far).toEqual(['injection', 'defenses']);
    const near = meaningCoverage(stats, vectors, 'weather forecasting', [paper('climate prediction')], new Set(), 0.5);
    expect(near.share).toBeCloseTo((0.63 + 0.67) / 2);
    expect(near.far).toEqual([]);
  });

  it('reads a question asking for several papers by the paper nearest each word', () => {
    const [a, b] = [paper('climate models'), paper('prediction heads')];
    const one = meaningCoverage(stats, vectors, 'weather forecasting', [a], new Set(), 0.5);
    const both = meaningCoverage(stats, vectors, 'weather forecasting', [a, b], new Set(), 0.5);
    expect(one.share).toBeCloseTo(0.63 / 2);
    expect(both.share).toBeCloseTo((0.63 + 0.67) / 2);
  });

  it('takes a compound the paper has no part of by its farthest part, another form of a written word as written, and leaves out what it is told', () => {
    const p = paper('translation with climate parameters');
    // "weather-sign": neither part is written; "weather" is near "climate" (0.63), "sign" near "translation" (0.23).
    expect(meaningCoverage(stats, vectors, 'weather-sign', [p], new Set(), 0.5).share).toBeCloseTo(0.23);
    // A compound with a part the paper writes counts whole: "sign-translation" is about translation.
    expect(meaningCoverage(stats, vectors, 'sign-translation', [p], new Set(), 0.5).share).toBe(1);
    expect(meaningCoverage(stats, vectors, 'params', [p], new Set(), 0.5).share).toBe(1);
    expect(meaningCoverage(stats, vectors, 'weather like NER', [p], new Set(['ner']), 0.5).share).toBeCloseTo(0.63);
    // Sizes and counts are for the answer to report.
    expect(meaningCoverage(stats, vectors, 'weather 405B 10k', [p], new Set(), 0.5).share).toBeCloseTo(0.63);
  });

  it('reads a British spelling by the American form in the vectors ("forecasting centre" as "center")', () => {
    const withCenter: WordSimilarity = {
      has: vectors.has,
      closest: (w, others) => (w === 'center' && others.includes('hub') ? 0.8 : vectors.closest(w, others)),
    };
    const p = paper('a hub for prediction');
    const british = meaningCoverage(stats, withCenter, 'forecasting centre', [p], new Set(), 0.5);
    expect(british.share).toBeCloseTo(meaningCoverage(stats, withCenter, 'forecasting center', [p], new Set(), 0.5).share);
    expect(british.share).toBeCloseTo((0.67 + 0.8) / 2);
  });
});

describe('otherForm', () => {
  it('pairs a word cut short or inflected with its written form, not words that only start alike', () => {
    expect(otherForm('params', 'parameters')).toBe(true);
    expect(otherForm('synthesizing', 'synthesis')).toBe(true);
    expect(otherForm('defenses', 'defense')).toBe(true);
    expect(otherForm('transformer', 'transparency')).toBe(false);
    expect(otherForm('sign', 'signed')).toBe(false);
  });
});
