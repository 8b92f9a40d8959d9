/**
 * Writes index generations into Postgres. A generation's rows are inserted in batches while the
 * previous generation stays live; one short transaction then repoints rb_meta at it, so readers
 * see the old or the new generation, never a mix. A failure before that leaves the old one live;
 * its half-written rows are deleted by the next ingest's cleanup.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Bm25fParams } from '../bm25f.js';
import pgvector from 'pgvector';
import type { Paper } from '../../corpus/types.js';
import { AppError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { GenerationData, GenerationWriter } from '../search-store.js';
import type { Manifest } from '../manifest.js';
import type { Chunk } from '../chunk.js';
import { TOKENIZER_VERSION, tokenize } from '../tokenize.js';
import { connectClient, createPool, describeDatabase, storeError } from './connection.js';
import { encodePostings, type PostingCodec } from './postings.js';
import { ensureSchema, HNSW_MAX_DIMS, hnswIndexName, LEGACY_HNSW_PREFIX, type SchemaInfo, sharedHnswIndexName } from './schema.js';

// pg_try_advisory_lock key held for the whole of an ingest (distinct from the migration key).
export const INGEST_LOCK_KEY = 726_200_002;
// pgvector's HNSW indexes `vector` columns of up to 2,000 dimensions; larger ones are scanned exactly.

// Databases this process is ingesting into. Postgres advisory locks are re-entrant within one
// session, and a pooled or embedded server may hand two writers the same session, so two writers
// in one process are kept apart here as well.
const heldInProcess = new Set<string>();

export interface PostgresWriterOptions {
  logger?: Logger;
  /** Rows per INSERT (one statement, one transaction). Default 500. */
  batchSize?: number;
  /**
   * maintenance_work_mem for the HNSW build, set for that session only. A graph that does not fit
   * is built far more slowly (100k x 384-d: 132 s with the server default of 64 MB, 32 s with
   * 512 MB). Default '512MB'.
   */
  indexBuildMemory?: string;
  /**
   * max_parallel_maintenance_workers for the HNSW build (pgvector >= 0.6 builds in parallel;
   * workers besides the leader). Default 2, Postgres' own default, set explicitly so a server
   * configured with 0 still builds in parallel.
   */
  indexBuildWorkers?: number;
  /**
   * A commit sending at least this many vectors, more than rb_vectors holds already, drops the
   * HNSW index of their size and builds it again after loading them: inserting through an index
   * row by row costs about twice a bulk build (100k x 384-d: 447 s against 226 s). Meanwhile the
   * live generation's vector searches scan exactly. Default 10,000.
   */
  indexRebuildMin?: number;
  /**
   * Copy the rows of papers and chunks whose content is unchanged from the live generation inside
   * the server instead of writing them again. Default true; false writes every row (a reference
   * for tests).
   */
  copyUnchanged?: boolean;
  /** Test hook: runs after each batch is written; throwing aborts the commit there. */
  afterBatch?: (table: 'vectors' | 'papers' | 'chunks' | 'terms', rowsWritten: number) => void | Promise<void>;
}

/** BM25F statistics stored with each generation (the rest is per chunk and per term). */
export interface LexicalStats {
  n: number;
  avgTitle: number;
  avgBody: number;
  params: Bm25fParams;
  /** Written with per-term postings and bounds (schema v2); older generations are searched through the tsvector. */
  postings?: boolean;
  /** How rb_postings packs them (postings.ts); absent: 'fixed8', the first v2 writer's. */
  postingCodec?: PostingCodec;
  /**
   * Vectors in rb_vectors by chunk content hash, shared with other generations (schema v6);
   * absent: in rb_chunks.embedding, with this generation's own HNSW index (hnswIndexName).
   */
  sharedVectors?: boolean;
}

/** pgvector's text form, '[x,y,...]'. Float32 values print exactly enough to read back as the same float4. */
export function vectorLiteral(v: ArrayLike<number>): string {
  // pgvector's toSql serialises plain arrays only; typed arrays would pass through unconverted.
  return pgvector.toSql(Array.from(v)) as string;
}

