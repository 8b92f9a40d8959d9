/**
 * Append-only cache of chunk embeddings keyed by a hash of the embedded text, one file per
 * model. Written after every batch, so an ingest that dies half-way resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function textHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function cacheFile(indexDir: string, model: string): string {
  return join(indexDir, 'embeddings', `${model.replace(/[^\w.-]+/g, '_').slice(0, 80)}.jsonl`);
}

export class EmbeddingCache {
  private constructor(
    private readonly file: string,
    private readonly map: Map<string, Float32Array>,
  ) {}

  static async open(indexDir: string, model: string): Promise<EmbeddingCache> {
    const file = cacheFile(indexDir, model);
    await mkdir(join(indexDir, 'embeddings'), { recursive: true });
    const map = new Map<string, Float32Array>();
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const { h, v } = JSON.parse(line) as { h: string; v: string };
        const buf = Buffer.from(v, 'base64');
        // Copied out of the line buffer so each vector owns exactly its 4 bytes per dimension.
        map.set(h, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
      } catch {
        // A line torn by a kill mid-append: that one embedding is simply recomputed.
      }
    }
    return new EmbeddingCache(file, map);
  }

  get size(): number {
    return this.map.size;
  }

  get(hash: string): Float32Array | undefined {
    return this.map.get(hash);
  }

  async add(entries: Array<{ hash: string; vector: ArrayLike<number> }>): Promise<void> {
    let out = '';
    for (const { hash, vector } of entries) {
      const f32 = Float32Array.from(vector);
      this.map.set(hash, f32);
      out += `${JSON.stringify({ h: hash, v: Buffer.from(f32.buffer).toString('base64') })}\n`;
    }
    if (out) await appendFile(this.file, out);
  }
}
