/** The one redactor: log lines, AppError messages and model text all go through it. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { createLogger, redact, registerSecret } from '../src/logger.js';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', sink: (l) => lines.push(l) }) };
}

describe('redact', () => {
  it('masks a registered secret of any length, in logs and in AppError messages', () => {
    registerSecret('k9Zx');
    const { lines, logger } = capture();
    logger.warn('endpoint said', { body: 'Incorrect API key provided: k9Zx' });
    expect(lines[0]).not.toContain('k9Zx');
    expect(lines[0]).toContain('Incorrect API key provided: [redacted]');
    const err = new AppError('LLM_FAILED', 'The language model answered: bad key k9Zx.');
    expect(err.userMessage).toBe('The language model answered: bad key [redacted].');
    expect(err.message).not.toContain('k9Zx');
  });

  it('masks credentials in any scheme://user:password@host URL, registered or not', () => {
    const { lines, logger } = capture();
    const err = new TypeError(
      'Request cannot be constructed from a URL that includes credentials: https://bot:pw-never-registered@api.example/v1',
    );
    logger.error('fetch failed', { err, route: 'http://u:p@ss-unencoded@discord.example/api/v10/gateway' });
    expect(lines[0]).not.toContain('pw-never-registered');
    expect(lines[0]).not.toContain('ss-unencoded');
    expect(lines[0]).toContain('https://bot:[redacted]@api.example/v1');
    expect(lines[0]).toContain('http://u:[redacted]@discord.example/api');
    // A user name alone is no secret (a Postgres error names the account); free text with "@" is left alone.
    expect(redact('see postgres://bot@db:5432/x, postgres://u:p@db/x and text a@b')).toBe(
      'see postgres://bot@db:5432/x, postgres://u:[redacted]@db/x and text a@b',
    );
  });

  it('masks a secret with quotes or backslashes also in its JSON-escaped form', () => {
    registerSecret('pa"ss\\word');
    const { lines, logger } = capture();
    logger.info('config', { value: 'pa"ss\\word' });
    expect(lines[0]).not.toContain('pa\\"ss\\\\word');
    expect(lines[0]).toContain('[redacted]');
  });

  it('masks the longest secret whole and never re-masks a mask', () => {
    registerSecret('secret');
    registerSecret('abcdefgh-long-secret');
    registerSecret('dacte');
    expect(redact('x abcdefgh-long-secret y')).toBe('x [redacted] y');
  });
});
