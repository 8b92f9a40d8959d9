/**
 * The gateway bot: build the index if missing, open the retriever, chat model and feedback store,
 * wire the handlers, log in. `stop()` stops taking work, waits (bounded) for answers in flight,
 * flushes the feedback store and disconnects.
 */
import { Events, type Client, type ClientOptions } from 'discord.js';
import { createChatModel, type ChatModel } from '../answer/llm.js';
import { loadWordClasses } from '../answer/word-class.js';
import { loadWordVectors } from '../index/word-vectors.js';
import { registerSecrets, type Config } from '../config.js';
import { openRetriever } from '../context.js';
import { AppError } from '../errors.js';
import { runLifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { createDiscordClient, intentsFor } from './client.js';
import { commandMap } from './commands/index.js';
import { createBotContext, type BotContext } from './context.js';
import { FeedbackStore } from './feedback.js';
import { logProgress } from './services/reindex.js';
import { createInteractionHandler } from './interactions.js';
import { createMessageHandlers } from './messages.js';
import { startIndexRefresh, type IndexRefresher } from './refresh.js';
import { openRadarStore } from '../radar/open.js';
import { startRadar, type RadarAnnouncer } from './radar.js';

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
  /** Digests for watching channels after each new generation. */
  radar?: RadarAnnouncer;
  /** Stop accepting work, wait up to `timeoutMs` for answers in flight, flush, disconnect. Idempotent. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

/** The bot token, or CONFIG_INVALID saying where to get one. */
export function requireDiscordToken(config: Config): string {
  const token = config.discord.token;
  if (!token)
    throw new AppError(
      'CONFIG_INVALID',
      'DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications and put its token in .env.',
    );
  return token;
}

export async function runBot(config: Config, logger: Logger, opts: BotOptions = {}): Promise<BotHandle> {
  registerSecrets(config);
  const token = requireDiscordToken(config);

  const retriever = await openRetriever(config, { autoIngest: true, logger, progress: logProgress(logger, 'index') });
  // Loaded before the first interaction, whose 3-second deadline a first load would eat into.
  loadWordClasses();
  loadWordVectors();
  const chat = opts.chat === null ? undefined : (opts.chat ?? createChatModel(config));
  const store = await FeedbackStore.open(config.feedbackDir, logger);
  const radarStore = await openRadarStore(config, { logger }).catch(async (err: unknown) => {
    await store.close().catch(() => undefined);
    await retriever.store.close().catch(() => undefined);
    throw err;
  });
  const ctx = createBotContext({
    config,
    logger,
    retriever,
    chat,
    store,
    radar: radarStore,
    maxQueued: opts.maxQueued,
    queueWaitMs: opts.queueWaitMs,
  });
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
  // Messages are always handled: mentions and DMs need no privileged intent (typed follow-ups and Q&A channels do).
  const { onMessage, onThreadCreate } = createMessageHandlers(ctx);
  client.on(Events.MessageCreate, (m) => run('message', () => onMessage(m)));
  if (config.discord.qaChannelIds.length) client.on(Events.ThreadCreate, (t, isNew) => run('thread', () => onThreadCreate(t, isNew)));
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

  let readyTimer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    readyTimer = setTimeout(
      () => reject(new AppError('UPSTREAM', 'Timed out waiting for the Discord gateway to become ready.')),
      opts.readyTimeoutMs ?? 60_000,
    );
    client.once(Events.ClientReady, (c) => {
      clearTimeout(readyTimer);
      ctx.botUserId = c.user.id;
      logger.info('bot ready', { user: c.user.tag, userId: c.user.id, guilds: c.guilds.cache.size });
      resolve();
    });
  });
  try {
    // Both awaited together: a login that fails must not leave the ready timer to reject later,
    // unhandled, with nobody listening (that kept a failed start-up alive for a minute).
    await Promise.all([client.login(token), ready]);
  } catch (err) {
    clearTimeout(readyTimer);
    await client.destroy().catch(() => undefined);
    await store.close().catch(() => undefined);
    await radarStore.close().catch(() => undefined);
    await retriever.store.close().catch(() => undefined);
    throw discordStartError(err, config.discord.apiUrl);
  }

  // Pick up index generations made live by other processes (shards, other bots, `ingest`).
  const refreshMs = config.discord.indexRefreshMs;
  const refresher = refreshMs > 0 ? startIndexRefresh(ctx, { intervalMs: refreshMs }) : undefined;
  if (refresher) logger.debug('index refresh on', { everyMs: refreshMs, generation: retriever.store.generation });
  // A generation that went live while no bot was running (or whose digests a restart cut short) is announced now.
  const radar = startRadar(ctx, client, refreshMs);
  void radar?.check();

  let stopping: Promise<void> | undefined;
  const stop = (o: { timeoutMs?: number } = {}): Promise<void> =>
    (stopping ??= (async () => {
      ctx.stopping = true;
      await refresher?.stop();
      await radar?.stop();
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
      await radarStore.close().catch((err) => logger.error('closing the radar store failed', { err }));
      await client.destroy();
      // Releases a Postgres pool (its idle connections would keep the process alive).
      await ctx
        .retriever()
        .store.close()
        .catch((err) => logger.error('closing the index store failed', { err }));
      logger.info('bot stopped');
    })());

  return { client, context: ctx, refresher, radar, stop };
}

/**
 * Everything `research-bot bot` needs: run the bot until SIGINT/SIGTERM, shut down cleanly, and
 * resolve with the exit code (0 after a clean stop). Signals, bounds and exit codes are the
 * shared process lifecycle's (src/lifecycle.ts).
 */
export async function serveBot(
  config: Config,
  logger: Logger,
  opts: BotOptions & { shutdownTimeoutMs?: number; process?: NodeJS.EventEmitter; onReady?: (handle: BotHandle) => void } = {},
): Promise<number> {
  return runLifecycle(
    async () => {
      const handle = await runBot(config, logger, opts);
      return { handle, stop: () => handle.stop({ timeoutMs: opts.shutdownTimeoutMs }).then(() => 0) };
    },
    { logger, process: opts.process, onStarted: (s) => opts.onReady?.(s.handle) },
  );
}

/** A failed login (or other start-up call to Discord) as one clear error: a rejected token is configuration, anything else is Discord's side or the network. */
export function discordStartError(err: unknown, apiUrl: string | undefined, what = 'log in to Discord'): AppError {
  if (err instanceof AppError) return err;
  const e = err as { status?: number; code?: string; cause?: { code?: string } };
  if (e.code === 'TokenInvalid' || e.status === 401)
    return new AppError('CONFIG_INVALID', 'Discord rejected DISCORD_TOKEN. Check the bot token.', { cause: err });
  // Gateway close 4014; @discordjs/ws reports it only by its message.
  if (e.code === 'DisallowedIntents' || /disallowed intents/i.test(String((err as Error)?.message)))
    return new AppError(
      'CONFIG_INVALID',
      'Discord refused the Message Content intent: enable it for the bot in the Developer Portal, ' +
        'or set THREAD_FOLLOWUPS=false and leave QA_CHANNEL_IDS empty.',
      { cause: err },
    );
  // The host only: a URL can carry credentials.
  const where = apiUrl && URL.canParse(apiUrl) ? `the Discord API at ${new URL(apiUrl).host}` : 'the Discord API';
  const why = e.cause?.code ?? (e.status ? `HTTP ${e.status}` : e.code) ?? (err as Error)?.message ?? 'unknown error';
  return new AppError('UPSTREAM', `Could not ${what}: ${where} failed (${String(why).slice(0, 80)}).`, { cause: err });
}
