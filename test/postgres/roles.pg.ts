/**
 * Real-server only (`npm run test:postgres`): what a non-superuser role sees. PGlite has one
 * superuser session and cannot model roles, so these run only against TEST_DATABASE_URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.js';
import { PostgresWriter } from '../../src/index/postgres/writer.js';
import { realServerUrl, startTestDatabase, type TestDatabase } from '../servers/postgres-server.js';

const ROLE = `rb_bot_${process.pid}`;
const ROLE_PASSWORD = 'role-Secret-77';
let withExtension: TestDatabase;
let withoutExtension: TestDatabase;
let root: string;

function asRole(db: TestDatabase): string {
  const u = new URL(db.url);
  u.username = ROLE;
  u.password = ROLE_PASSWORD;
  return u.toString();
}

beforeAll(async () => {
  if (!realServerUrl()) throw new Error('TEST_DATABASE_URL is not set: run these through `npm run test:postgres`');
  root = await mkdtemp(join(tmpdir(), 'rb-pg-roles-'));
  withExtension = await startTestDatabase();
  withoutExtension = await startTestDatabase();
  await withExtension.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE_PASSWORD}'`);
  await withoutExtension.query('DROP EXTENSION vector');
  for (const db of [withExtension, withoutExtension]) {
    const name = new URL(db.url).pathname.slice(1);
    await db.query(`GRANT ALL ON DATABASE ${name} TO ${ROLE}`);
    await db.query(`GRANT ALL ON SCHEMA public TO ${ROLE}`);
  }
});

afterAll(async () => {
  await withExtension?.close();
  await withoutExtension?.close();
  const admin = new pg.Client({ connectionString: realServerUrl() });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${ROLE}`).finally(() => admin.end());
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a non-superuser role on a real server', () => {
  it('works when an administrator already created the extension', async () => {
    const w = new PostgresWriter(asRole(withExtension));
    try {
      const release = await w.lock();
      await release();
      expect(await w.currentManifest()).toBeUndefined();
    } finally {
      await w.close();
    }
  });

  it('is told to ask for CREATE EXTENSION, not that the server lacks pgvector, and never sees the password', async () => {
    const w = new PostgresWriter(asRole(withoutExtension));
    let err: AppError | undefined;
    try {
      await w.lock();
    } catch (e) {
      err = e as AppError;
    } finally {
      await w.close();
    }
    expect(err?.code).toBe('STORE_UNAVAILABLE');
    expect(err?.userMessage).toMatch(/may not create it/);
    expect(err?.userMessage).toMatch(/CREATE EXTENSION vector in this database/);
    expect(err?.userMessage).not.toMatch(/server does not have the pgvector/);
    expect(err?.userMessage).not.toContain(ROLE_PASSWORD);
  });
});
