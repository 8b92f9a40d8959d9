import { describe, expect, it } from 'vitest';
import { AppError, describeFailure, ERROR_CODES } from '../src/errors.js';
import { registerSecret } from '../src/logger.js';

describe('describeFailure', () => {
  it('shows an AppError its own message; refusals are warn, failures error', () => {
    expect(describeFailure(new AppError('PAPER_NOT_FOUND', 'No paper matches "x".'))).toEqual({
      level: 'warn',
      code: 'PAPER_NOT_FOUND',
      visibility: 'user',
      userText: 'No paper matches "x".',
      exitCode: 1,
    });
    expect(describeFailure(new AppError('UPSTREAM', 'Discord could not be reached.'))).toMatchObject({
      level: 'error',
      visibility: 'user',
      userText: 'Discord could not be reached.',
    });
  });

  it('a usage error exits 2', () => {
    expect(describeFailure(new AppError('USAGE', 'Please give a query.'))).toMatchObject({ code: 'USAGE', exitCode: 2, level: 'warn' });
  });

  it('an unexpected error or an INTERNAL one shows only the generic text, whatever its message says', () => {
    for (const err of [
      new TypeError('cannot read x of undefined at /srv/app.js:12'),
      new AppError('INTERNAL', 'worker exited with code 3'),
    ]) {
      expect(describeFailure(err)).toEqual({
        level: 'error',
        code: 'INTERNAL',
        visibility: 'log',
        userText: ERROR_CODES.INTERNAL,
        exitCode: 1,
      });
    }
  });

  it('masks registered secrets in the user text', () => {
    registerSecret('sk-describe-failure-secret-42');
    const f = describeFailure(new AppError('LLM_FAILED', 'The endpoint said: bad key sk-describe-failure-secret-42.'));
    expect(f.userText).toBe('The endpoint said: bad key [redacted].');
  });
});
