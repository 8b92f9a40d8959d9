/** Discord front end. The CLI needs runBot, installShutdownHandlers and registerCommands. */
export { runBot, serveBot, installShutdownHandlers, type BotHandle, type BotOptions } from './bot.js';
export { registerCommands, commandData, type RegisterResult } from './register.js';
export { createDiscordClient, intentsFor, NO_MENTIONS } from './client.js';
export { FeedbackStore, type AnswerRecord, type VoteRecord } from './feedback.js';
export * as handlers from './handlers.js';
