/**
 * The Postgres schema, created and upgraded by numbered migrations recorded in
 * rb_schema_migrations. Every process runs `ensureSchema` on start; an advisory transaction lock
 * makes concurrent starts apply each migration once.
 *
 * Everything is keyed by generation (the same `gen-...` names as the vectra backend):
 *   rb_meta          one row: the live generation (the pointer an ingest flips)
 *   rb_generations   manifest + BM25F statistics of every generation being written or live
 *   rb_papers        papers (JSONB) in corpus order, with when each first entered the index
 *   rb_chunks        chunks with our tokenizer's stems per field; in generations written before
 *                    schema v6 also a weighted tsvector (GIN) and the embedding (an HNSW index
 *                    per generation: hnswIndexName)
 *   rb_vectors       embeddings by chunk content hash, shared by the generations written since v6
 *                    (one HNSW index per embedding size: sharedHnswIndexName)
 *   rb_term_df       document frequency of every term (our BM25F vocabulary); max_sat (a score
 *                    bound) only in generations written before v6
 *   rb_postings      every term's postings (chunk, tf per field), read per query term by lexical search
 *   content_hash     (rb_papers, rb_chunks) what the row was written from: a re-ingest copies rows
 *                    whose hash is unchanged from the live generation instead of sending them again
 *   rb_watches, rb_radar_generations, rb_radar_baseline, rb_announcements: the paper radar (src/radar/)
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../../errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'generations, papers, chunks (tsvector + pgvector), term document frequencies',
    sql: `
      CREATE EXTENSION IF NOT EXISTS vector;

      CREATE TABLE rb_generations (
        generation text PRIMARY KEY,
        manifest   jsonb NOT NULL,
        -- { n, avgTitle, avgBody, params }: what BM25F needs besides per-chunk lengths and df
        lexical    jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE rb_meta (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        generation  text NOT NULL REFERENCES rb_generations (generation),
        switched_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE rb_papers (
        generation text NOT NULL,
        idx        integer NOT NULL,
        paper_id   text NOT NULL,
        data       jsonb NOT NULL,
        PRIMARY KEY (generation, idx)
      );

      CREATE TABLE rb_chunks (
        generation  text NOT NULL,
        idx         integer NOT NULL,
        chunk_id    text NOT NULL,
        paper_id    text NOT NULL,
        position    integer NOT NULL,
        -- NULL when the chunk is the paper's whole abstract (the default chunking)
        text        text,
        -- our tokenizer's stems joined by spaces, so Postgres and BM25F share one vocabulary
        title_terms text NOT NULL,
        body_terms  text NOT NULL,
        len_title   integer NOT NULL,
        len_body    integer NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple'::regconfig, title_terms), 'A') ||
          setweight(to_tsvector('simple'::regconfig, body_terms), 'D')
        ) STORED,
        -- no fixed size: generations built with different models may coexist while one replaces the other
        embedding   vector,
        PRIMARY KEY (generation, idx)
      );
      CREATE INDEX rb_chunks_tsv ON rb_chunks USING gin (tsv);

      CREATE TABLE rb_term_df (
        generation text NOT NULL,
        term       text NOT NULL,
        df         integer NOT NULL,
        PRIMARY KEY (generation, term)
      );
    `,
  },
  {
    version: 2,
    name: 'per-term postings with their BM25F bound, so lexical search reads only the terms it needs',
    sql: `
      -- One row per (generation, term): the term's postings packed as little-endian
      -- (uint32 chunk idx, uint16 tf title, uint16 tf body) records, chunks ascending.
      -- EXTERNAL: stored out of line uncompressed (cheaper to write and to read than pglz).
      CREATE TABLE rb_postings (
        generation text NOT NULL,
        term       text NOT NULL,
        postings   bytea NOT NULL,
        PRIMARY KEY (generation, term)
      );
      ALTER TABLE rb_postings ALTER COLUMN postings SET STORAGE EXTERNAL;
      -- The largest saturated tf of the term in any chunk (bm25fTermScore with weight and idf 1):
      -- times weight and idf, the most the term adds to a score. NULL in generations without postings.
      ALTER TABLE rb_term_df ADD COLUMN max_sat double precision;
    `,
  },
  {
    version: 3,
    name: 'first-seen time of every paper, so "new since" is one indexed range scan',
    sql: `
      -- The same value as data->>'firstSeen' (the reader's copy); NULL in generations written
      -- before first-seen dates were recorded (the next ingest gives those papers the
      -- generation's creation time).
      ALTER TABLE rb_papers ADD COLUMN first_seen timestamptz;
      CREATE INDEX rb_papers_first_seen ON rb_papers (generation, first_seen);
    `,
  },
  {
    version: 4,
    name: 'paper radar: watches, what each generation brought, announced digests',
    sql: `
      CREATE TABLE rb_watches (
        id         text PRIMARY KEY,
        guild_id   text NOT NULL,
        channel_id text NOT NULL,
        topic      text NOT NULL,
        topic_key  text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel_id, topic_key)
      );
      CREATE INDEX rb_watches_guild ON rb_watches (guild_id);
      -- Not keyed to rb_generations: a record outlives the generation it describes.
      CREATE TABLE rb_radar_generations (
        generation    text PRIMARY KEY,
        noticed_at    timestamptz NOT NULL DEFAULT now(),
        previous      text,
        new_paper_ids jsonb NOT NULL
      );
      CREATE TABLE rb_radar_baseline (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        generation text NOT NULL,
        paper_ids  jsonb NOT NULL
      );
      -- One row per digest: the primary key is the exactly-once claim.
      CREATE TABLE rb_announcements (
        channel_id text NOT NULL,
        generation text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel_id, generation)
      );
    `,
  },
  {
    version: 5,
    name: 'content hashes of papers and chunks, so a re-ingest copies unchanged rows inside the server',
    sql: `
      -- sha1 of what a row was written from (writer.ts: paperHash, chunkHash); NULL in rows
      -- written before, which a re-ingest then writes afresh.
      ALTER TABLE rb_papers ADD COLUMN content_hash bytea;
      ALTER TABLE rb_chunks ADD COLUMN content_hash bytea;
    `,
  },
  {
    version: 6,
    name: 'vectors shared by every generation, keyed by chunk content hash, with one HNSW index per size',
    sql: `
      -- A chunk's content hash covers its text and the embedding model, so one row serves every
      -- generation holding that chunk: a re-ingest inserts only the changed chunks' vectors, and
      -- the HNSW index over them (sharedHnswIndexName) is built once and then kept up by inserts.
      CREATE TABLE rb_vectors (
        content_hash bytea PRIMARY KEY,
        embedding    vector NOT NULL
      );
      -- Vector search keeps the HNSW candidates the pinned generation holds; cleanup deletes the
      -- vectors no generation holds.
      CREATE INDEX rb_chunks_hash ON rb_chunks (content_hash, generation);
      -- Only generations written before rb_postings read the tsvector; newer ones leave it NULL
      -- instead of computing it (and its GIN entries) for every row.
      ALTER TABLE rb_chunks ALTER COLUMN tsv DROP EXPRESSION;
    `,
  },
  {
    version: 7,
    name: 'watches listed in the order they were added',
    sql: `
      -- Two watches added in the same microsecond tied on created_at, and their random ids then ordered them:
      -- a channel's digest listed its topics in a different order from run to run.
      ALTER TABLE rb_watches ADD COLUMN seq bigserial;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

// pg_advisory_xact_lock key serialising migrations (distinct from the ingest lock).
const MIGRATION_LOCK_KEY = 7_262_000_001;

export interface SchemaInfo {
  version: number;
  /** pgvector's version, e.g. "0.8.0". */
  vector: string;
}

