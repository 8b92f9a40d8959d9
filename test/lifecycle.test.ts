import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runLifecycle, type Service } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';

function setup() {
  const proc = new EventEmitter();
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', sink: (l) => lines.push(JSON.parse(l)) });
  const exits: number[] = [];
  return { proc, lines, logger, exits, exitNow: (c: number) => void exits.push(c) };
}

const EVENTS = ['SIGINT', 'SIGTERM', 'unhandledRejection', 'uncaughtException'];
const listeners = (proc: EventEmitter) => EVENTS.map((e) => proc.listenerCount(e));

function service(overrides: Partial<Service> = {}): Service & { stops: Array<[string, string | undefined]> } {
  const stops: Array<[string, string | undefined]> = [];
  return { stops, stop: async (reason, signal) => (stops.push([reason, signal]), 0), ...overrides };
}

describe('runLifecycle', () => {
  it('SIGTERM stops the service with that signal and resolves with its exit code; nothing stays registered', async () => {
    const t = setup();
    const s = service();
    const code = runLifecycle(async () => s, { ...t, process: t.proc, onStarted: () => t.proc.emit('SIGTERM', 'SIGTERM') });
    expect(await code).toBe(0);
    expect(s.stops).toEqual([['signal SIGTERM', 'SIGTERM']]);
    expect(listeners(t.proc)).toEqual([0, 0, 0, 0]);
  });

  it('a signal during start-up is kept and honoured once the service is up', async () => {
    const t = setup();
    const s = service();
    let started = false;
    const code = runLifecycle(
      async () => {
        t.proc.emit('SIGINT', 'SIGINT');
        await new Promise((r) => setTimeout(r, 20));
        return s;
      },
      { ...t, process: t.proc, onStarted: () => (started = true) },
    );
    expect(await code).toBe(0);
    expect(started).toBe(true);
    expect(s.stops).toEqual([['signal SIGINT', 'SIGINT']]);
  });

  it('a second signal aborts and exits 1 at once', async () => {
    const t = setup();
    let aborted = false;
    let finish!: (c: number) => void;
    const s = service({ stop: () => new Promise<number>((r) => (finish = r)), abort: () => void (aborted = true) });
    const code = runLifecycle(async () => s, { ...t, process: t.proc, onStarted: () => t.proc.emit('SIGTERM', 'SIGTERM') });
    await new Promise((r) => setTimeout(r, 10));
    t.proc.emit('SIGINT', 'SIGINT');
    expect(aborted).toBe(true);
    expect(t.exits).toEqual([1]);
    finish(0);
    await code;
  });

  it('a stop that never finishes is given up on after the bound, with exit code 1', async () => {
    const t = setup();
    const s = service({ stop: () => new Promise<number>(() => undefined) });
    const started = Date.now();
    const code = await runLifecycle(async () => s, {
      ...t,
      process: t.proc,
      stopBoundMs: 150,
      onStarted: () => t.proc.emit('SIGTERM', 'SIGTERM'),
    });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(t.lines.some((l) => l.msg === 'shutdown did not finish in time: giving up')).toBe(true);
  });

  it('a start-up failure rejects with its error and leaves no listener behind', async () => {
    const t = setup();
    const err = new Error('login failed');
    await expect(runLifecycle(async () => Promise.reject(err), { ...t, process: t.proc })).rejects.toBe(err);
    expect(listeners(t.proc)).toEqual([0, 0, 0, 0]);
  });

  it('an unhandled rejection is logged and the service keeps running; an uncaught exception stops it with 1', async () => {
    const t = setup();
    const s = service();
    const code = runLifecycle(async () => s, {
      ...t,
      process: t.proc,
      onStarted: () => {
        t.proc.emit('unhandledRejection', new Error('stray'));
        expect(s.stops).toEqual([]);
        t.proc.emit('uncaughtException', new Error('boom'));
      },
    });
    expect(await code).toBe(1);
    expect(s.stops).toEqual([['uncaught exception', undefined]]);
    expect(t.lines.map((l) => l.msg)).toEqual(['unhandled promise rejection (kept running)', 'uncaught exception: shutting down']);
  });

  it('a service that fails on its own is stopped, then its error is rethrown for the caller to print', async () => {
    const t = setup();
    const err = new Error('a shard did not start');
    const s = service({ ended: Promise.reject(err) });
    await expect(runLifecycle(async () => s, { ...t, process: t.proc })).rejects.toBe(err);
    expect(s.stops).toEqual([['service failed', undefined]]);
  });

  it('a service that ends on its own resolves with its code', async () => {
    const t = setup();
    expect(await runLifecycle(async () => service({ ended: Promise.resolve(1) }), { ...t, process: t.proc })).toBe(1);
  });
});
