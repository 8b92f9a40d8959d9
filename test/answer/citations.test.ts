import { describe, expect, it } from 'vitest';
import { validateCitations } from '../../src/answer/citations.js';

describe('validateCitations', () => {
  it('removes a hallucinated marker beyond the source count and counts it', () => {
    const r = validateCitations('DropPos reconstructs positions [1]. It also beats MAE [7].', 5);
    expect(r.text).toBe('DropPos reconstructs positions [1]. It also beats MAE.');
    expect(r.cited).toEqual([1]);
    expect(r.dropped).toBe(1);
  });

  it('keeps every valid marker and drops none', () => {
    const r = validateCitations('A [1]. B [5]. C [3].', 5);
    expect(r.text).toBe('A [1]. B [5]. C [3].');
    expect(r.cited).toEqual([1, 5, 3]);
    expect(r.dropped).toBe(0);
  });

  it('drops marker 0 and out-of-range markers in every position', () => {
    const r = validateCitations('[0] Zero. Six [6], and seven [7]; end [99].', 5);
    expect(r.cited).toEqual([]);
    expect(r.dropped).toBe(4);
    expect(r.text).not.toMatch(/\[\d+\]/);
    expect(r.text).toBe('Zero. Six, and seven; end.');
  });

  it('splits a comma list [1, 2] into separate markers', () => {
    const r = validateCitations('Both agree [1, 2].', 5);
    expect(r.text).toBe('Both agree [1][2].');
    expect(r.cited).toEqual([1, 2]);
    expect(r.dropped).toBe(0);
  });

  it('keeps the valid part of a mixed list [2, 9] and counts the invalid one', () => {
    const r = validateCitations('Claim [2, 9].', 5);
    expect(r.text).toBe('Claim [2].');
    expect(r.cited).toEqual([2]);
    expect(r.dropped).toBe(1);
  });

  it('expands ranges [2-3] and en-dash ranges [3–5]', () => {
    expect(validateCitations('Range [2-3].', 5)).toEqual({ text: 'Range [2][3].', cited: [2, 3], dropped: 0 });
    expect(validateCitations('Range [3–5].', 5)).toEqual({ text: 'Range [3][4][5].', cited: [3, 4, 5], dropped: 0 });
  });

  it('drops the out-of-range tail of a range [4-7] with 5 sources', () => {
    const r = validateCitations('Range [4-7].', 5);
    expect(r.text).toBe('Range [4][5].');
    expect(r.cited).toEqual([4, 5]);
    expect(r.dropped).toBe(2);
  });

  it('handles adjacent markers [1][2] bracket by bracket', () => {
    const r = validateCitations('Adjacent [1][2] and [2][8].', 5);
    expect(r.text).toBe('Adjacent [1][2] and [2].');
    expect(r.cited).toEqual([1, 2]);
    expect(r.dropped).toBe(1);
  });

  it('lists cited sources in order of first use, each once', () => {
    const r = validateCitations('First [3]. Then [1]. Again [3]. Then [2, 1]. Last [5].', 5);
    expect(r.cited).toEqual([3, 1, 2, 5]);
    expect(r.dropped).toBe(0);
  });

  it('deduplicates repeats inside one bracket', () => {
    const r = validateCitations('Twice [2, 2].', 5);
    expect(r.text).toBe('Twice [2].');
    expect(r.cited).toEqual([2]);
  });

  it('leaves tidy text: no space before punctuation, no double spaces, no leading/trailing space', () => {
    const r = validateCitations('[9] The model [7] improves accuracy [8] , beating the baseline [6] [1] .', 5);
    expect(r.text).toBe('The model improves accuracy, beating the baseline [1].');
    expect(r.text).not.toMatch(/ {2}/);
    expect(r.text).not.toMatch(/\s[.,;:!?]/);
    expect(r.dropped).toBe(4);
    expect(r.cited).toEqual([1]);
  });

  it('keeps line structure (Markdown lists) while removing markers', () => {
    const r = validateCitations('- one [1]\n- two [7]\n- three [2]', 5);
    expect(r.text.split('\n')).toHaveLength(3);
    expect(r.text).toMatch(/^- one \[1\]\n- two\s*\n- three \[2\]$/);
    expect(r.cited).toEqual([1, 2]);
    expect(r.dropped).toBe(1);
  });

  it('does not treat years or non-numeric brackets as markers', () => {
    const r = validateCitations('Published in [2023] with code in [repo] and arrays like x[i] [2].', 5);
    expect(r.text).toBe('Published in [2023] with code in [repo] and arrays like x[i] [2].');
    expect(r.cited).toEqual([2]);
    expect(r.dropped).toBe(0);
  });

  it('with zero sources every marker is dropped', () => {
    const r = validateCitations('Something [1][2].', 0);
    expect(r.cited).toEqual([]);
    expect(r.dropped).toBe(2);
    expect(r.text).toBe('Something.');
  });
});
