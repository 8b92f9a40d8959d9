/**
 * Every child process a test starts goes through spawnChild: it runs in its own process group,
 * so the group (grandchildren such as shard processes included) can be killed as one, and the
 * setup file (test/setup/children.ts) kills and reports any group still alive when its test
 * (scope 'test') or its file (scope 'file') ends. A failed assertion can no longer leave a bot
 * running after the suite.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export type ChildScope = 'test' | 'file';

interface Tracked {
  child: ChildProcess;
  scope: ChildScope;
  label: string;
}

const tracked = new Set<Tracked>();

export function spawnChild(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
  opts: { scope?: ChildScope; label?: string } = {},
): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  tracked.add({ child, scope: opts.scope ?? 'test', label: opts.label ?? [command, ...args].join(' ').slice(0, 120) });
  return child;
}

/**
 * Live (non-zombie) members of a process group, read from /proc. A zombie has finished; it
 * lingers only until its parent (or init, for an orphan) reaps it, so it does not count.
 */
function groupMembers(pgid: number): number[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined; // no /proc: fall back to kill(0)
  }
  const out: number[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') out.push(Number(pid));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** True while any process of the child's group is alive (the leader may have exited already). */
export function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  const members = groupMembers(child.pid);
  if (members) return members.length > 0;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return !groupAlive(child);
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** SIGKILLs the whole group and waits (at most `ms`) until nothing of it is left. */
export async function killChild(child: ChildProcess, ms = 5000): Promise<void> {
  killGroup(child);
  await waitGone(child, ms);
}

/**
 * Kills every still-alive group of the given scope and forgets the scope's children.
 * Returns the labels of the groups that were still alive: those outlived their test.
 */
export async function reapChildren(scope: ChildScope): Promise<string[]> {
  const leaked: string[] = [];
  for (const t of [...tracked]) {
    if (t.scope !== scope) continue;
    // A leader that has exited may leave helpers (tsx's esbuild service) that stop by themselves
    // as soon as their pipe closes: give those a moment. A leader still running is a leak.
    const leaderDone = t.child.exitCode !== null || t.child.signalCode !== null;
    if (leaderDone ? !(await waitGone(t.child, 1000)) : groupAlive(t.child)) {
      leaked.push(`pid ${t.child.pid}: ${t.label}`);
      await killChild(t.child);
    }
    tracked.delete(t);
  }
  return leaked;
}

/** Last resort when the worker exits: no group survives the test process. */
export function killAllChildrenSync(): void {
  for (const t of tracked) killGroup(t.child);
}
