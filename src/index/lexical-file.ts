/**
 * A generation's lexical.json and lexical.bin read into a LexicalIndex as the body streams in, each array into memory of
 * its own, with the body's checksum. An array that does not parse stops the parsing, not the reading, so the checksum
 * still covers the whole file and a damaged file is reported as such (as readLazyPapers does for papers.jsonl).
 */
import { open } from 'node:fs/promises';
import { type BodyReader, type LexicalHeader, LexicalIndex } from './lexical.js';
import { FileDigest, type FileChecksum } from './write-all.js';

/** Bytes read at a time past the last array read, for the checksum. */
const REST_PIECE = 1 << 16;

export async function readLexicalFile(
  path: string,
  header: Buffer,
): Promise<{ index?: LexicalIndex; checksum: FileChecksum; error?: Error }> {
  const fh = await open(path, 'r');
  try {
    const digest = new FileDigest();
    let position = 0;
    const read: BodyReader = async (into) => {
      for (let got = 0; got < into.length; ) {
        const { bytesRead } = await fh.read(into, got, into.length - got, position);
        if (bytesRead === 0) throw new Error('lexical index body is truncated');
        digest.update(into.subarray(got, got + bytesRead));
        got += bytesRead;
        position += bytesRead;
      }
    };
    let index: LexicalIndex | undefined;
    let error: Error | undefined;
    try {
      index = await LexicalIndex.read(JSON.parse(header.toString('utf8')) as LexicalHeader, (await fh.stat()).size, read);
    } catch (err) {
      error = err as Error;
    }
    // The rest of the file, for the checksum (all of it when the header or the size was wrong).
    const rest = Buffer.allocUnsafe(REST_PIECE);
    for (
      let n = (await fh.read(rest, 0, REST_PIECE, position)).bytesRead;
      n > 0;
      n = (await fh.read(rest, 0, REST_PIECE, position)).bytesRead
    ) {
      digest.update(rest.subarray(0, n));
      position += n;
    }
    return { index: error ? undefined : index, checksum: digest.result(), error };
  } finally {
    await fh.close();
  }
}
