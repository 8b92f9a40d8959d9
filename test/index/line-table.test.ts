import { describe, expect, it } from 'vitest';
import { lineTable } from '../../src/index/line-table.js';

describe('lineTable', () => {
  it('finds each line by its exact text, and nothing else', () => {
    const t = lineTable('cat\nkitten\n\ntensor');
    expect([t.lineOf('cat'), t.lineOf('kitten'), t.lineOf('tensor')]).toEqual([0, 1, 3]);
    // A prefix, a longer word, an empty line or text across lines is no line.
    for (const w of ['ca', 'cats', 'kit', '', 'cat\nkitten', 'tensors']) expect(t.lineOf(w), JSON.stringify(w)).toBe(-1);
  });

  it('holds many lines whose hashes collide in a small table', () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
    const t = lineTable(words.join('\n'));
    expect(words.every((w, i) => t.lineOf(w) === i)).toBe(true);
    expect(t.lineOf('w-1')).toBe(-1);
  });
});
