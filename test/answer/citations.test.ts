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

  it('does not treat non-numeric brackets as markers', () => {
    const r = validateCitations('Code in [repo] and arrays like x[i] [2].', 5);
    expect(r.text).toBe('Code in [repo] and arrays like x[i] [2].');
    expect(r.cited).toEqual([2]);
    expect(r.dropped).toBe(0);
  });

  it('with zero sources every marker is dropped', () => {
    const r = validateCitations('Something [1][2].', 0);
    expect(r.cited).toEqual([]);
    expect(r.dropped).toBe(2);
    expect(r.text).toBe('Something.');
  });

  it('validates every marker-like form: long numbers, CJK and fullwidth brackets, footnotes, labels', () => {
    const r = validateCitations('A [1234]. B [10000]. C 【7】. D [^9]. E 【2】. F ［３］. G [^4]. H [source 5]. I [Source 8].', 5);
    expect(r.text).toBe('A. B. C. D. E [2]. F [3]. G [4]. H [5]. I.');
    expect(r.cited).toEqual([2, 3, 4, 5]);
    expect(r.dropped).toBe(5);
  });

  it('removes and counts malformed ranges instead of keeping their first number', () => {
    expect(validateCitations('Wide [2-400].', 5)).toEqual({ text: 'Wide.', cited: [], dropped: 1 });
    expect(validateCitations('Chain [1-3-5].', 5)).toEqual({ text: 'Chain.', cited: [], dropped: 1 });
    expect(validateCitations('Reversed [4-2] and ok [1].', 5)).toEqual({ text: 'Reversed and ok [1].', cited: [1], dropped: 1 });
    // Years in brackets look exactly like markers; they are validated like one.
    expect(validateCitations('Published [2023], see [1].', 5)).toEqual({ text: 'Published, see [1].', cited: [1], dropped: 1 });
  });

  it('a marker written as a link keeps the marker and loses the link', () => {
    const r = validateCitations('Claim [2](https://evil.example/paper). Other [9](https://x.example).', 5);
    expect(r.text).toBe('Claim [2]. Other.');
    expect(r.cited).toEqual([2]);
    expect(r.dropped).toBe(1);
  });

  it('leaves fenced and inline code byte for byte: indentation and x[9] indexes survive', () => {
    const code = ['```python', 'def f(x):', '    if x[9] > 0:', '        return x[10]  # [7]', '    return  None', '```'].join('\n');
    const text = `Use \`x[9]\` and \`\`a[12]\`\` like this [1]:\n\n${code}\n\nThen  spaced   words [7] stay [2].`;
    const r = validateCitations(text, 5);
    expect(r.text).toContain(code);
    expect(r.text).toContain('Use `x[9]` and ``a[12]`` like this [1]:');
    expect(r.text).toContain('Then  spaced   words stay [2].');
    expect(r.cited).toEqual([1, 2]);
    expect(r.dropped).toBe(1);
  });

  it('an unclosed fence protects the code to the end; a tilde fence counts too', () => {
    const r = validateCitations('Claim [1].\n\n~~~\nm[3] = 1\n~~~\nMore [8].\n```js\nconst a = b[99];\n  c[1234];', 5);
    expect(r.text).toBe('Claim [1].\n\n~~~\nm[3] = 1\n~~~\nMore.\n```js\nconst a = b[99];\n  c[1234];');
    expect(r.cited).toEqual([1]);
    expect(r.dropped).toBe(1);
  });

  it('never collapses whitespace away from markers, and keeps indented lines indented', () => {
    const text = 'Table:\n  col1    col2 [1]\n    [9] nested item\n- a  b';
    expect(validateCitations(text, 5).text).toBe('Table:\n  col1    col2 [1]\n    nested item\n- a  b');
  });

  it('stays fast on 100k characters of adversarial markers and backtick runs', () => {
    const inputs = [
      'Claim [1] and [9999] x [2-400] y 【7】. '.repeat(2800),
      'a ` b `` c ``` d [1]\n'.repeat(5000),
      'p `x\n\n'.repeat(20_000),
      Array.from({ length: 440 }, (_, i) => '`'.repeat(i + 1)).join(' x '),
    ];
    for (const text of inputs) {
      const started = performance.now();
      validateCitations(text, 5);
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });
});
