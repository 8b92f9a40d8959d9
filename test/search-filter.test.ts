import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { describeFilter, isCalendarDate, parseFilter, timeWindowAsked } from '../src/search-filter.js';

function usageError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('USAGE');
    return err as AppError;
  }
  throw new Error('expected a USAGE error');
}

describe('parseFilter: one validator for every command', () => {
  it('accepts real calendar days only', () => {
    for (const d of ['2024-01-31', '2024-02-29', '1999-12-31']) expect(isCalendarDate(d), d).toBe(true);
    for (const d of ['2024-13-45', '2023-02-29', '2024-04-31', '2024-00-10', 'yesterday', '2024/01/01', '24-01-01', ''])
      expect(isCalendarDate(d), d).toBe(false);
  });

  it('a bad date is a USAGE error naming the flag as typed (CLI) or the option (slash command)', () => {
    expect(usageError(() => parseFilter({ from: '2024-13-45' })).userMessage).toMatch(/^--from must be a calendar date .*"2024-13-45"/);
    expect(usageError(() => parseFilter({ to: 'yesterday' }, { from: 'from', to: 'to' })).userMessage).toMatch(
      /^to must be a calendar date/,
    );
  });

  it('--from after --to is a USAGE error', () => {
    expect(usageError(() => parseFilter({ from: '2024-02-01', to: '2024-01-01' })).userMessage).toBe(
      '--from 2024-02-01 is after --to 2024-01-01: no date can match.',
    );
    expect(parseFilter({ from: '2024-01-01', to: '2024-01-01' })).toEqual({ from: '2024-01-01', to: '2024-01-01' });
  });

  it('nothing given is no filter; blanks are ignored; the source is kept', () => {
    expect(parseFilter({})).toBeUndefined();
    expect(parseFilter({ from: null, to: null, source: '  ' })).toBeUndefined();
    expect(parseFilter({ source: ' 004_ ' })).toEqual({ source: '004_' });
  });

  it('describes a filter in words', () => {
    expect(describeFilter({ from: '2024-01-01', to: '2024-02-01' })).toBe('dated from 2024-01-01 to 2024-02-01');
    expect(describeFilter({ from: '2024-01-01' })).toBe('dated 2024-01-01 or later');
    expect(describeFilter({ to: '2024-01-01', source: 'x.txt' })).toBe(
      'dated 2024-01-01 or earlier and from a corpus file matching "x.txt"',
    );
  });
});

describe('timeWindowAsked', () => {
  const now = Date.UTC(2026, 10, 27, 15, 0); // 2026-11-27
  it('reads when the papers asked for came out as a date filter, counted back in UTC days with today included', () => {
    expect(timeWindowAsked('papers from this week about RL?', now)).toEqual({ filter: { from: '2026-11-21' }, phrase: 'this week' });
    expect(timeWindowAsked('any work on RL in the past 30 days?', now)?.filter).toEqual({ from: '2026-10-29' });
    expect(timeWindowAsked("this week's papers on distillation", now)?.filter).toEqual({ from: '2026-11-21' });
    expect(timeWindowAsked('what came out last month on MoE', now)?.filter).toEqual({ from: '2026-10-29' });
    expect(timeWindowAsked('anything new this year on unlearning?', now)?.filter).toEqual({ from: '2026-01-01' });
    expect(timeWindowAsked('papers from last year on distillation', now)?.filter).toEqual({ from: '2025-01-01', to: '2025-12-31' });
  });

  it("reads no window where none is asked of papers: the asker's own time, or no span at all", () => {
    for (const q of [
      'i asked this last week and nobody answered: how does GaLore work?',
      'how does GaLore work? i tried it last month',
      'hiii sorry to bother again, i promise this is the last one for today: what is GaLore?',
      'weekly updates of the learning rate?',
      'a month-long training run',
      'the past tense jailbreak',
    ])
      expect(timeWindowAsked(q, now), q).toBeUndefined();
  });
});
