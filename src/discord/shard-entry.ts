/**
 * Child process of one shard, forked by the ShardingManager in shard.ts. discord.js puts SHARDS
 * and SHARD_COUNT in this process's environment and the Client identifies with them; the
 * configuration is the one the manager handed over (validated by config.ts's schema), else the
 * environment and .env like the CLI. Runs serveBot (the shared process lifecycle) until asked to
 * stop, then exits with its code.
 */
import { EventEmitter } from 'node:events';
import { loadHandedConfig, registerSecrets, shardProcessId, type Config } from '../config.js';
import { describeFailure } from '../errors.js';
import { createLogger } from '../logger.js';
import { serveBot } from './bot.js';

/** A repeat signal within this window is the same stop request (a Ctrl-C reaches the manager and every shard). */
const REPEAT_WINDOW_MS = 2000;

const shardId = shardProcessId();
let config: Config;
try {
  config = loadHandedConfig();
} catch (err) {
  const f = describeFailure(err);
  process.stderr.write(`shard ${shardId ?? '?'}: error [${f.code}]: ${f.userText}\n`);
  process.exit(1);
}
registerSecrets(config);
const logger = createLogger({ level: config.logLevel ?? 'info', base: { shard: shardId } });

// Stop requests and process errors reach the lifecycle through this relay: signals (a repeat
// within the window counts once), and the manager going away. Until serveBot listens there is
// nothing to finish: exit at once.
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
  if (!relay.emit('unhandledRejection', reason, promise)) logger.error('unhandled promise rejection', { err: reason });
});
process.on('uncaughtException', (err, origin) => {
  if (relay.emit('uncaughtException', err, origin)) return;
  logger.error('uncaught exception', { err });
  process.exit(1);
});
// discord.js reports to the manager over IPC; once the manager is gone that must not crash the shard.
process.on('error', (err) => logger.debug('IPC channel error', { err }));

let code: number;
try {
  code = await serveBot(config, logger, { process: relay });
} catch (err) {
  const f = describeFailure(err);
  logger.error('shard failed to start', { err, code: f.code, message: f.userText });
  code = 1;
}
process.exit(code);
