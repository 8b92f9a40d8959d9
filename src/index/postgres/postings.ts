/**
 * How one term's postings are packed into rb_postings.postings. A generation records its codec in
 * rb_generations.lexical (`postingCodec`), so a reader decodes generations written by older
 * versions too.
 *
 * 'fixed8' (schema v2's first writer): per posting uint32 chunk idx, uint16 tf title, uint16 tf
 * body, little-endian. 'deflate-varint': raw deflate of, per posting, varint((gap << 1) |
 * hasTitle), varint(tf body), and varint(tf title) when hasTitle, where gap is the distance from
 * the previous chunk (the first counts from -1). Most postings of the common terms a question
 * reads in full have a small gap and no title hit (2 bytes), and deflate shrinks those runs about
 * 3x more: at 100k papers a question's postings are 0.2 MB instead of 2-4 MB (fixed8). Searches
 * are bound by moving these bytes (the reader fetches them base64-encoded), not by inflating.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AppError } from '../../errors.js';

export type PostingCodec = 'fixed8' | 'deflate-varint';

/** Decoded postings of one term, chunks ascending. */
export interface Postings {
  docs: Uint32Array;
  tfTitle: Uint16Array;
  tfBody: Uint16Array;
}

const FIXED_BYTES = 8;

function writeVarint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}

/** Chunks must ascend (LexicalIndex.postingLists order). Packed as 'deflate-varint'. */
export function encodePostings(docs: ArrayLike<number>, tfTitle: ArrayLike<number>, tfBody: ArrayLike<number>): Buffer {
  return deflateRawSync(varintPostings(docs, tfTitle, tfBody));
}

function varintPostings(docs: ArrayLike<number>, tfTitle: ArrayLike<number>, tfBody: ArrayLike<number>): Buffer {
  // Worst case per posting: a 33-bit gap field (5 bytes) and two 16-bit tfs (3 bytes each).
  const out = Buffer.allocUnsafe(docs.length * 11);
  let at = 0;
  let prev = -1;
  for (let j = 0; j < docs.length; j++) {
    const gap = docs[j] - prev;
    if (!(gap > 0)) throw new Error(`postings out of order at ${j}: ${docs[j]} after ${prev}`);
    prev = docs[j];
    const t = tfTitle[j];
    // gap * 2 (not a shift): gaps reach 2^32, past 32-bit bitwise arithmetic.
    at = writeVarint(out, at, gap * 2 + (t > 0 ? 1 : 0));
    at = writeVarint(out, at, tfBody[j]);
    if (t > 0) at = writeVarint(out, at, t);
  }
  return Buffer.from(out.subarray(0, at));
}

function corrupt(what: string): AppError {
  return new AppError('INDEX_CORRUPT', `Stored postings ${what}. Run \`research-bot ingest --force\`.`);
}

/**
 * Decode `df` postings of one term; every chunk idx must be below `n` (scores are written into
 * arrays of that length).
 */
export function decodePostings(packed: Uint8Array, codec: PostingCodec, df: number, n: number): Postings {
  const docs = new Uint32Array(df);
  const tfTitle = new Uint16Array(df);
  const tfBody = new Uint16Array(df);
  if (codec === 'fixed8') {
    const buf = packed;
    if (buf.length !== df * FIXED_BYTES) throw corrupt(`hold ${buf.length} bytes for ${df} postings`);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let j = 0; j < df; j++) {
      const d = view.getUint32(j * FIXED_BYTES, true);
      if (d >= n) throw corrupt(`name chunk ${d} of ${n}`);
      docs[j] = d;
      tfTitle[j] = view.getUint16(j * FIXED_BYTES + 4, true);
      tfBody[j] = view.getUint16(j * FIXED_BYTES + 6, true);
    }
    return { docs, tfTitle, tfBody };
  }
  let buf: Buffer;
  try {
    // Bounded: a damaged row cannot inflate past the largest size its postings could take.
    buf = inflateRawSync(packed, { maxOutputLength: Math.max(df * 11, 1) });
  } catch (err) {
    throw new AppError('INDEX_CORRUPT', 'Stored postings do not inflate. Run `research-bot ingest --force`.', { cause: err });
  }
  let at = 0;
  const len = buf.length;
  let prev = -1;
  // Varints read inline (no helper call): this loop runs once per posting of every term a search reads.
  for (let j = 0; j < df; j++) {
    let head = 0;
    let scale = 1;
    for (let k = 0; ; k++) {
      if (at >= len || k === 5) throw corrupt('end inside a posting or hold an over-long number');
      const x = buf[at++];
      head += (x & 0x7f) * scale;
      if (x < 0x80) break;
      scale *= 128;
    }
    let b = 0;
    for (let k = 0, sc = 1; ; k++, sc *= 128) {
      if (at >= len || k === 3) throw corrupt('end inside a posting or hold an over-long number');
      const x = buf[at++];
      b += (x & 0x7f) * sc;
      if (x < 0x80) break;
    }
    let t = 0;
    if (head % 2 === 1) {
      for (let k = 0, sc = 1; ; k++, sc *= 128) {
        if (at >= len || k === 3) throw corrupt('end inside a posting or hold an over-long number');
        const x = buf[at++];
        t += (x & 0x7f) * sc;
        if (x < 0x80) break;
      }
    }
    const d = prev + Math.floor(head / 2);
    if (d >= n || d <= prev) throw corrupt(`name chunk ${d} of ${n} after ${prev}`);
    if (b > 0xffff || t > 0xffff) throw corrupt('hold a term frequency over 65535');
    prev = d;
    docs[j] = d;
    tfBody[j] = b;
    tfTitle[j] = t;
  }
  if (at !== len) throw corrupt(`hold ${len - at} bytes past their ${df} postings`);
  return { docs, tfTitle, tfBody };
}