/** pgvector's binary form (vector_recv): dimensions and a zero as int16, then float4s, all big-endian. */
export function vectorBinary(v: ArrayLike<number>): Buffer {
  const buf = Buffer.allocUnsafe(4 + 4 * v.length);
  buf.writeInt16BE(v.length, 0);
  buf.writeInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) buf.writeFloatBE(v[i], 4 + 4 * i);
  return buf;
}

/** Terms of one field as stored: our tokenizer's stems joined by single spaces. */
export function fieldTerms(text: string): { terms: string; count: number } {
  const t = tokenize(text);
  return { terms: t.join(' '), count: t.length };
}

/** Columns of rb_papers and rb_chunks besides (generation, idx): what a copied row carries over. */
const PAPER_COLUMNS = 'paper_id, data, first_seen, content_hash';
const CHUNK_COLUMNS = 'chunk_id, paper_id, position, text, title_terms, body_terms, len_title, len_body, content_hash';
// Rows per INSERT ... SELECT: nothing travels but two integers a row.
const COPY_BATCH = 20_000;
const POSTING_CODEC: PostingCodec = 'deflate-varint';

/** The live generation's rows by content hash: what a new generation copies instead of writing. */
interface CopySources {
  generation: string;
  papers: Map<string, number>;
  chunks: Map<string, number>;
  /** How many chunks the live generation has (some may lack a content hash). */
  chunkCount: number;
  /** Its postings are packed as this writer packs them, so unchanged terms' rows can be copied. */
  postings: boolean;
}

/** An HNSW build running on its own session while the rest of a generation is written. */
interface IndexBuild {
  done: Promise<void>;
  /** Stops the build (a failed commit must not leave it running) and waits for it to end. */
  cancel(): Promise<void>;
}

/** What a paper row is written from: equal hashes, equal rows. */
export function paperHash(paper: Paper): string {
  return createHash('sha1').update(JSON.stringify(paper)).digest('hex');
}

/**
 * What a chunk row is written from. The embedding model and size stand in for the vector: the
 * same text embedded by the same model is the vector already stored (the embedding cache's key).
 */
