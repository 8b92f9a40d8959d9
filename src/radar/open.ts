/** The radar store for the configured index store: files next to the index, or Postgres tables. */
import type { Config } from '../config.js';
import { requireDatabaseUrl } from '../context.js';
import { silentLogger, type Logger } from '../logger.js';
import { FileRadarStore } from './file-store.js';
import type { RadarStore } from './types.js';

export async function openRadarStore(config: Config, opts: { logger?: Logger; indexDir?: string } = {}): Promise<RadarStore> {
  if (config.store !== 'postgres') return new FileRadarStore(opts.indexDir ?? config.indexDir);
  const { PostgresRadarStore } = await import('./postgres-store.js');
  return PostgresRadarStore.open(requireDatabaseUrl(config), opts.logger ?? silentLogger);
}
