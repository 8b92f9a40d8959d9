/**
 * Child process of one shard, forked by the ShardingManager in shard.ts. discord.js puts SHARDS
 * and SHARD_COUNT in this process's environment and the Client identifies with them; the
 * manager hands over its configuration in RESEARCH_BOT_SHARD_CONFIG (else it is loaded from the
 * environment and .env like the CLI does). Runs serveBot until asked to stop, then exits with
 * its code.
 */
import { EventEmitter } from 'node:events';
import { configUrlSecrets, loadConfig, type Config } from '../config.js';
import { isAppError } from '../errors.js';
import { createLogger, redact, registerSecret } from '../logger.js';
import { serveBot } from './bot.js';
import { SHARD_CONFIG_ENV } from './shard.js';

/** A repeat signal within this window is the same stop request (a Ctrl-C reaches the manager and every shard). */
const REPEAT_WINDOW_MS = 2000;

// Stop requests reach serveBot through this relay: real signals, and the manager going away.
// serveBot listens from the start of start-up (a stop then waits for the bot to be up and stops
// it cleanly); before serveBot is called there is nothing to finish: exit at once.
const relay = new EventEmitter();
let firstStopAt = 0;
const requestStop = (signal: NodeJS.Signals, fromManager: boolean) => {
  const now = Date.now();
  if (firstStopAt && (fromManager || now - firstStopAt < REPEAT_WINDOW_MS)) return;
  firstStopAt ||= now;
  if (!relay.emit(signal, signal)) process.exit(0);
};
process.on('SIGINT', () => requestStop('SIGINT', false));
process.on('SIGTERM', () => requestStop('SIGTERM', false));
// The manager died or closed the channel: nobody is left to respawn or stop this shard.
process.on('disconnect', () => requestStop('SIGTERM', true));
process.on('unhandledRejection', (reason, promise) => {
  if (!relay.emit('unhandledRejection', reason, promise))
    process.stderr.write(`${redact(`shard ${process.env.SHARDS}: unhandled rejection: ${String(reason)}`)}\n`);
});
process.on('uncaughtException', (err, origin) => {
  if (relay.emit('uncaughtException', err, origin)) return;
  process.stderr.write(`${redact(`shard ${process.env.SHARDS}: uncaught exception while starting: ${err?.stack ?? err}`)}\n`);
  process.exit(1);
});

const shardId = process.env.SHARDS ?? '?';
let config: Config;
try {
  const handed = process.env[SHARD_CONFIG_ENV];
  config = handed ? (JSON.parse(handed) as Config) : loadConfig();
} catch (err) {
  process.stderr.write(`shard ${shardId}: ${isAppError(err) ? err.userMessage : String(err)}\n`);
  process.exit(1);
}
registerSecret(config.discord.token);
registerSecret(config.openai.apiKey);
for (const secret of configUrlSecrets(config)) registerSecret(secret);
const logger = createLogger({ level: config.logLevel ?? 'info', base: { shard: Number(shardId) } });
// discord.js reports to the manager over IPC; once the manager is gone that must not crash the shard.
process.on('error', (err) => logger.debug('IPC channel error', { err }));

let code: number;
try {
  code = await serveBot(config, logger, { process: relay });
} catch (err) {
  logger.error('shard failed to start', {
    err,
    code: isAppError(err) ? err.code : undefined,
    message: isAppError(err) ? err.userMessage : undefined,
  });
  code = 1;
}
process.exit(code);
