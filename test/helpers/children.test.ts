/** The harness guarantee itself: a child left running (and its own children) is found and killed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupAlive, reapChildren, spawnChild } from './children.js';

// A child that starts a grandchild and then both idle forever.
const FOREVER = `
const { spawn } = require('node:child_process');
const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log(String(g.pid));
setInterval(() => {}, 1000);
`;

/** Running, not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('test child processes', () => {
  it('a child still running when its test ends is reported and killed with its grandchildren', async () => {
    const child = spawnChild(process.execPath, ['-e', FOREVER], { stdio: ['ignore', 'pipe', 'ignore'] }, { label: 'forever' });
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    expect(isAlive(grandchild)).toBe(true);
    // What the setup file's afterEach does; called here so this test can look at the result.
    const leaked = await reapChildren('test');
    expect(leaked).toEqual([`pid ${child.pid}: forever`]);
    expect(groupAlive(child)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
  });

  it('a child that exited in time is not reported', async () => {
    const child = spawnChild(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await reapChildren('test')).toEqual([]);
  });
});
