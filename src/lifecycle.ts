/**
 * The one process lifecycle of every long-running entry point (`research-bot bot`, the shard
 * manager, each shard process):
 *
 *  - SIGINT/SIGTERM ask the service to stop: it stops taking work and finishes what is in flight
 *    (the service bounds its own drain); a stop that still has not finished after `stopBoundMs`
 *    is given up on with exit code 1, so the process never hangs on the way out.
 *  - A signal that arrives while the service is still starting is kept and honoured once it is up
 *    (nothing is half-started when it stops); a second signal at any time exits at once with 1
 *    after `abort()` (e.g. SIGKILL to child processes).
 *  - An uncaught exception stops the service and exits 1; an unhandled rejection is logged and
 *    the service keeps running (one failed handler must not take the bot down).
 *  - A start-up failure rejects, so the caller prints one line; nothing stays registered.
 *  - A service that ends on its own (`ended`) ends the lifecycle with its code or its error.
 *
 * Resolves with the exit code instead of calling process.exit, except for the second signal.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from './logger.js';

export interface Service {
  /** Stop taking work, finish (bounded) what is in flight, release everything; resolves with the exit code. */
  stop(reason: string, signal?: NodeJS.Signals): Promise<number>;
  /**
   * Settles when the service ended on its own: resolves with the exit code (e.g. a shard crash
   * loop), or rejects with an error for the caller to report once the service has been stopped.
   */
  ended?: Promise<number>;
  /** A second stop request: tear down at once, synchronously (the process exits right after). */
  abort?(): void;
}

export interface LifecycleOptions<S extends Service> {
  logger: Logger;
  /** Where signals and process-level errors come from; default: the process (tests pass an emitter). */
  process?: NodeJS.EventEmitter;
  /** How a second signal ends the process; default process.exit. */
  exitNow?: (code: number) => void;
  /** Upper bound for `stop()`; default 60 s. */
  stopBoundMs?: number;
  /** Called once the service is up (before an early signal is honoured). */
  onStarted?: (service: S) => void;
}

export const DEFAULT_STOP_BOUND_MS = 60_000;

export async function runLifecycle<S extends Service>(start: () => Promise<S>, opts: LifecycleOptions<S>): Promise<number> {
  const { logger } = opts;
  const proc = opts.process ?? process;
  const exitNow = opts.exitNow ?? ((code: number) => process.exit(code));
  let service: S | undefined;
  let stopping = false;
  let early: NodeJS.Signals | undefined;
  let requestStop: ((reason: string, code: number, signal?: NodeJS.Signals) => void) | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping || early) {
      logger.warn('second signal: exiting now', { signal });
      service?.abort?.();
      exitNow(1);
      return;
    }
    if (!requestStop) {
      early = signal;
      logger.info('signal received while starting: stopping once started', { signal });
      return;
    }
    logger.info('signal received: shutting down', { signal });
    requestStop(`signal ${signal}`, 0, signal);
  };
  const onRejection = (reason: unknown) => logger.error('unhandled promise rejection (kept running)', { err: reason });
  const onException = (err: unknown) => {
    if (!requestStop) {
      // Nothing is up yet to stop cleanly.
      logger.error('uncaught exception while starting: exiting', { err });
      exitNow(1);
      return;
    }
    logger.error('uncaught exception: shutting down', { err });
    requestStop('uncaught exception', 1);
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  const removeHooks = () => {
    proc.off('SIGINT', onSignal);
    proc.off('SIGTERM', onSignal);
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };

  try {
    service = await start();
  } catch (err) {
    removeHooks();
    throw err;
  }
  const s = service;
  let failure: unknown;
  try {
    const code = await new Promise<number>((resolve) => {
      const stopBoundMs = opts.stopBoundMs ?? DEFAULT_STOP_BOUND_MS;
      requestStop = (reason, code, signal) => {
        if (stopping) return;
        stopping = true;
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<number>((r) => {
          timer = setTimeout(() => {
            logger.error('shutdown did not finish in time: giving up', { reason, boundMs: stopBoundMs });
            r(1);
          }, stopBoundMs);
          timer.unref?.();
        });
        const stopped = s.stop(reason, signal).then(
          (c) => c || code,
          (err) => {
            logger.error('shutdown failed', { err });
            return 1;
          },
        );
        void Promise.race([stopped, bound]).then((c) => {
          clearTimeout(timer);
          resolve(c);
        });
      };
      s.ended?.then(
        (code) => {
          if (stopping) return;
          stopping = true;
          resolve(code);
        },
        (err) => {
          // Stopped for a reason the caller should print: stop, then reject with it.
          failure = err;
          requestStop?.('service failed', 1);
        },
      );
      opts.onStarted?.(s);
      if (early) requestStop(`signal ${early}`, 0, early);
    });
    if (failure !== undefined) throw failure;
    return code;
  } finally {
    removeHooks();
  }
}

/**
 * A module next to `here` (an import.meta.url) to run in another process or worker thread:
 * compiled, the .js file; from the TypeScript sources (tsx, vitest), the .ts file, which needs
 * tsx's loader registered there first (`tsx`, resolved from `here`, names it).
 */
export function siblingModule(here: string, name: string): { file: string; tsx?: (specifier: 'tsx' | 'tsx/esm/api') => string } {
  if (!here.endsWith('.ts')) return { file: fileURLToPath(new URL(`./${name}.js`, here)) };
  const require = createRequire(fileURLToPath(here));
  return {
    file: fileURLToPath(new URL(`./${name}.ts`, here)),
    tsx: (specifier) => {
      const path = require.resolve(specifier);
      // A worker imports the ESM build of tsx's API; `--import tsx` takes the package entry as is.
      return pathToFileURL(specifier === 'tsx/esm/api' ? path.replace(/\.cjs$/, '.mjs') : path).href;
    },
  };
}
