import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set, in MB.
 *
 * Not `process.resourceUsage().maxRSS` alone: on Linux that figure survives exec, so a job spawned
 * (fork, then exec) by a bench parent holding 250 MB reports at least 250 MB however little it used.
 * `VmHWM` in /proc/self/status belongs to the address space exec created, so it is the job's own.
 * Where /proc is missing, maxRSS is the best figure there is.
 */
export function peakRssMB(readStatus: () => string = () => readFileSync('/proc/self/status', 'utf8')): number {
  let status = '';
  try {
    status = readStatus();
  } catch {
    // No /proc (macOS, Windows): fall through to maxRSS.
  }
  const hwm = /^VmHWM:\s*(\d+)\s*kB/m.exec(status);
  const kb = hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS;
  return Math.round(kb / 1024);
}
