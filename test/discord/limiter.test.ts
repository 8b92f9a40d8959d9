/** The concurrency gate's queue positions: what a queued ticket hears while it waits for a slot. */
import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from '../../src/discord/limiter.js';

describe('ConcurrencyGate queue positions', () => {
  it('a queued ticket hears its place when its wait starts, then each change, going down, and nothing once granted', async () => {
    const g = new ConcurrencyGate(1, 4);
    const running = g.tryEnter()!;
    const [a, b, c] = [g.tryEnter()!, g.tryEnter()!, g.tryEnter()!];
    const heard: Record<string, number[]> = { a: [], b: [], c: [] };
    const waits = [a.wait(1000, (n) => heard.a.push(n)), b.wait(1000, (n) => heard.b.push(n)), c.wait(1000, (n) => heard.c.push(n))];
    expect(heard).toEqual({ a: [0], b: [1], c: [2] });

    running.release();
    await waits[0];
    expect(heard).toEqual({ a: [0], b: [1, 0], c: [2, 1] });

    // b gives up its place while queued: c moves up; nobody hears a repeat.
    b.release();
    expect(heard).toEqual({ a: [0], b: [1, 0], c: [2, 1, 0] });
    // (b's wait ends with BUSY at its timeout; production code releases only after its wait.)
    waits[1].catch(() => undefined);

    a.release();
    await waits[2];
    c.release();
    // Granted tickets hear nothing more, and a new queue behind an empty gate starts from scratch.
    expect(heard).toEqual({ a: [0], b: [1, 0], c: [2, 1, 0] });
    expect([g.running, g.waiting]).toEqual([0, 0]);
  });

  it('a ticket that got a slot at once, or waits without a listener, is never told a place; a throwing listener does not stall the queue', async () => {
    const g = new ConcurrencyGate(1, 3);
    const first = g.tryEnter()!;
    const heard: number[] = [];
    await first.wait(1000, (n) => heard.push(n));
    expect(first.queued).toBe(false);
    const quiet = g.tryEnter()!;
    const loud = g.tryEnter()!;
    const q = quiet.wait(1000);
    const l = loud.wait(1000, (n) => {
      heard.push(n);
      throw new Error('listener failed');
    });
    expect(heard).toEqual([1]);
    first.release();
    await q;
    expect(heard).toEqual([1, 0]);
    quiet.release();
    await l;
    loud.release();
    expect(heard).toEqual([1, 0]);
    expect([g.running, g.waiting]).toEqual([0, 0]);
  });

  it('a ticket that timed out hears nothing more while it still sits in the queue', async () => {
    const g = new ConcurrencyGate(1, 3);
    const running = g.tryEnter()!;
    const late = g.tryEnter()!;
    const behind = g.tryEnter()!;
    const heardLate: number[] = [];
    const heardBehind: number[] = [];
    await expect(late.wait(20, (n) => heardLate.push(n))).rejects.toMatchObject({ code: 'BUSY' });
    const w = behind.wait(1000, (n) => heardBehind.push(n));
    expect(heardBehind).toEqual([1]);
    late.release();
    expect(heardBehind).toEqual([1, 0]);
    running.release();
    await w;
    behind.release();
    expect(heardLate).toEqual([0]);
  });
});
