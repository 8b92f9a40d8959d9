import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openRadarStore } from './open.js';

/**
 * After an ingest: record what the live generation brought, so digests know it even when no bot
 * is running. Never fails the ingest (the bot records it too when it notices the generation).
 */
export async function noteIngest(config: Config, indexDir: string, logger: Logger): Promise<void> {
  try {
    const radar = await openRadarStore(config, { logger, indexDir });
    try {
      const rec = await radar.noteLiveGeneration();
      if (rec) logger.debug('radar: generation recorded', { generation: rec.generation, newPapers: rec.newPaperIds.length });
    } finally {
      await radar.close();
    }
  } catch (err) {
    logger.warn('could not record the new papers of this ingest for digests', { err });
  }
}
