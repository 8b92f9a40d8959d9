/** Discord front end. The CLI needs serveBot / serveShards (DISCORD_SHARDS) and registerCommands. */
export { runBot, serveBot, type BotHandle, type BotOptions } from './bot.js';
export { registerCommands, commandData, type RegisterResult } from './register.js';
export { createDiscordClient, intentsFor, NO_MENTIONS } from './client.js';
export { FeedbackStore, type AnswerRecord, type VoteRecord } from './feedback.js';
export { serveShards, recommendedShardCount, type ShardOptions } from './shard.js';
export { startIndexRefresh, type IndexRefresher } from './refresh.js';
