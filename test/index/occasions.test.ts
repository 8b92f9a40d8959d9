import { describe, expect, it } from 'vitest';
import { withoutOccasions } from '../../src/index/occasions.js';

describe('withoutOccasions', () => {
  it('leaves out holidays and occasions named in several words, in any case', () => {
    expect(withoutOccasions('happy Lunar New Year everyone 🧧 what is DPO?')).toBe('happy   everyone 🧧 what is DPO?');
    expect(withoutOccasions('back from golden week, what is DPO?')).toBe('back from  , what is DPO?');
    for (const occasion of [
      "St Patrick's Day",
      'Memorial Day',
      'Yom Kippur',
      'Mid-Autumn Festival',
      'bank holiday weekend',
      'Black Friday',
    ])
      expect(withoutOccasions(`what is DPO? asking before ${occasion}`), occasion).toBe('what is DPO? asking before  ');
  });

  it('keeps the words of an occasion used alone, where they may be a subject', () => {
    for (const q of ['lunar surface segmentation papers?', 'does boxing the logits help?', 'any work on national language models?'])
      expect(withoutOccasions(q)).toBe(q);
  });

  it('reads a message that is only an occasion as typed', () => {
    expect(withoutOccasions('Lunar New Year')).toBe('Lunar New Year');
  });
});
