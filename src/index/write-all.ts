import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Size and SHA-256 of a file as recorded in the manifest (see store.ts). */
export interface FileChecksum {
  size: number;
  sha256: string;
}

/** Checksum of bytes as they are written, so no generation file is read back to be hashed. */
export class FileDigest {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.size += bytes.length;
  }

  result(): FileChecksum {
    return { size: this.size, sha256: this.hash.digest('hex') };
  }
}

export function checksumOf(bytes: Uint8Array): FileChecksum {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Write all of `bytes` at the handle's position (a single write may be partial). */
export async function writeAll(fh: FileHandle, bytes: Uint8Array, digest?: FileDigest): Promise<void> {
  for (let off = 0; off < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
    off += bytesWritten;
  }
  digest?.update(bytes);
}
