/**
 * A Postgres server for tests, spoken to through the real `pg` driver.
 *
 * Default: PGlite (Postgres compiled to WASM, with pgvector) served on 127.0.0.1 by
 * pglite-socket. PGlite is one session behind a multiplexer: session state (advisory locks, SET)
 * is shared by every connection, and statements from different connections never run concurrently.
 *
 * With TEST_DATABASE_URL (a role that may create databases on a real PostgreSQL with pgvector,
 * e.g. from scripts/postgres-test-server.sh): every startTestDatabase() creates its own database
 * on that server, with the vector extension, and drops it on close().
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

export interface TestDatabase {
  /** 'pglite' or 'postgres' (a real server from TEST_DATABASE_URL). */
  kind: 'pglite' | 'postgres';
  /** postgres:// URL (with a password) for the code under test. */
  url: string;
  /** The URL's password: it must never appear in any output. */
  password: string;
  /** Direct queries (not through the code under test), for assertions. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drop everything research-bot created, as for a fresh database. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_DB_PASSWORD = 'pg-test-Secret-42';

const RESET_SQL = `
  DROP TABLE IF EXISTS rb_meta, rb_papers, rb_chunks, rb_term_df, rb_postings, rb_vectors, rb_generations, rb_schema_migrations CASCADE;
  DROP TABLE IF EXISTS rb_watches, rb_radar_generations, rb_radar_baseline, rb_announcements CASCADE;
  SELECT pg_advisory_unlock_all();
`;

/** The real server under test, when one is configured. Tests read no other environment. */
export function realServerUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

export async function startTestDatabase(): Promise<TestDatabase> {
  const real = realServerUrl();
  return real ? startOnServer(real) : startPglite();
}

async function startPglite(): Promise<TestDatabase> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 200 });
  await server.start();
  return {
    kind: 'pglite',
    url: `postgres://postgres:${TEST_DB_PASSWORD}@${server.getServerConn()}/postgres`,
    password: TEST_DB_PASSWORD,
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    async reset() {
      await db.exec(RESET_SQL);
    },
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

async function startOnServer(adminUrl: string): Promise<TestDatabase> {
  const name = `rb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  return {
    kind: 'postgres',
    url: url.toString(),
    password: decodeURIComponent(url.password),
    async query<T>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as T[];
    },
    async reset() {
      await client.query(RESET_SQL);
    },
    async close() {
      await client.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        // The code under test may still hold pooled connections for a moment after close().
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
