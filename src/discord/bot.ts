/**
 * The gateway bot: build the index if missing, open the retriever, chat model and feedback store,
 * wire the handlers, log in. `stop()` stops taking work, waits (bounded) for answers in flight,
 * flushes the feedback store and disconnects.
 */
import { Events, type Client, type ClientOptions } from 'discord.js';
import { createChatModel, type ChatModel } from '../answer/llm.js';
import { configUrlSecrets, type Config } from '../config.js';
import { openRetriever } from '../context.js';
import { AppError } from '../errors.js';
import { registerSecret, type Logger } from '../logger.js';
import { createDiscordClient, intentsFor, wantsMessages } from './client.js';
import { commandMap } from './commands/index.js';
import { createBotContext, type BotContext } from './context.js';
import { FeedbackStore } from './feedback.js';
import { logProgress } from './handlers.js';
import { createInteractionHandler } from './interactions.js';
import { createMessageHandlers } from './messages.js';
import { startIndexRefresh, type IndexRefresher } from './refresh.js';

export interface BotOptions {
  /** Override the chat model (null = offline even if CHAT_MODEL is set). */
  chat?: ChatModel | null;
  /** Extra discord.js client options (tests). */
  clientOptions?: Partial<ClientOptions>;
  /** How long to wait for the gateway READY. Default 60 s. */
  readyTimeoutMs?: number;
  /** Answers allowed to wait behind the concurrency cap. Default 4 × MAX_CONCURRENT_MODEL_CALLS. */
  maxQueued?: number;
  /** How long a queued answer may wait for a slot. Default 60 s. */
  queueWaitMs?: number;
}

