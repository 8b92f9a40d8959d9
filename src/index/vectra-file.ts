/**
 * Writes a vectra LocalIndex file (ProtobufCodec, `index.pb`) straight from float32 vectors, one
 * batch of items at a time. vectra's own path (insertItem per vector, then endUpdate) holds every
 * vector as a JS number array and has protobufjs queue one write operation per float: at 100k x
 * 384 that is what pushed ingest past 2 GB. The bytes follow vectra's schema
 * (node_modules/vectra/lib/codecs/schemas/index.proto), so vectra itself reads the result:
 *
 *   IndexData { uint32 version = 1; MetadataConfig metadata_config = 2; repeated IndexItem items = 3; }
 *   IndexItem { string id = 1; map<string, MetadataValue> metadata = 2;
 *               repeated float vector = 3 [packed]; double norm = 4; }
 *   MetadataValue { oneof value { string string_value = 1; double number_value = 2; bool bool_value = 3; } }
 */
import { open } from 'node:fs/promises';
import { vectorNorm } from './vector-matrix.js';
import { type FileDigest, writeAll } from './write-all.js';

export interface VectraFileItem {
  id: string;
  /** Stored as metadata { chunk } (a number), as the read path expects. */
  chunk: number;
  vector: Float32Array;
}

export const VECTRA_INDEX_FILE = 'index.pb';
/** Items encoded per write: bounded memory (~1.6 MB at 384 dimensions). */
const BATCH_ITEMS = 1000;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

/** Growable byte buffer for one batch. */
class Bytes {
  private buf: Buffer;
  length = 0;
  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  varint(value: number): void {
    this.ensure(10);
    let v = value >>> 0;
    if (v !== value) throw new RangeError(`varint out of range: ${value}`);
    while (v > 0x7f) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.length++] = v;
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.length);
    this.length += 8;
  }
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
  reset(): void {
    this.length = 0;
  }
}

function stringBytes(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

function encodeItem(out: Bytes, item: VectraFileItem, scratch: Bytes): void {
  scratch.reset();
  const id = stringBytes(item.id);
  scratch.tag(1, WIRE_LEN);
  scratch.varint(id.length);
  scratch.raw(id);
  // metadata map entry: { key = 1: "chunk", value = 2: MetadataValue { number_value = 2 } }
  const key = stringBytes('chunk');
  const valueLen = 1 + 8;
  const entryLen = 1 + 1 + key.length + 1 + 1 + valueLen;
  scratch.tag(2, WIRE_LEN);
  scratch.varint(entryLen);
  scratch.tag(1, WIRE_LEN);
  scratch.varint(key.length);
  scratch.raw(key);
  scratch.tag(2, WIRE_LEN);
  scratch.varint(valueLen);
  scratch.tag(2, WIRE_FIXED64);
  scratch.double(item.chunk);
  // packed float32, little-endian as protobuf requires (and as Float32Array is on every platform Node runs on here)
  const floats = new Uint8Array(item.vector.buffer, item.vector.byteOffset, item.vector.byteLength);
  scratch.tag(3, WIRE_LEN);
  scratch.varint(floats.length);
  scratch.raw(floats);
  scratch.tag(4, WIRE_FIXED64);
  scratch.double(vectorNorm(item.vector));
  const body = scratch.view();
  out.tag(3, WIRE_LEN);
  out.varint(body.length);
  out.raw(body);
}

/** Write `items` as a vectra protobuf index file at `path` (created or replaced). */
export async function writeVectraIndexFile(path: string, items: Iterable<VectraFileItem>, digest?: FileDigest): Promise<number> {
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f)
    throw new Error('big-endian platforms are not supported by the vectra file writer');
  const fh = await open(path, 'w');
  let count = 0;
  try {
    const out = new Bytes();
    const scratch = new Bytes(1 << 13);
    out.tag(1, WIRE_VARINT);
    out.varint(1); // version
    out.tag(2, WIRE_LEN);
    out.varint(0); // metadata_config { indexed: [] }
    let inBatch = 0;
    for (const item of items) {
      encodeItem(out, item, scratch);
      count++;
      if (++inBatch === BATCH_ITEMS) {
        await writeAll(fh, out.view(), digest);
        out.reset();
        inBatch = 0;
      }
    }
    if (out.length) await writeAll(fh, out.view(), digest);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return count;
}
