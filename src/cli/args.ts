/** Flags and argument checks shared by the commands. */
import { AppError } from '../errors.js';
import type { SearchFilter } from '../index/search.js';
import { parseFilter } from '../search-filter.js';

export const jsonOpt = { json: { type: 'boolean' } } as const;
export const filterOpts = { from: { type: 'string' }, to: { type: 'string' }, source: { type: 'string' } } as const;

export function positiveInt(value: unknown, name: string, def: number, max = 100): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('USAGE', `${name} must be a whole number from 1 to ${max}.`);
  return n;
}

export function filterFrom(v: Record<string, unknown>): SearchFilter | undefined {
  return parseFilter({ from: v.from as string | undefined, to: v.to as string | undefined, source: v.source as string | undefined });
}

export function requireText(text: string, what: string): string {
  const t = text.trim();
  if (!t) throw new AppError('USAGE', `Please give a ${what}.`);
  return t;
}
