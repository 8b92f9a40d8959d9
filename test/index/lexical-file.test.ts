import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LexicalIndex } from '../../src/index/lexical.js';
import { readLexicalFile } from '../../src/index/lexical-file.js';

const docs = [
  { title: 'Low-rank adaptation', body: 'LoRA freezes the weights and trains low-rank updates.' },
  { title: 'Mixture of experts', body: 'A router sends each token to a few experts.' },
  { title: 'Speculative decoding', body: 'A draft model proposes tokens that the target model verifies.' },
];

describe('readLexicalFile', () => {
  let dir: string;
  const built = LexicalIndex.build(docs);
  const { header, body } = built.serialize();
  const head = Buffer.from(JSON.stringify(header));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lexical-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the index the file holds, with the checksum of the whole file', async () => {
    const path = join(dir, 'ok.bin');
    await writeFile(path, body);
    const got = await readLexicalFile(path, head);
    expect(got.error).toBeUndefined();
    expect(got.checksum).toEqual({ size: body.length, sha256: sha(body) });
    expect(got.index!.search('experts router', 3)).toEqual(built.search('experts router', 3));
  });

  it('reports a body longer or shorter than its arrays, its checksum still over every byte of the file', async () => {
    for (const [name, bytes, message] of [
      ['long.bin', Buffer.concat([body, Buffer.alloc(8)]), /body is \d+ bytes, expected \d+/],
      ['short.bin', body.subarray(0, body.length - 12), /truncated/],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const got = await readLexicalFile(path, head);
      expect(got.index, name).toBeUndefined();
      expect(got.error?.message, name).toMatch(message);
      expect(got.checksum, name).toEqual({ size: bytes.length, sha256: sha(bytes) });
    }
  });

  it('reports a header that does not parse, and still checksums the body', async () => {
    const path = join(dir, 'head.bin');
    await writeFile(path, body);
    const got = await readLexicalFile(path, Buffer.from('{"version":2,'));
    expect(got.error).toBeInstanceOf(SyntaxError);
    expect(got.checksum.sha256).toBe(sha(body));
  });
});