export interface BotHandle {
  client: Client;
  context: BotContext;
  /** Cross-process index refresh (INDEX_REFRESH_SECONDS); undefined when disabled. */
  refresher?: IndexRefresher;
  /** Stop accepting work, wait up to `timeoutMs` for answers in flight, flush, disconnect. Idempotent. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

export async function runBot(config: Config, logger: Logger, opts: BotOptions = {}): Promise<BotHandle> {
  registerSecret(config.discord.token);
  registerSecret(config.openai.apiKey);
  for (const secret of configUrlSecrets(config)) registerSecret(secret);
  const token = config.discord.token;
  if (!token)
    throw new AppError(
      'CONFIG_INVALID',
      'DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications and put its token in .env.',
    );

  const retriever = await openRetriever(config, { autoIngest: true, logger, progress: logProgress(logger, 'index') });
  const chat = opts.chat === null ? undefined : (opts.chat ?? createChatModel(config));
  const store = await FeedbackStore.open(config.feedbackDir, logger);
  const ctx = createBotContext({ config, logger, retriever, chat, store, maxQueued: opts.maxQueued, queueWaitMs: opts.queueWaitMs });
  logger.info('bot starting', {
    papers: retriever.store.papers.length,
    retrieval: retriever.mode,
    chatModel: chat?.model ?? 'offline',
    threadFollowups: config.discord.threadFollowups,
    qaChannels: config.discord.qaChannelIds.length,
    intents: intentsFor(config).length,
  });

  const client = createDiscordClient(config, opts.clientOptions);
  const onInteraction = createInteractionHandler(ctx, commandMap());
  // Every handler is tracked (for shutdown) and can never leak a rejection.
  const run = (what: string, work: () => Promise<void>) => {
    void ctx.track(work()).catch((err) => logger.error(`${what} handler failed`, { err }));
  };
  client.on(Events.InteractionCreate, (i) => run('interaction', () => onInteraction(i)));
  if (wantsMessages(config)) {
    const { onMessage, onThreadCreate } = createMessageHandlers(ctx);
    client.on(Events.MessageCreate, (m) => run('message', () => onMessage(m)));
    if (config.discord.qaChannelIds.length) client.on(Events.ThreadCreate, (t, isNew) => run('thread', () => onThreadCreate(t, isNew)));
  }
  client.on(Events.Error, (err) => logger.error('discord client error', { err }));
  client.on(Events.ShardError, (err, shardId) => logger.error('gateway connection error', { shardId, err }));
  client.on(Events.Warn, (message) => logger.warn('discord warning', { message }));
  client.on(Events.ShardDisconnect, (ev, shardId) => logger.warn('gateway disconnected', { shardId, code: ev.code }));
  client.on(Events.ShardReconnecting, (shardId) => logger.info('gateway reconnecting', { shardId }));
  client.on(Events.ShardResume, (shardId, replayed) => logger.info('gateway resumed', { shardId, replayed }));
  client.on(Events.Invalidated, () => logger.error('gateway session invalidated'));
  client.rest.on('rateLimited', (info) =>
    logger.warn('discord rate limit', { route: info.route, retryAfterMs: info.retryAfter, global: info.global, scope: info.scope }),
  );

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AppError('INTERNAL', 'Timed out waiting for the Discord gateway to become ready.')),
      opts.readyTimeoutMs ?? 60_000,
    );
    client.once(Events.ClientReady, (c) => {
      clearTimeout(timer);
      ctx.botUserId = c.user.id;
      logger.info('bot ready', { user: c.user.tag, userId: c.user.id, guilds: c.guilds.cache.size });
      resolve();
    });
  });
  try {
    await client.login(token);
    await ready;
  } catch (err) {
    await client.destroy().catch(() => undefined);
    await store.close().catch(() => undefined);
    await retriever.store.close().catch(() => undefined);
    const status = (err as { status?: number; code?: string }).code;
    if (status === 'TokenInvalid' || (err as { status?: number }).status === 401) {
      throw new AppError('CONFIG_INVALID', 'Discord rejected DISCORD_TOKEN. Check the bot token.', { cause: err });
    }
    throw err;
  }

  // Pick up index generations made live by other processes (shards, other bots, `ingest`).
  const refreshMs = config.discord.indexRefreshMs;
  const refresher = refreshMs > 0 ? startIndexRefresh(ctx, { intervalMs: refreshMs }) : undefined;
  if (refresher) logger.debug('index refresh on', { everyMs: refreshMs, generation: retriever.store.generation });

  let stopping: Promise<void> | undefined;
  const stop = (o: { timeoutMs?: number } = {}): Promise<void> =>
    (stopping ??= (async () => {
      ctx.stopping = true;
      await refresher?.stop();
      const timeoutMs = o.timeoutMs ?? 10_000;
      logger.info('bot stopping', { inFlight: ctx.inFlight(), timeoutMs });
      let drained = await ctx.drain(timeoutMs);
      if (!drained) {
        // Cut model calls short: those answers finish quickly as extractive digests and still land.
        logger.warn('answers still in flight at the shutdown bound: cancelling model calls', { left: ctx.inFlight() });
        ctx.shutdown.abort();
        drained = await ctx.drain(Math.min(5000, Math.max(1000, timeoutMs / 2)));
        if (!drained) logger.warn('stopped waiting for work in flight', { left: ctx.inFlight() });
      }
      await store.flush().catch((err) => logger.error('flushing the feedback store failed', { err }));
      await store.close().catch((err) => logger.error('closing the feedback store failed', { err }));
      await client.destroy();
      // Releases a Postgres pool (its idle connections would keep the process alive).
      await ctx
        .retriever()
        .store.close()
        .catch((err) => logger.error('closing the index store failed', { err }));
      logger.info('bot stopped');
    })());

  return { client, context: ctx, refresher, stop };
}

/**
 * For the CLI: SIGINT/SIGTERM stop the bot cleanly (a second signal exits at once), and stray
 * rejections are logged instead of killing the process. Returns a function that removes the hooks.
 */
export function installShutdownHandlers(
  handle: Pick<BotHandle, 'stop'>,
  logger: Logger,
  opts: { exit?: (code: number) => void; timeoutMs?: number; process?: NodeJS.EventEmitter } = {},
): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const proc = opts.process ?? process;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn('second signal: exiting now', { signal });
      exit(1);
      return;
    }
    signalled = true;
    logger.info('signal received: shutting down', { signal });
    handle.stop({ timeoutMs: opts.timeoutMs }).then(
      () => exit(0),
      (err) => {
        logger.error('shutdown failed', { err });
        exit(1);
      },
    );
  };
  const onRejection = (reason: unknown) => logger.error('unhandled promise rejection (kept running)', { err: reason });
  const onException = (err: Error) => {
    logger.error('uncaught exception: shutting down', { err });
    if (!signalled) {
      signalled = true;
      handle.stop({ timeoutMs: opts.timeoutMs }).finally(() => exit(1));
    }
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('SIGINT', onSignal);
    proc.off('SIGTERM', onSignal);
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}

/**
 * Everything `research-bot bot` needs: run the bot until SIGINT/SIGTERM, shut down cleanly, and
 * resolve with the exit code (0 after a clean stop) instead of calling process.exit.
 */
export async function serveBot(
  config: Config,
  logger: Logger,
  opts: BotOptions & { shutdownTimeoutMs?: number; process?: NodeJS.EventEmitter; onReady?: (handle: BotHandle) => void } = {},
): Promise<number> {
  // A signal that arrives while the bot is still starting (logging in, loading the index) is
  // kept and honoured with a clean stop once it is up; a second one exits at once, as later.
  const proc = opts.process ?? process;
  let early: NodeJS.Signals | undefined;
  const onEarly = (signal: NodeJS.Signals) => {
    if (early) {
      logger.warn('second signal while starting: exiting now', { signal });
      process.exit(1);
    }
    early = signal;
    logger.info('signal received while starting: stopping once started', { signal });
  };
  proc.on('SIGINT', onEarly);
  proc.on('SIGTERM', onEarly);
  let handle: BotHandle;
  try {
    handle = await runBot(config, logger, opts);
  } finally {
    proc.off('SIGINT', onEarly);
    proc.off('SIGTERM', onEarly);
  }
  return new Promise<number>((resolve) => {
    const remove = installShutdownHandlers(handle, logger, {
      timeoutMs: opts.shutdownTimeoutMs,
      process: proc,
      exit: (code) => {
        remove();
        resolve(code);
      },
    });
    opts.onReady?.(handle);
    if (early) proc.emit(early, early);
  });
}
