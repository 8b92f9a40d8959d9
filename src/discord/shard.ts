/**
 * Sharding: one bot process per gateway shard under discord.js' ShardingManager.
 *
 * The manager builds the index first if it is missing (so shards never race for the ingest
 * lock), resolves the shard count (DISCORD_SHARDS, or Discord's recommendation for 'auto', asked
 * through DISCORD_API_URL like every other REST call), then forks one child per shard running
 * shard-entry.js. discord.js sets SHARDS / SHARD_COUNT in each child's environment and the
 * child's Client identifies with them. Shards that die are respawned (a shard that keeps dying
 * stops everything with exit code 1).
 *
 * Shutdown: SIGINT/SIGTERM to the manager is forwarded to every shard (a shard ignores a repeat
 * within 2 s, so a Ctrl-C that reached the whole process group and the forwarded copy count
 * once); each shard stops cleanly (answers in flight, feedback flush) and exits; the manager
 * resolves with 0 once all have exited with 0. A second signal to the manager kills the shards.
 * A shard whose manager disappears stops by itself.
 *
 * A /reindex in one shard becomes visible to the others through INDEX_REFRESH_SECONDS.
 */
import type { ChildProcess } from 'node:child_process';
import { REST, Routes, ShardingManager, type Shard } from 'discord.js';
import { handConfigToChildren, registerSecrets, type Config } from '../config.js';
import { runIngest, storeHasIndex } from '../context.js';
import { AppError } from '../errors.js';
import { runLifecycle, siblingModule, type Service } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { discordStartError, requireDiscordToken } from './bot.js';
import { logProgress } from './services/reindex.js';

export interface ShardOptions {
  /** Where SIGINT/SIGTERM come from (tests); default: the process. */
  process?: NodeJS.EventEmitter;
  /** Pause between spawning two shards (Discord allows one IDENTIFY per ~5 s per bucket). Default 5500 ms. */
  spawnDelayMs?: number;
  /** How long a shard may take to log in and become ready. Default 120 s. */
  readyTimeoutMs?: number;
  /** How long shards get to stop cleanly before they are killed. Default 30 s (each shard bounds its own drain at ~15 s). */
  killAfterMs?: number;
  /** A shard that exits this many times within `crashWindowMs` stops everything. Default 5 in 60 s. */
  maxRestarts?: number;
  crashWindowMs?: number;
  /** Called once every shard is ready. */
  onReady?: (manager: ShardingManager) => void;
}

/** The compiled shard entry next to this file; from the TypeScript sources, the .ts file run through tsx. */
export function shardEntry(): { file: string; execArgv: string[] } {
  const passOn = process.execArgv.filter((a) => a === '--enable-source-maps' || a.startsWith('--max-old-space-size'));
  const { file, tsx } = siblingModule(import.meta.url, 'shard-entry');
  return { file, execArgv: tsx ? [...passOn, '--import', tsx('tsx')] : passOn };
}

