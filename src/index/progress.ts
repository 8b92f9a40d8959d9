/** Progress for long ingests: a bar on a TTY, plain lines otherwise (logs, CI). */
export interface Progress {
  start(phase: string, total: number): void;
  tick(n?: number): void;
  done(note?: string): void;
}

export const noProgress: Progress = { start() {}, tick() {}, done() {} };

/** What a long phase reports where no bar is drawn (logs, the re-index worker's messages to the bot). */
export type PhaseEvent =
  | { event: 'start'; phase: string; total: number }
  | { event: 'quarter'; phase: string; done: number; total: number; percent: number }
  | { event: 'done'; phase: string; total: number; note?: string };

/** Progress as a phase's start, each quarter it passes (25, 50, 75 %, each once) and its end. */
export function quarterlyProgress(report: (e: PhaseEvent) => void): Progress {
  let phase = '';
  let total = 0;
  let count = 0;
  let lastQuarter = -1;
  return {
    start(p, t) {
      phase = p;
      total = t;
      count = 0;
      lastQuarter = 0;
      report({ event: 'start', phase, total });
    },
    tick(n = 1) {
      count = Math.min(total, count + n);
      const quarter = total ? Math.floor((count / total) * 4) : 4;
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        report({ event: 'quarter', phase, done: count, total, percent: quarter * 25 });
      }
    },
    done(note) {
      report({ event: 'done', phase, total, ...(note ? { note } : {}) });
    },
  };
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let phase = '';
  let total = 0;
  let count = 0;
  let lastPct = -1;
  let lastDraw = 0;
  const tty = Boolean(stream.isTTY);
  const draw = (force = false) => {
    const pct = total ? Math.floor((count / total) * 100) : 100;
    if (tty) {
      const now = Date.now();
      if (!force && now - lastDraw < 80) return;
      lastDraw = now;
      const width = 28;
      const filled = Math.round((pct / 100) * width);
      stream.write(
        `\r${phase.padEnd(11)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${count}/${total}`,
      );
    } else if (force || pct >= lastPct + 25) {
      lastPct = pct - (pct % 25);
      stream.write(`${phase}: ${count}/${total} (${pct}%)\n`);
    }
  };
  return {
    start(p, t) {
      phase = p;
      total = t;
      count = 0;
      lastPct = -1;
      draw(true);
    },
    tick(n = 1) {
      count = Math.min(total, count + n);
      draw();
    },
    done(note) {
      count = total;
      if (tty) {
        draw(true);
        stream.write(note ? `  ${note}\n` : '\n');
      } else if (note) stream.write(`${phase}: done, ${note}\n`);
      else if (lastPct < 100) draw(true);
    },
  };
}
