/**
 * A real Postgres wire-protocol server for tests: PGlite (Postgres compiled to WASM, with
 * pgvector) served on 127.0.0.1 by pglite-socket, so the production `pg` code path is exercised.
 * PGlite is one session behind a multiplexer: session state (advisory locks, SET) is shared by
 * every connection, and statements from different connections never run concurrently.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface TestDatabase {
  /** postgres:// URL (with a password, which PGlite ignores) for the code under test. */
  url: string;
  /** Direct queries (not through the socket), for assertions. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drop everything research-bot created, as for a fresh database. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_DB_PASSWORD = 'pg-test-Secret-42';

export async function startTestDatabase(): Promise<TestDatabase> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 200 });
  await server.start();
  const url = `postgres://postgres:${TEST_DB_PASSWORD}@${server.getServerConn()}/postgres`;
  return {
    url,
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    async reset() {
      await db.exec(`
        DROP TABLE IF EXISTS rb_meta, rb_papers, rb_chunks, rb_term_df, rb_generations, rb_schema_migrations CASCADE;
        SELECT pg_advisory_unlock_all();
      `);
    },
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