async function appliedVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('rb_schema_migrations')::text AS t`);
  if (!exists.rows[0].t) return 0;
  const r = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM rb_schema_migrations');
  return r.rows[0].v ?? 0;
}

async function vectorVersion(client: pg.ClientBase): Promise<string> {
  const r = await client.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`);
  return r.rows[0]?.v ?? '';
}

/** Apply every migration this database lacks; refuse a schema newer than this code. */
export async function ensureSchema(client: pg.ClientBase): Promise<SchemaInfo> {
  let version = await appliedVersion(client);
  if (version < SCHEMA_VERSION) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(`CREATE TABLE IF NOT EXISTS rb_schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      // Another process may have migrated while we waited for the lock.
      version = await appliedVersion(client);
      for (const m of MIGRATIONS) {
        if (m.version <= version) continue;
        try {
          await client.query(m.sql);
        } catch (err) {
          const e = err as { code?: string; message?: string };
          if (e.code === '42501' && /extension "vector"/.test(e.message ?? '')) {
            // The server has pgvector; this role may not enable it in this database.
            throw new AppError(
              'STORE_UNAVAILABLE',
              `This database has no "vector" extension yet and the connecting role may not create it (${e.message}). ` +
                'Ask an administrator to run CREATE EXTENSION vector in this database once (managed services: enable ' +
                'the "vector" extension), then start research-bot again.',
              { cause: err },
            );
          }
          if (/extension "vector"|vector\.control/.test(e.message ?? '')) {
            throw new AppError(
              'STORE_UNAVAILABLE',
              `This Postgres server does not have the pgvector extension (${e.message}). Use a server with pgvector ` +
                `(e.g. the pgvector/pgvector:pg16 image; managed services: enable the "vector" extension), or run ` +
                `CREATE EXTENSION vector as a superuser.`,
              { cause: err },
            );
          }
          throw err;
        }
        await client.query('INSERT INTO rb_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        version = m.version;
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  if (version > SCHEMA_VERSION) {
    throw new AppError(
      'STORE_UNAVAILABLE',
      `The database schema is at version ${version}, newer than this research-bot supports (${SCHEMA_VERSION}). Upgrade research-bot on this machine.`,
    );
  }
  return { version, vector: await vectorVersion(client) };
}

/** True when pgvector is at least major.minor. */
export function vectorAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map((x) => Number.parseInt(x, 10));
  return a > major || (a === major && (b ?? 0) >= minor);
}

/** pgvector's HNSW index takes vectors of at most this many dimensions; larger ones are scanned exactly. */
export const HNSW_MAX_DIMS = 2000;

/**
 * Name of one generation's HNSW index (partial: WHERE generation = ...). Per generation, so a new
 * generation is loaded with no HNSW index to maintain row by row and gets its own built once,
 * and dropping a generation drops its index.
 */
export function hnswIndexName(generation: string): string {
  return `rb_chunks_hnsw_${createHash('sha256').update(generation).digest('hex').slice(0, 16)}`;
}

/**
 * The HNSW index over the shared rb_vectors rows of one embedding size (partial: WHERE
 * vector_dims(embedding) = dims), used by every generation written since schema v6.
 */
export function sharedHnswIndexName(dims: number): string {
  return `rb_vectors_hnsw_${dims}`;
}

/** Before per-generation indexes, one HNSW index per embedding size covered every generation. */
export const LEGACY_HNSW_PREFIX = 'rb_chunks_embedding_hnsw_';
