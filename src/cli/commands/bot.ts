import { createLogger } from '../../logger.js';
import type { Command } from '../types.js';

export const bot: Command = {
  summary: 'Run the Discord bot (builds the index first if it is missing; DISCORD_SHARDS for several processes).',
  usage: 'research-bot bot',
  options: {},
  async run({ config }) {
    // discord.js is loaded only here, so the other commands start fast.
    const { serveBot, serveShards } = await import('../../discord/index.js');
    const logger = createLogger({ level: config.logLevel ?? 'info' });
    // DISCORD_SHARDS=1 (default): one process; otherwise a ShardingManager with one child per shard.
    return config.discord.shards !== 1 ? serveShards(config, logger) : serveBot(config, logger);
  },
};
