import type { FileHandle } from 'node:fs/promises';

/** Write all of `bytes` at the handle's position (a single write may be partial). */
export async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
    off += bytesWritten;
  }
}