export function chunkHash(chunk: Chunk, storedText: string | null, embedding: Manifest['embedding']): string {
  const parts = [
    chunk.id,
    chunk.paperId,
    chunk.position,
    chunk.title,
    chunk.text,
    storedText === null,
    embedding?.model,
    embedding?.dimensions,
  ];
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

export class PostgresWriter implements GenerationWriter {
  readonly kind = 'postgres' as const;
  /** Rows the last commit copied from the live generation instead of writing them (tests, logs). */
  lastCommit?: { papersCopied: number; chunksCopied: number };
  /** Vectors the last commit sent to rb_vectors (those of chunks the live generation lacked). */
  lastVectorsSent?: number;
  /** Whether the last commit copied the postings of terms in no changed chunk from the live generation. */
  lastTermsCopied?: boolean;
  private readonly pool: pg.Pool;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private schema?: Promise<SchemaInfo>;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly opts: PostgresWriterOptions = {},
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.batchSize = Math.max(1, opts.batchSize ?? 500);
    this.pool = createPool(databaseUrl, { max: 2, logger: this.logger });
  }

  /** Migrations run once per writer, before its first statement. */
  private ready(): Promise<SchemaInfo> {
    this.schema ??= (async () => {
      const client = await this.pool.connect();
      try {
        return await ensureSchema(client);
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      this.schema = undefined;
      throw storeError(err, this.databaseUrl, 'preparing the schema');
    });
    return this.schema;
  }

  async lock(): Promise<() => Promise<void>> {
    const where = describeDatabase(this.databaseUrl);
    if (heldInProcess.has(where)) {
      throw new AppError(
        'INDEX_LOCKED',
        `Another ingest in this process is already updating the index in ${where}. Wait for it to finish.`,
      );
    }
    heldInProcess.add(where);
    let client: pg.Client | undefined;
    try {
      // A dedicated session: the advisory lock lives exactly as long as it does.
      client = await connectClient(this.databaseUrl, this.logger);
      await ensureSchema(client);
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [INGEST_LOCK_KEY]);
      if (!r.rows[0].ok)
        throw new AppError(
          'INDEX_LOCKED',
          `Another ingest${await this.lockHolder(client)} is already updating the index in ${where}. Wait for it to finish.`,
        );
      const held = client;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        try {
          await held.query('SELECT pg_advisory_unlock($1)', [INGEST_LOCK_KEY]);
        } catch (err) {
          // Ending the session below releases the lock anyway.
          this.logger.warn('could not release the ingest lock explicitly', { err: (err as Error).message });
        } finally {
          await held.end().catch(() => undefined);
          heldInProcess.delete(where);
        }
      };
    } catch (err) {
      heldInProcess.delete(where);
      await client?.end().catch(() => undefined);
      throw storeError(err, this.databaseUrl, 'taking the ingest lock');
    }
  }

  /** " (Postgres backend pid 123 from 10.0.0.5, since ...)" when the server tells us who holds the lock. */
  private async lockHolder(client: pg.Client): Promise<string> {
    try {
      const r = await client.query<{ pid: number; addr: string | null; app: string | null; since: Date | null }>(
        `SELECT l.pid, a.client_addr::text AS addr, a.application_name AS app, a.backend_start AS since
           FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
          LIMIT 1`,
        [INGEST_LOCK_KEY],
      );
      const h = r.rows[0];
      if (!h) return '';
      const since = h.since ? `, connected since ${new Date(h.since).toISOString()}` : '';
      return ` (Postgres backend pid ${h.pid}${h.addr ? ` from ${h.addr}` : ''}${h.app ? `, ${h.app}` : ''}${since})`;
    } catch {
      return '';
    }
  }

  async currentManifest(): Promise<Manifest | undefined> {
    await this.ready();
    try {
      const r = await this.pool.query<{ manifest: Manifest }>(
        'SELECT g.manifest FROM rb_meta m JOIN rb_generations g ON g.generation = m.generation',
      );
      return r.rows[0]?.manifest;
    } catch (err) {
      throw storeError(err, this.databaseUrl, 'reading the live manifest');
    }
  }

  async firstSeen(manifest: Manifest): Promise<Map<string, string | undefined>> {
    await this.ready();
    try {
      const r = await this.pool.query<{ id: string; first_seen: Date | null }>(
        'SELECT paper_id AS id, first_seen FROM rb_papers WHERE generation = $1',
        [manifest.generation],
      );
      return new Map(r.rows.map((row) => [row.id, row.first_seen ? new Date(row.first_seen).toISOString() : undefined]));
    } catch (err) {
      throw storeError(err, this.databaseUrl, 'reading first-seen dates');
    }
  }

  async commit(data: GenerationData, hooks: { onWritten?: () => void | Promise<void> } = {}): Promise<void> {
    const schema = await this.ready();
    const { manifest, papers, chunks, lexical, vectors } = data;
    const generation = manifest.generation;
    if (lexical.size !== chunks.length) throw new Error(`lexical index has ${lexical.size} docs for ${chunks.length} chunks`);
    if (vectors && vectors.length !== chunks.length) throw new Error(`${vectors.length} vectors for ${chunks.length} chunks`);
    const dims = vectors?.[0]?.length ?? 0;
    if (vectors?.some((v) => v.length !== dims || !v.every(Number.isFinite)))
      throw new AppError('EMBEDDING_FAILED', 'Embeddings of different sizes or with non-numbers cannot be stored.');
    const B = this.batchSize;
    const q = (sql: string, params: unknown[]) =>
      this.pool.query(sql, params).catch((err: unknown) => {
        throw storeError(err, this.databaseUrl, `writing generation ${generation}`);
      });
    const byId = new Map<string, Paper>(papers.map((p) => [p.id, p]));
    const avg = lexical.averageLengths;
    const stats: LexicalStats = {
      n: lexical.size,
      avgTitle: avg.title,
      avgBody: avg.body,
      params: { ...lexical.params },
      postings: true,
      postingCodec: POSTING_CODEC,
      sharedVectors: true,
    };

    // Registered first, so cleanup can always find (and delete) whatever rows follow.
    await q('INSERT INTO rb_generations (generation, manifest, lexical) VALUES ($1, $2, $3)', [
      generation,
      JSON.stringify(manifest),
      JSON.stringify(stats),
    ]);

    // Rows of the live generation written from the same content are copied inside the server
    // (INSERT ... SELECT): a re-ingest after a small corpus change sends only what changed.
    const previous = this.opts.copyUnchanged === false ? undefined : await this.copySources(q);
    const storedTexts = chunks.map((c) => (byId.get(c.paperId)?.abstract === c.text ? null : c.text));
    const chunkHashes = chunks.map((c, i) => chunkHash(c, storedTexts[i], manifest.embedding));

    // Vectors first, so that an HNSW build (when this size has no index yet) runs while the rest
    // is written. Only chunks the live generation lacks send theirs; rows rb_vectors already
    // holds (a killed ingest's, or an older generation's) are kept, and an existing index takes
    // the new rows one by one: a re-ingest builds nothing.
    let build: IndexBuild | undefined;
    try {
      if (vectors) {
        const fresh = chunkHashes.flatMap((h, i) => (previous?.chunks.has(h) ? [] : [i]));
        if (dims <= HNSW_MAX_DIMS && fresh.length >= (this.opts.indexRebuildMin ?? 10_000))
          await this.dropIndexBeforeBulkLoad(dims, fresh.length);
        for (let j = 0; j < fresh.length; j += B) {
          const part = fresh.slice(j, j + B);
          // Binary parameters (pgvector's wire format): printing and parsing 384 floats as text
          // cost more than the insert itself.
          await q(
            `INSERT INTO rb_vectors (content_hash, embedding) VALUES ${part.map((_, k) => `($${2 * k + 1}::bytea, $${2 * k + 2}::vector)`).join(', ')}
             ON CONFLICT (content_hash) DO NOTHING`,
            part.flatMap((i) => [Buffer.from(chunkHashes[i], 'hex'), vectorBinary(vectors[i])]),
          );
          await this.opts.afterBatch?.('vectors', j + part.length);
        }
        this.lastVectorsSent = fresh.length;
        if (dims > HNSW_MAX_DIMS)
          this.logger.warn('embeddings are too large for an HNSW index; vector search scans them exactly', {
            dimensions: dims,
            pgvector: schema.vector,
          });
        else build = await this.startSharedIndexBuild(dims);
      }
      await this.writeRows(data, previous, storedTexts, chunkHashes, q);
      await hooks.onWritten?.();
      await build?.done;
    } catch (err) {
      await build?.cancel();
      throw err;
    }

    const counts = await q(
      `SELECT (SELECT count(*) FROM rb_papers WHERE generation = $1)::int AS papers, (SELECT count(*) FROM rb_chunks WHERE generation = $1)::int AS chunks`,
      [generation],
    );
    const got = counts.rows[0] as { papers: number; chunks: number };
    if (got.papers !== papers.length || got.chunks !== chunks.length) {
      throw new Error(
        `generation ${generation} holds ${got.papers} papers and ${got.chunks} chunks, expected ${papers.length} and ${chunks.length}`,
      );
    }

    // The swap: one statement in one short transaction.
    await q(
      `INSERT INTO rb_meta (singleton, generation) VALUES (true, $1)
       ON CONFLICT (singleton) DO UPDATE SET generation = EXCLUDED.generation, switched_at = now()`,
      [generation],
    );
    this.logger.info('postgres generation live', {
      generation,
      papers: papers.length,
      chunks: chunks.length,
      papersCopied: this.lastCommit?.papersCopied,
      chunksCopied: this.lastCommit?.chunksCopied,
      vectors: vectors?.length ?? 0,
      vectorsSent: this.lastVectorsSent,
    });
  }

  /** Papers, chunks and per-term statistics and postings of a new generation. */
  private async writeRows(
    data: GenerationData,
    previous: CopySources | undefined,
    storedTexts: Array<string | null>,
    chunkHashes: string[],
    q: (sql: string, params: unknown[]) => Promise<pg.QueryResult>,
  ): Promise<void> {
    const { manifest, papers, chunks, lexical } = data;
    const generation = manifest.generation;
    const B = this.batchSize;
    // Unchanged rows first, in a few large INSERT ... SELECTs (nothing travels but two integers a
    // row), then the new ones in batches.
    const copy = async (table: 'rb_papers' | 'rb_chunks', columns: string, pairs: Array<[number, number]>) => {
      for (let j = 0; j < pairs.length; j += COPY_BATCH) {
        const part = pairs.slice(j, j + COPY_BATCH);
        await q(
          `INSERT INTO ${table} (generation, idx, ${columns}) SELECT $1, m.new_idx, ${columns.replace(/(\w+)/g, 'o.$1')}
             FROM unnest($3::int[], $4::int[]) AS m(new_idx, old_idx) JOIN ${table} o ON o.generation = $2 AND o.idx = m.old_idx`,
          [generation, previous!.generation, part.map((x) => x[0]), part.map((x) => x[1])],
        );
      }
    };

    const paperReuse: Array<[number, number]> = [];
    const paperFresh: Array<{ i: number; hash: string }> = [];
    papers.forEach((p, i) => {
      const hash = paperHash(p);
      const old = previous?.papers.get(hash);
      if (old === undefined) paperFresh.push({ i, hash });
      else paperReuse.push([i, old]);
    });
    await copy('rb_papers', PAPER_COLUMNS, paperReuse);
    let written = paperReuse.length;
    if (written) await this.opts.afterBatch?.('papers', written);
    for (let j = 0; j < paperFresh.length; j += B) {
      const part = paperFresh.slice(j, j + B);
      await q(
        `INSERT INTO rb_papers (generation, idx, paper_id, data, first_seen, content_hash)
         SELECT $1, t.idx, t.paper_id, t.data::jsonb, t.first_seen::timestamptz, decode(t.hash, 'hex')
           FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(idx, paper_id, data, first_seen, hash)`,
        [
          generation,
          part.map((x) => x.i),
          part.map((x) => papers[x.i].id),
          part.map((x) => JSON.stringify(papers[x.i])),
          part.map((x) => papers[x.i].firstSeen ?? null),
          part.map((x) => x.hash),
        ],
      );
      written += part.length;
      await this.opts.afterBatch?.('papers', written);
    }

    const chunkReuse: Array<[number, number]> = [];
    const chunkFresh: number[] = [];
    chunkHashes.forEach((hash, i) => {
      const old = previous?.chunks.get(hash);
      if (old === undefined) chunkFresh.push(i);
      else chunkReuse.push([i, old]);
    });
    await copy('rb_chunks', CHUNK_COLUMNS, chunkReuse);
    written = chunkReuse.length;
    if (written) await this.opts.afterBatch?.('chunks', written);
    const titleCache = new Map<string, { terms: string; count: number }>();
    const freshTerms = new Set<string>();
    for (let j = 0; j < chunkFresh.length; j += B) {
      const part = chunkFresh.slice(j, j + B);
      const cols = { tt: [] as string[], bt: [] as string[], lt: [] as number[], lb: [] as number[] };
      for (const i of part) {
        const c = chunks[i];
        let title = titleCache.get(c.title);
        if (!title) {
          title = fieldTerms(c.title);
          titleCache.set(c.title, title);
        }
        const body = fieldTerms(c.text);
        cols.tt.push(title.terms);
        cols.bt.push(body.terms);
        cols.lt.push(title.count);
        cols.lb.push(body.count);
      }
      if (previous) for (const t of [...cols.tt, ...cols.bt]) for (const term of t.split(' ')) if (term) freshTerms.add(term);
      await q(
        `INSERT INTO rb_chunks (generation, idx, chunk_id, paper_id, position, text, title_terms, body_terms, len_title, len_body, content_hash)
         SELECT $1, t.idx, t.chunk_id, t.paper_id, t.position, t.text, t.title_terms, t.body_terms, t.len_title, t.len_body,
                decode(t.hash, 'hex')
           FROM unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::text[])
             AS t(idx, chunk_id, paper_id, position, text, title_terms, body_terms, len_title, len_body, hash)`,
        [
          generation,
          part,
          part.map((i) => chunks[i].id),
          part.map((i) => chunks[i].paperId),
          part.map((i) => chunks[i].position),
          part.map((i) => storedTexts[i]),
          cols.tt,
          cols.bt,
          cols.lt,
          cols.lb,
          part.map((i) => chunkHashes[i]),
        ],
      );
      written += part.length;
      await this.opts.afterBatch?.('chunks', written);
    }
    this.lastCommit = { papersCopied: paperReuse.length, chunksCopied: chunkReuse.length };

    // Per term: df and its postings (see rb_postings in schema.ts). A term found in no chunk that
    // changed, moved or left has exactly the live generation's postings: those rows are copied
    // inside the server, and only the other terms are encoded and sent.
    const changed = await this.changedTerms(previous, chunkReuse, chunkFresh.length, chunks.length, freshTerms, q);
    if (changed) {
      for (const table of ['rb_term_df', 'rb_postings'])
        await q(
          `INSERT INTO ${table} SELECT $1, o.* FROM (SELECT ${table === 'rb_term_df' ? 'term, df' : 'term, postings'} FROM ${table}
            WHERE generation = $2 AND NOT (term = ANY($3::text[]))) o`,
          [generation, previous!.generation, [...changed]],
        );
    }
    this.lastTermsCopied = changed !== undefined;
    const TB = B * 4; // short rows: larger batches
    const MAX_BATCH_BYTES = 8 << 20;
    let terms: string[] = [];
    let dfs: number[] = [];
    let lists: Buffer[] = [];
    let bytes = 0;
    let termsWritten = 0;
    const flush = async () => {
      if (!terms.length) return;
      await q(`INSERT INTO rb_term_df (generation, term, df) SELECT $1, t.term, t.df FROM unnest($2::text[], $3::int[]) AS t(term, df)`, [
        generation,
        terms,
        dfs,
      ]);
      await q(
        `INSERT INTO rb_postings (generation, term, postings) SELECT $1, t.term, t.postings FROM unnest($2::text[], $3::bytea[]) AS t(term, postings)`,
        [generation, terms, lists],
      );
      termsWritten += terms.length;
      terms = [];
      dfs = [];
      lists = [];
      bytes = 0;
      await this.opts.afterBatch?.('terms', termsWritten);
    };
    for (const { term, docs, tfTitle, tfBody } of lexical.postingLists()) {
      if (changed && !changed.has(term)) continue;
      const buf = encodePostings(docs, tfTitle, tfBody);
      terms.push(term);
      dfs.push(docs.length);
      lists.push(buf);
      bytes += buf.length;
      if (terms.length >= TB || bytes >= MAX_BATCH_BYTES) await flush();
    }
    await flush();
  }

  /**
   * The terms whose postings may differ from the live generation's: those of every new chunk,
   * and of every live chunk not carried over at the same position. Undefined (write every term)
   * when there is nothing to copy from, its postings are packed otherwise, some of its chunks
   * have no content hash, or a quarter or more of the chunks changed or moved.
   */
  private async changedTerms(
    previous: CopySources | undefined,
    reuse: Array<[number, number]>,
    fresh: number,
    total: number,
    freshTerms: Set<string>,
    q: (sql: string, params: unknown[]) => Promise<pg.QueryResult>,
  ): Promise<Set<string> | undefined> {
    if (!previous?.postings || previous.chunks.size !== previous.chunkCount) return undefined;
    const moved = reuse.filter(([i, old]) => i !== old).length;
    if ((fresh + moved) * 4 >= total) return undefined;
    const kept = new Set(reuse.filter(([i, old]) => i === old).map(([i]) => i));
    // Every live chunk not kept at its own position: those that left and those that moved (old
    // positions are unique, so a moved chunk's old position is never in `kept`).
    const gone = [...previous.chunks.values()].filter((old) => !kept.has(old));
    const changed = new Set(freshTerms);
    for (let j = 0; j < gone.length; j += COPY_BATCH) {
      const idx = gone.slice(j, j + COPY_BATCH);
      const r = await q(`SELECT title_terms || ' ' || body_terms AS t FROM rb_chunks WHERE generation = $1 AND idx = ANY($2::int[])`, [
        previous.generation,
        idx,
      ]);
      for (const row of r.rows as Array<{ t: string }>) for (const term of row.t.split(' ')) if (term) changed.add(term);
    }
    return changed;
  }

  /**
   * The live generation's rows by content hash (hex), when it has any: the rows a new generation
   * may copy instead of writing. Rows written before content hashes are written afresh, and so
   * are the chunks of a generation that keeps its vectors in rb_chunks (before schema v6).
   */
  private async copySources(q: (sql: string, params: unknown[]) => Promise<pg.QueryResult>): Promise<CopySources | undefined> {
    const live = (await q('SELECT m.generation, g.manifest, g.lexical FROM rb_meta m JOIN rb_generations g USING (generation)', []))
      .rows[0] as { generation: string; manifest: Manifest; lexical: LexicalStats } | undefined;
    // A chunk's content hash says nothing of the tokenizer its stored terms came from.
    if (!live || (live.manifest.tokenizer ?? 1) !== TOKENIZER_VERSION) return undefined;
    const rows = async (table: string) =>
      new Map(
        (
          (await q(`SELECT idx, encode(content_hash, 'hex') AS h FROM ${table} WHERE generation = $1 AND content_hash IS NOT NULL`, [
            live.generation,
          ])) as pg.QueryResult<{ idx: number; h: string }>
        ).rows.map((r) => [r.h, r.idx]),
      );
    return {
      generation: live.generation,
      papers: await rows('rb_papers'),
      chunks: live.lexical.sharedVectors ? await rows('rb_chunks') : new Map(),
      chunkCount: live.lexical.n,
      postings: live.lexical.postings === true && live.lexical.postingCodec === POSTING_CODEC,
    };
  }

  private async dropIndexBeforeBulkLoad(dims: number, incoming: number): Promise<void> {
    let held: number;
    try {
      held = (await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rb_vectors')).rows[0].n;
      if (incoming <= held) return;
      // CONCURRENTLY: searches of the live generation go on meanwhile (scanning exactly once it is gone).
      await this.pool.query(`DROP INDEX CONCURRENTLY IF EXISTS ${sharedHnswIndexName(dims)}`);
    } catch (err) {
      throw storeError(err, this.databaseUrl, `indexing the ${dims}-dimensional vectors`);
    }
    this.logger.info('dropped the vector index to build it again after a bulk load', { dimensions: dims, incoming, held });
  }

  /**
   * Starts building the shared HNSW index of one embedding size on its own session, when the
   * size has none yet: one bulk build after the first load instead of inserting through an
   * index row by row, with the build memory and parallel workers set for that session only.
   * Returns undefined when the index exists already.
   */
  private async startSharedIndexBuild(dims: number): Promise<IndexBuild | undefined> {
    const name = sharedHnswIndexName(dims);
    const exists = await this.pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
    if (exists.rows[0]?.t) return undefined;
    const memory = this.opts.indexBuildMemory ?? '512MB';
    if (!/^\d+\s*(kB|MB|GB)$/.test(memory))
      throw new AppError('CONFIG_INVALID', `indexBuildMemory must look like '512MB', not '${memory}'.`);
    const workers = this.opts.indexBuildWorkers ?? 2;
    if (!Number.isInteger(workers) || workers < 0 || workers > 64)
      throw new AppError('CONFIG_INVALID', `indexBuildWorkers must be a whole number from 0 to 64, not ${workers}.`);
    const client = await this.pool.connect();
    let pid: number;
    try {
      pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    } catch (err) {
      client.release();
      throw storeError(err, this.databaseUrl, `indexing the ${dims}-dimensional vectors`);
    }
    let released = false;
    const release = () => {
      if (!released) client.release();
      released = true;
    };
    const done = (async () => {
      try {
        await client.query(`SET maintenance_work_mem = '${memory}'`);
        await client.query(`SET max_parallel_maintenance_workers = ${workers}`);
        // The reader's `vector_dims(embedding) = N` with the cast to vector(N) matches this partial index.
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${name} ON rb_vectors USING hnsw ((embedding::vector(${dims})) vector_cosine_ops) ` +
            `WHERE vector_dims(embedding) = ${dims}`,
        );
        await client.query('RESET maintenance_work_mem; RESET max_parallel_maintenance_workers');
      } catch (err) {
        throw storeError(err, this.databaseUrl, `indexing the ${dims}-dimensional vectors`);
      } finally {
        release();
      }
    })();
    // Awaited by commit; until then a failure must not surface as an unhandled rejection.
    done.catch(() => undefined);
    return {
      done,
      cancel: async () => {
        if (released) return;
        await this.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
        await done.catch(() => undefined);
      },
    };
  }

  async cleanup(): Promise<void> {
    await this.ready();
    try {
      await this.removeStale();
    } catch (err) {
      throw storeError(err, this.databaseUrl, 'removing old generations');
    }
  }

  private async removeStale(): Promise<void> {
    const current = (await this.pool.query<{ generation: string }>('SELECT generation FROM rb_meta')).rows[0]?.generation ?? null;
    const stale = await this.pool.query<{ generation: string }>(
      'SELECT generation FROM rb_generations WHERE generation IS DISTINCT FROM $1 ORDER BY created_at',
      [current],
    );
    if (current) await this.dropLegacyIndexes(current);
    for (const { generation } of stale.rows) {
      // Data first, registry row last: a cleanup killed half-way is finished by the next one.
      // CONCURRENTLY: a plain DROP INDEX would lock out searches of the live generation meanwhile.
      await this.pool.query(`DROP INDEX CONCURRENTLY IF EXISTS ${hnswIndexName(generation)}`);
      for (const table of ['rb_chunks', 'rb_papers', 'rb_term_df', 'rb_postings'])
        await this.pool.query(`DELETE FROM ${table} WHERE generation = $1`, [generation]);
      await this.pool.query('DELETE FROM rb_generations WHERE generation = $1', [generation]);
      this.logger.info('removed old postgres generation', { generation });
    }
    // Last, and every time: vectors of the generations just removed, or of an ingest or a cleanup
    // killed before it got here. Runs under the ingest lock, so no writer is adding references.
    const gone = await this.pool.query(
      'DELETE FROM rb_vectors v WHERE NOT EXISTS (SELECT 1 FROM rb_chunks c WHERE c.content_hash = v.content_hash)',
    );
    if (gone.rowCount) this.logger.info('removed vectors no generation holds', { vectors: gone.rowCount });
  }

  /** The shared per-dimension indexes of older versions, once the live generation no longer needs them. */
  private async dropLegacyIndexes(current: string): Promise<void> {
    const own = await this.pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [hnswIndexName(current)]);
    const vectors = await this.pool.query<{ v: number; shared: boolean | null }>(
      `SELECT (manifest->'counts'->>'vectors')::int AS v, (lexical->>'sharedVectors')::boolean AS shared FROM rb_generations WHERE generation = $1`,
      [current],
    );
    const row = vectors.rows[0];
    if (!own.rows[0]?.t && !row?.shared && (row?.v ?? 0) > 0) return;
    const legacy = await this.pool.query<{ name: string }>(
      `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'rb_chunks' AND starts_with(indexname, $1)`,
      [LEGACY_HNSW_PREFIX],
    );
    for (const { name } of legacy.rows) await this.pool.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
