import { describe, expect, it } from 'vitest';
import { framingNouns, isCalendarWord, namesOnly, verbsAfterTo, wordsNamingNoSubject } from '../../src/answer/word-class.js';

describe('wordsNamingNoSubject', () => {
  it('finds the verbs, adjectives and adverbs around a subject, read in context', () => {
    const words = wordsNamingNoSubject('looking for the work that ditches padding and throws away the biggest batches');
    for (const w of ['ditches', 'throws', 'away', 'biggest']) expect(words, w).toContain(w);
    for (const w of ['work', 'padding', 'batches', 'the', 'for']) expect(words, w).not.toContain(w);
  });

  it('keeps nouns, gerunds used as nouns and words it only guesses as possible subjects', () => {
    const words = wordsNamingNoSubject('any work on stealing and watermarking for weather forecasting on neuromorphic chips?');
    for (const w of ['stealing', 'watermarking', 'weather', 'forecasting', 'neuromorphic', 'chips']) expect(words, w).not.toContain(w);
  });

  it('reads a gerund taking an object as a verb ("bumping this"), one without as a possible subject', () => {
    expect(wordsNamingNoSubject("bumping this since i didn't get a reply")).toContain('bumping');
    expect(wordsNamingNoSubject('any papers on model stealing via api logits?')).not.toContain('stealing');
  });

  it('reads a gerund after a verb that takes one as a verb ("keeps saying"), elsewhere as a possible subject', () => {
    expect(wordsNamingNoSubject('everyone keeps saying CPT but what is it')).toContain('saying');
    expect(wordsNamingNoSubject('we started using GaLore last week')).toContain('using');
    expect(wordsNamingNoSubject('is watermarking text hard?')).not.toContain('watermarking');
    expect(wordsNamingNoSubject('model stealing via api logits for closed llms — how cheap is it tldr version is fine')).not.toContain(
      'stealing',
    );
  });

  it("reads English's indefinite pronouns and adverbs as no subject, though the tagger reads some as nouns", () => {
    expect(wordsNamingNoSubject('did they prove any theorems nobody had proven before?')).toContain('nobody');
    expect(wordsNamingNoSubject('do they use RL anywhere in post-training?')).toContain('anywhere');
    for (const w of ['everyone', 'nothing']) expect(wordsNamingNoSubject('everyone says nothing beats scale'), w).toContain(w);
  });

  it('reads days and months as no subject: they say when', () => {
    const words = wordsNamingNoSubject('snowing in april and monday again, what did the sunday run cost?');
    for (const w of ['april', 'monday', 'sunday']) expect(words, w).toContain(w);
    expect(isCalendarWord('Friday')).toBe(true);
    // A day counted from today says when too: "before the standup tomorrow".
    for (const w of ['tomorrow', 'Tonight', 'yesterday', 'today']) expect(isCalendarWord(w), w).toBe(true);
    // ... and so does a holiday of one word; a word of one of several may be a subject ("lunar surface maps").
    for (const w of ['Diwali', 'christmas', 'Eid', 'Hanukkah']) expect(isCalendarWord(w), w).toBe(true);
    expect(isCalendarWord('Lunar')).toBe(false);
    expect(isCalendarWord('Fridays')).toBe(false);
  });

  it('reads the gerund of a phrasal verb as a verb ("knocking out heads"), the same gerund alone as a possible subject', () => {
    expect(wordsNamingNoSubject('does knocking out retrieval heads make the model hallucinate?')).toContain('knocking');
    expect(wordsNamingNoSubject('any papers on knocking in engines?')).not.toContain('knocking');
  });

  it('tags the same word by where it stands ("flag" the verb, "flag" the noun)', () => {
    expect(wordsNamingNoSubject('can we flag off-topic questions?')).toContain('flag');
    expect(wordsNamingNoSubject('what does the red flag mean?')).not.toContain('flag');
    // Chat's "u" for "you" would read as a verb, and make "flag" its object.
    expect(wordsNamingNoSubject('can u flag off-topic questions?')).toContain('flag');
  });

  it('reads the words of an English idiom as no subject, and not the same words outside one', () => {
    const words = wordsNamingNoSubject('is FineWeb up to snuff, or is it the elephant in the room nobody talks about?');
    for (const w of ['snuff', 'elephant', 'room']) expect(words, w).toContain(w);
    expect(wordsNamingNoSubject('detecting an elephant with snuff-colored skin in drone images')).not.toContain('elephant');
  });

  it('reads the verb after "to" ("to detect PTSD"), guessed or listed, and not the noun after "to" as a preposition', () => {
    expect(verbsAfterTo('has anyone pretrained on simulated ECGs to detect PTSD?')).toEqual(new Set(['detect']));
    expect(verbsAfterTo('has that been extended to video transformers?').size).toBe(0);
  });

  it('reads a noun saying which part of the work ("audio side:", "on the eval front") as no subject; "side effects" is not one', () => {
    expect(wordsNamingNoSubject('audio side: how long are the clips?')).toContain('side');
    expect(wordsNamingNoSubject('on the eval front, what do people report?')).toContain('front');
    expect(wordsNamingNoSubject('anything on the data side of things?')).toContain('side');
    // Elsewhere "side" is left to the tagger ("side effects" may read as an adjective's).
    for (const other of ['what side effects does RLHF have?', 'on the model side effects matter more', 'which side wins the debate?'])
      expect(framingNouns(other), other).not.toContain('side');
  });

  it('reads a noun saying how many ("a bunch of", "tons of") as no subject, and the same noun elsewhere as one', () => {
    const words = wordsNamingNoSubject('pull out a bunch of backbones from tons of data, or a whole heap of adapters?');
    for (const w of ['bunch', 'tons', 'heap']) expect(words, w).toContain(w);
    expect(wordsNamingNoSubject('a bunch of grapes').has('grapes')).toBe(false);
    expect(wordsNamingNoSubject('forecasting the heap size of a garbage collector')).not.toContain('heap');
    expect(wordsNamingNoSubject('how many tons of steel does a bridge hold')).toContain('tons');
    expect(wordsNamingNoSubject('steel tons per bridge')).not.toContain('tons');
  });
});

describe('namesOnly', () => {
  it('reads a phrase of nouns, a gerund inside it, as naming only', () => {
    for (const t of ['per diem for the nyc trip', 'data mixing for llama', 'expense report for the offsite', 'regex q']) {
      expect(namesOnly(t), t).toBe(true);
    }
  });

  it('reads a clause with a verb, a pronoun, a question word or an interjection, or opening with a gerund, as more', () => {
    for (const t of ['deadline is tonight', 'my labmate and i have a bet going', 'which form', 'no rush tho', 'asking for a friend']) {
      expect(namesOnly(t), t).toBe(false);
    }
  });
});
