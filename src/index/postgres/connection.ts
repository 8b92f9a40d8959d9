/**
 * Connections to the Postgres backend: pools, a password-free description of DATABASE_URL for
 * messages, and the mapping of driver errors to AppError.
 */
import pg from 'pg';
import { AppError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';

/** `postgres://user@host:port/db`: DATABASE_URL without its password (or anything after `?`). */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

// Driver / network failures and SQLSTATE classes that mean "the database is not usable from here".
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Any failure talking to Postgres as an AppError that names the database but never its password. */
export function storeError(err: unknown, url: string, doing: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = String(e?.message ?? err)
    .replace(/postgres(ql)?:\/\/[^\s'"]+/g, (m) => describeDatabase(m))
    .slice(0, 300);
  let hint = '';
  if (NETWORK_CODES.has(code) || code.startsWith('08') || /timeout|terminated|Connection/i.test(message))
    hint = ' Is the server running and DATABASE_URL right?';
  else if (code.startsWith('28')) hint = ' Check the user and password in DATABASE_URL.';
  else if (code === '3D000') hint = ' Create the database first (CREATE DATABASE ...).';
  else if (code === '42501') hint = ' The database user lacks a privilege research-bot needs.';
  return new AppError('STORE_UNAVAILABLE', `Postgres at ${describeDatabase(url)} failed while ${doing}: ${message}.${hint}`, {
    cause: err,
  });
}

export interface PoolOptions {
  max?: number;
  logger?: Logger;
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const logger = opts.logger ?? silentLogger;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 15_000,
    // A CLI command that never closes its store must still be able to exit.
    allowExitOnIdle: true,
    application_name: 'research-bot',
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn('postgres connection lost', { database: describeDatabase(url), err: err.message }));
  return pool;
}

export async function connectClient(url: string, logger: Logger = silentLogger): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000, application_name: 'research-bot' });
  client.on('error', (err) => logger.warn('postgres connection lost', { database: describeDatabase(url), err: err.message }));
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw storeError(err, url, 'connecting');
  }
  return client;
}

/** Run `fn` in a transaction on one pooled connection. */
export async function inTransaction<T>(pool: pg.Pool, begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