/** GET /gateway/bot through the configured API base: the recommended shard count (and a token check). */
export async function recommendedShardCount(config: Config): Promise<number> {
  const rest = new REST({ ...(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}), retries: 1, timeout: 15_000 }).setToken(
    config.discord.token ?? '',
  );
  try {
    const body = (await rest.get(Routes.gatewayBot())) as { shards?: unknown };
    const shards = Number(body.shards);
    if (!Number.isInteger(shards) || shards < 1)
      throw new AppError(
        'UPSTREAM',
        `Discord's /gateway/bot returned no usable shard count (${JSON.stringify(body.shards).slice(0, 40)}).`,
      );
    return shards;
  } catch (err) {
    throw discordStartError(err, config.discord.apiUrl, 'ask Discord for the recommended shard count');
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

/**
 * Run the bot as `config.discord.shards` shard processes until SIGINT/SIGTERM; resolves with the
 * exit code (0 after every shard stopped cleanly) instead of calling process.exit. Signals and
 * bounds are the shared process lifecycle's (src/lifecycle.ts).
 */
export async function serveShards(config: Config, logger: Logger, opts: ShardOptions = {}): Promise<number> {
  registerSecrets(config);
  const token = requireDiscordToken(config);
  return runLifecycle(() => startShards(config, token, logger, opts), { logger, process: opts.process, stopBoundMs: STOP_BOUND_MS });
}

/** Past the shards' own bound (killAfterMs, then SIGKILL and 5 s). */
const STOP_BOUND_MS = 45_000;

async function startShards(config: Config, token: string, logger: Logger, opts: ShardOptions): Promise<Service> {
  // One process builds a missing index; the shards then only open it.
  if (!(await storeHasIndex(config, logger))) {
    logger.info('no index yet: building it from the corpus before starting the shards', {
      corpusDir: config.corpusDir,
      store: config.store,
      indexDir: config.indexDir,
    });
    await runIngest(config, { logger, progress: logProgress(logger, 'index') });
  }

  let totalShards: number;
  if (config.discord.shards === 'auto') {
    totalShards = await recommendedShardCount(config);
    logger.info('shard count from Discord', { shards: totalShards });
  } else {
    totalShards = config.discord.shards;
    const recommended = await recommendedShardCount(config).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'CONFIG_INVALID') throw err;
      logger.warn('could not ask Discord for its recommended shard count', { err });
      return undefined;
    });
    if (recommended !== undefined && recommended > totalShards) {
      logger.warn('DISCORD_SHARDS is below the shard count Discord recommends', { shards: totalShards, recommended });
    }
  }

  const { file, execArgv } = shardEntry();
  const manager = new ShardingManager(file, { totalShards, token, respawn: true, mode: 'process', execArgv, shardArgs: [] });

  const live = new Set<ChildProcess>();
  const deaths = new Map<number, number[]>();
  const maxRestarts = opts.maxRestarts ?? 5;
  const crashWindowMs = opts.crashWindowMs ?? 60_000;
  let stopping: Promise<number> | undefined;
  let failed = false;
  let emptied: (() => void) | undefined;
  let endWith!: { resolve: (code: number) => void; reject: (err: unknown) => void };
  const ended = new Promise<number>((resolve, reject) => (endWith = { resolve, reject }));

  const waitForExits = (ms: number): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      if (live.size === 0) return resolve(true);
      const timer = setTimeout(() => resolve(live.size === 0), ms);
      emptied = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });

  const shutdown = (reason: string, code = 0, signal: NodeJS.Signals = 'SIGTERM'): Promise<number> =>
    (stopping ??= (async () => {
      manager.respawn = false;
      logger.info('stopping shards', { reason, running: live.size });
      for (const child of live) child.kill(signal);
      if (!(await waitForExits(opts.killAfterMs ?? 30_000))) {
        logger.error('shards did not stop in time: killing them', { left: live.size });
        failed = true;
        for (const child of live) child.kill('SIGKILL');
        await waitForExits(5000);
      }
      const exitCode = code || (failed ? 1 : 0);
      logger.info('all shards stopped', { code: exitCode });
      return exitCode;
    })());

  const onShardExit = (shard: Shard, child: ChildProcess, exitCode: number | null, signal: NodeJS.Signals | null) => {
    live.delete(child);
    if (stopping) {
      if (exitCode !== 0) failed = true;
      logger.info('shard stopped', { shard: shard.id, code: exitCode, signal });
      if (live.size === 0) emptied?.();
      return;
    }
    const now = Date.now();
    const recent = (deaths.get(shard.id) ?? []).filter((t) => now - t < crashWindowMs);
    recent.push(now);
    deaths.set(shard.id, recent);
    if (recent.length >= maxRestarts) {
      logger.error('shard keeps exiting: stopping all shards', {
        shard: shard.id,
        code: exitCode,
        signal,
        exits: recent.length,
        windowMs: crashWindowMs,
      });
      void shutdown('crash loop', 1).then(endWith.resolve);
      return;
    }
    logger.warn('shard exited: respawning it', { shard: shard.id, code: exitCode, signal });
  };

  manager.on('shardCreate', (shard: Shard) => {
    shard.on('spawn', (spawned) => {
      const child = spawned as ChildProcess; // mode 'process'
      live.add(child);
      logger.info('shard process started', { shard: shard.id, of: totalShards, pid: child.pid });
      // Spawned while stopping (the spawn loop was still running): it has nothing to finish yet.
      if (stopping) child.kill('SIGTERM');
      child.once('exit', (code, signal) => onShardExit(shard, child, code, signal));
    });
    shard.on('ready', () => logger.info('shard ready', { shard: shard.id, of: totalShards }));
    shard.on('disconnect', () => {
      if (!stopping) logger.warn('shard disconnected from the gateway', { shard: shard.id });
    });
    shard.on('reconnecting', () => {
      if (!stopping) logger.info('shard reconnecting', { shard: shard.id });
    });
    // Emitted when a respawn fails; without a listener it would throw.
    shard.on('error', (err: unknown) => logger.error('shard error', { shard: shard.id, err }));
  });

  logger.info('starting shards', { shards: totalShards, entry: file });
  // Each shard copies the environment when it is created (and reuses that copy when respawned):
  // hand them exactly this configuration rather than letting each re-read it. Spawning runs in
  // the background, so a stop request during the (5.5 s per shard) start-up is acted on at once.
  const stopHanding = handConfigToChildren(config);
  manager
    .spawn({ amount: totalShards, delay: opts.spawnDelayMs ?? 5500, timeout: opts.readyTimeoutMs ?? 120_000 })
    .then(
      () => {
        if (stopping) return;
        logger.info('all shards ready', { shards: totalShards });
        opts.onReady?.(manager);
      },
      async (err: unknown) => {
        if (stopping) return;
        logger.error('a shard did not start: stopping all shards', { err });
        await shutdown('startup failed', 1);
        endWith.reject(
          new AppError('UPSTREAM', `A shard did not start (${(err as Error)?.message ?? err}); see its log above.`, { cause: err }),
        );
      },
    )
    .finally(stopHanding);

  return {
    stop: (reason, signal) => shutdown(reason, 0, signal),
    ended,
    abort: () => {
      logger.warn('killing the shards now', { running: live.size });
      manager.respawn = false;
      for (const child of live) child.kill('SIGKILL');
    },
  };
}
