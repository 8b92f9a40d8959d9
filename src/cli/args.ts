/** Flags and argument checks shared by the commands. */
import { AppError } from '../errors.js';
import type { SearchFilter } from '../index/search.js';

export const jsonOpt = { json: { type: 'boolean' } } as const;
export const filterOpts = { from: { type: 'string' }, to: { type: 'string' }, source: { type: 'string' } } as const;

export function positiveInt(value: unknown, name: string, def: number, max = 100): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('USAGE', `${name} must be a whole number from 1 to ${max}.`);
  return n;
}

export function filterFrom(v: Record<string, unknown>): SearchFilter | undefined {
  const f: SearchFilter = {};
  for (const key of ['from', 'to'] as const) {
    const val = v[key] as string | undefined;
    if (val === undefined) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(val)) throw new AppError('USAGE', `--${key} must be a date like 2024-01-31.`);
    f[key] = val;
  }
  if (v.source) f.source = String(v.source);
  return Object.keys(f).length ? f : undefined;
}

export function requireText(text: string, what: string): string {
  const t = text.trim();
  if (!t) throw new AppError('USAGE', `Please give a ${what}.`);
  return t;
}
