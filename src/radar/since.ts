/** The one parser for "since when" (CLI --since): a calendar day (UTC midnight) or a full ISO-8601 time. */
import { AppError } from '../errors.js';
import { isCalendarDate } from '../search-filter.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

export function parseSince(raw: string, name = '--since'): string {
  const s = raw.trim();
  if (isCalendarDate(s)) return `${s}T00:00:00.000Z`;
  if (ISO_TIME.test(s) && !Number.isNaN(Date.parse(s))) return new Date(s).toISOString();
  throw new AppError(
    'USAGE',
    `${name} must be a date (YYYY-MM-DD) or an ISO-8601 time like 2026-11-26T09:00:00Z (got "${s.slice(0, 40)}").`,
  );
}
