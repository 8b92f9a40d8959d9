/** The two index backends behind one test interface, for the shared store contract. */
import { readdir } from 'node:fs/promises';
import { VectraWriter } from '../../src/index/ingest.js';
import { PostgresStore } from '../../src/index/postgres/store.js';
import { PostgresWriter, type PostgresWriterOptions } from '../../src/index/postgres/writer.js';
import type { GenerationWriter, SearchStore } from '../../src/index/search-store.js';
import { IndexStore, readCurrentGeneration } from '../../src/index/store.js';
import { startTestDatabase, type TestDatabase } from '../servers/postgres-server.js';

/** One empty store. `indexDir` always holds the embedding cache (and, for vectra, the index). */
export interface StoreHandle {
  indexDir: string;
  /** A new writer (the caller closes it). */
  writer(opts?: PostgresWriterOptions): GenerationWriter;
  /** Open the live generation. */
  open(): Promise<SearchStore>;
  /** The live generation's name, if any. */
  live(): Promise<string | undefined>;
  /** Every generation with something stored, live or left over. */
  generations(): Promise<string[]>;
}

export interface StoreBackend {
  kind: 'vectra' | 'postgres';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A fresh, empty store. */
  fresh(indexDir: string): Promise<StoreHandle>;
}

export function vectraBackend(): StoreBackend {
  return {
    kind: 'vectra',
    async start() {},
    async stop() {},
    async fresh(indexDir) {
      return {
        indexDir,
        writer: () => new VectraWriter(indexDir),
        open: () => IndexStore.open(indexDir),
        live: () => readCurrentGeneration(indexDir),
        async generations() {
          const names = await readdir(indexDir).catch(() => [] as string[]);
          return names.filter((n) => n.startsWith('gen-')).sort();
        },
      };
    },
  };
}

/** start() is idempotent and stop() keeps the database for other suites; shutdown() ends it. */
export function postgresBackend(): StoreBackend & { db(): TestDatabase; shutdown(): Promise<void> } {
  let db: TestDatabase | undefined;
  const need = () => {
    if (!db) throw new Error('postgres backend not started');
    return db;
  };
  return {
    kind: 'postgres',
    db: need,
    async start() {
      db ??= await startTestDatabase();
    },
    async stop() {},
    async shutdown() {
      await db?.close();
      db = undefined;
    },
    async fresh(indexDir) {
      const d = need();
      await d.reset();
      return {
        indexDir,
        writer: (opts) => new PostgresWriter(d.url, opts),
        open: () => PostgresStore.open({ databaseUrl: d.url, refreshIntervalMs: 0 }),
        async live() {
          const exists = await d.query<{ t: string | null }>(`SELECT to_regclass('rb_meta')::text AS t`);
          if (!exists[0].t) return undefined;
          return (await d.query<{ generation: string }>('SELECT generation FROM rb_meta'))[0]?.generation;
        },
        async generations() {
          const exists = await d.query<{ t: string | null }>(`SELECT to_regclass('rb_generations')::text AS t`);
          if (!exists[0].t) return [];
          const rows = await d.query<{ generation: string }>(
            `SELECT generation FROM rb_generations UNION SELECT generation FROM rb_papers
             UNION SELECT generation FROM rb_chunks UNION SELECT generation FROM rb_term_df ORDER BY 1`,
          );
          return rows.map((r) => r.generation);
        },
      };
    },
  };
}
