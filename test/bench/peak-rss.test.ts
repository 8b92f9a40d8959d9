/**
 * The bench's peak RSS is the measured job's own (bench/peak-rss.ts). Linux keeps getrusage's
 * maxRSS across exec, so a job spawned by a bench parent holding 256 MB read 256 MB or more
 * whatever it used (every 2,000-paper row of one quick run read 256–260 MB).
 */
import { describe, expect, it } from 'vitest';
import { peakRssMB } from '../../bench/peak-rss.js';

const STATUS = ['Name:\tnode', 'VmPeak:\t 1200000 kB', 'VmHWM:\t   81920 kB', 'VmRSS:\t   40960 kB'].join('\n');

describe('peak RSS of a bench job', () => {
  it('reads the high-water mark of this address space, not the peak of the whole process history', () => {
    expect(peakRssMB(() => STATUS)).toBe(80);
  });

  it('falls back to maxRSS where /proc is missing or says nothing', () => {
    const maxRss = Math.round(process.resourceUsage().maxRSS / 1024);
    const missing = peakRssMB(() => {
      throw new Error('ENOENT: /proc/self/status');
    });
    expect(missing).toBeGreaterThanOrEqual(maxRss);
    expect(peakRssMB(() => 'Name:\tnode')).toBeGreaterThanOrEqual(maxRss);
  });

  it('grows with memory this process touches', () => {
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    const block = Buffer.alloc(96 * 1024 * 1024, 1);
    expect(peakRssMB()).toBeGreaterThanOrEqual(Math.floor(rssBefore) + 90);
    expect(block[block.length - 1]).toBe(1);
  });
});
