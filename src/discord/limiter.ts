/**
 * Admission control for answer computations: a per-user cooldown and a global cap on how many
 * answers are computed at once (with a short bounded queue behind it). Both decide synchronously,
 * so a command can be refused with an immediate ephemeral reply, or deferred, within Discord's
 * 3-second window.
 */
import { AppError } from '../errors.js';

export class Cooldowns {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly ms: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take the user's slot now, or say how long until they may ask again. */
  take(userId: string): { ok: true } | { ok: false; retryAfterMs: number } {
    if (this.ms <= 0) return { ok: true };
    const t = this.now();
    const prev = this.last.get(userId);
    if (prev !== undefined && t - prev < this.ms) return { ok: false, retryAfterMs: this.ms - (t - prev) };
    this.last.set(userId, t);
    if (this.last.size > 10_000) for (const [u, at] of this.last) if (t - at >= this.ms) this.last.delete(u);
    return { ok: true };
  }

  /** Give the slot back (the request was refused for another reason, so it should not count). */
  refund(userId: string): void {
    this.last.delete(userId);
  }
}

export interface Ticket {
  /** True when the ticket had to queue behind running computations. */
  readonly queued: boolean;
  /**
   * Resolves once the ticket holds a slot; rejects with BUSY after `timeoutMs`. While it queues,
   * `onPosition` hears how many tickets are ahead of it in the queue: once when the wait starts,
   * then on each change (the number only goes down), never once the slot is granted.
   */
  wait(timeoutMs: number, onPosition?: (ahead: number) => void): Promise<void>;
  /** Free the slot (or leave the queue). Idempotent. */
  release(): void;
}

interface QueueEntry {
  grant: () => void;
  onPosition?: (ahead: number) => void;
  /** The position last told to onPosition, so an unchanged one is not repeated. */
  reported?: number;
}

export class ConcurrencyGate {
  private active = 0;
  private readonly queue: QueueEntry[] = [];

  constructor(
    readonly max: number,
    readonly maxQueue: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** A ticket, or null when the cap and the queue are both full. Decides synchronously. */
  tryEnter(): Ticket | null {
    let released = false;
    if (this.active < this.max) {
      this.active++;
      return {
        queued: false,
        wait: async () => {},
        release: () => {
          if (released) return;
          released = true;
          this.leave();
        },
      };
    }
    if (this.queue.length >= this.maxQueue) return null;
    let granted = false;
    let onGrant: (() => void) | undefined;
    const entry: QueueEntry = {
      grant: () => {
        granted = true;
        entry.onPosition = undefined;
        onGrant?.();
      },
    };
    this.queue.push(entry);
    return {
      queued: true,
      wait: (timeoutMs: number, onPosition?: (ahead: number) => void) =>
        new Promise<void>((resolve, reject) => {
          if (released) return reject(new AppError('BUSY'));
          if (granted) return resolve();
          const timer = setTimeout(() => {
            onGrant = undefined;
            entry.onPosition = undefined;
            reject(new AppError('BUSY', 'The bot is busy right now and your question waited too long. Please try again in a moment.'));
          }, timeoutMs);
          onGrant = () => {
            clearTimeout(timer);
            resolve();
          };
          entry.onPosition = onPosition;
          this.announce();
        }),
      release: () => {
        if (released) return;
        released = true;
        entry.onPosition = undefined;
        if (granted) this.leave();
        else {
          const i = this.queue.indexOf(entry);
          if (i >= 0) {
            this.queue.splice(i, 1);
            this.announce();
          }
        }
      },
    };
  }

  private leave(): void {
    const next = this.queue.shift();
    // Hand the slot straight to the next waiter: `active` stays the same.
    if (next) next.grant();
    else this.active--;
    this.announce();
  }

  /** Tell each waiting ticket its place when it changed (entries only leave or join at the back, so places only drop). */
  private announce(): void {
    for (const [ahead, e] of this.queue.entries()) {
      if (!e.onPosition || e.reported === ahead) continue;
      e.reported = ahead;
      try {
        e.onPosition(ahead);
      } catch {
        // a listener's failure must not stop the queue from moving
      }
    }
  }
}
