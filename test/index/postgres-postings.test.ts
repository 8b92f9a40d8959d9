import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { decodePostings, encodePostings } from '../../src/index/postgres/postings.js';
import { mulberry32 } from '../../src/seeded-random.js';

function fixed8(docs: number[], tfTitle: number[], tfBody: number[]): Buffer {
  const buf = Buffer.alloc(docs.length * 8);
  docs.forEach((d, j) => {
    buf.writeUInt32LE(d, j * 8);
    buf.writeUInt16LE(tfTitle[j], j * 8 + 4);
    buf.writeUInt16LE(tfBody[j], j * 8 + 6);
  });
  return buf;
}

describe('rb_postings codecs', () => {
  it('deflate-varint round-trips every chunk id and tf a generation can hold, extremes included', () => {
    const rand = mulberry32(7);
    const docs: number[] = [];
    const tfTitle: number[] = [];
    const tfBody: number[] = [];
    let d = -1;
    for (let j = 0; j < 5000; j++) {
      d += 1 + (j % 97 === 0 ? Math.floor(rand() * 1e6) : Math.floor(rand() * 3));
      docs.push(d);
      tfTitle.push(j % 5 === 0 ? Math.floor(rand() * 4) : 0);
      tfBody.push(j % 211 === 0 ? 65535 : Math.floor(rand() * 4));
    }
    docs.push(2 ** 32 - 2);
    tfTitle.push(65535);
    tfBody.push(0);
    const n = 2 ** 32 - 1;
    const buf = encodePostings(docs, tfTitle, tfBody);
    const out = decodePostings(buf, 'deflate-varint', docs.length, n);
    expect([...out.docs]).toEqual(docs);
    expect([...out.tfTitle]).toEqual(tfTitle);
    expect([...out.tfBody]).toEqual(tfBody);
    // The same postings as the first writer packed them read back the same.
    const old = decodePostings(fixed8(docs, tfTitle, tfBody), 'fixed8', docs.length, n);
    expect([...old.docs]).toEqual(docs);
    expect([...old.tfBody]).toEqual(tfBody);
  });

  it('a common term (small gaps, no title hit) packs into under a byte a posting instead of 8', () => {
    const docs = Array.from({ length: 90_000 }, (_, j) => j + Math.floor(j / 10));
    const buf = encodePostings(
      docs,
      docs.map(() => 0),
      docs.map(() => 1),
    );
    expect(buf.length).toBeLessThan(docs.length);
  });

  it('refuses postings that would score outside the generation or do not add up', () => {
    const buf = encodePostings([3, 9], [0, 1], [2, 0]);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return isAppError(err) ? err.code : String(err);
      }
      return 'no error';
    };
    expect(code(() => decodePostings(buf, 'deflate-varint', 2, 10))).toBe('no error');
    expect(code(() => decodePostings(buf, 'deflate-varint', 2, 9))).toBe('INDEX_CORRUPT');
    expect(code(() => decodePostings(buf, 'deflate-varint', 1, 10))).toBe('INDEX_CORRUPT');
    expect(code(() => decodePostings(buf, 'deflate-varint', 3, 10))).toBe('INDEX_CORRUPT');
    expect(code(() => decodePostings(buf.subarray(0, 3), 'deflate-varint', 2, 10))).toBe('INDEX_CORRUPT');
    expect(code(() => decodePostings(Buffer.from('not deflate'), 'deflate-varint', 2, 10))).toBe('INDEX_CORRUPT');
    expect(code(() => decodePostings(fixed8([3, 12], [0, 0], [1, 1]), 'fixed8', 2, 10))).toBe('INDEX_CORRUPT');
    expect(code(() => encodePostings([3, 3], [0, 0], [1, 1]))).toMatch(/out of order/);
  });
});
