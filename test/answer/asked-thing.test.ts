/** What a question opening with "what" or "which" asks for. */
import { describe, expect, it } from 'vitest';
import { askedThings } from '../../src/answer/asked-thing.js';

describe('askedThings', () => {
  it('reads the words after an opening "what"/"which", up to its verb or pronoun', () => {
    expect(askedThings('what robot arm did they use for the real-world experiments?')).toEqual([['robot', 'arm']]);
    expect(askedThings('ok so which wavelet do they use?')).toEqual([['wavelet']]);
    expect(askedThings("what's the preference dataset they built called?")).toEqual([['preference', 'dataset']]);
    expect(askedThings('what kind of data did they train it on?')).toEqual([['data']]);
    // Each question of a message.
    expect(askedThings('nice. which optimizer? and what tokenizer do they use')).toEqual([['optimizer'], ['tokenizer']]);
  });

  it('reads no thing where "what"/"which" does not open the question, or opens none', () => {
    expect(askedThings('is any of them deciding which pages to fetch?')).toEqual([]);
    expect(askedThings('what about speech models?')).toEqual([]);
    expect(askedThings('what did they find?')).toEqual([]);
    expect(askedThings('does it work on ImageNet?')).toEqual([]);
  });
});
