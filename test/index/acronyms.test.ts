import { describe, expect, it } from 'vitest';
import { longFormFor, mentionsTerm, mineAcronyms } from '../../src/index/acronyms.js';

describe('abbreviations mined from the corpus', () => {
  it('finds the long form whose letters the abbreviation takes, skipping function words', () => {
    expect(longFormFor('LoRA', 'we freeze the weights and train Low-Rank Adaptation ')).toBe('Low-Rank Adaptation');
    expect(longFormFor('RLHF', 'models tuned with reinforcement learning from human feedback ')).toBe(
      'reinforcement learning from human feedback',
    );
    expect(longFormFor('KD', 'the prefilling of the key-value ')).toBeUndefined();
    expect(longFormFor('KV', 'prefilling is the computation of the key-value ')).toBe('key-value');
    // Lower-case words in parentheses are not abbreviations.
    expect(longFormFor('see', 'as shown in table one ')).toBeUndefined();
  });

  it('maps each abbreviation to its long forms, most common first', () => {
    const table = mineAcronyms([
      'Knowledge distillation (KD) transfers knowledge from a teacher.',
      'We study knowledge distillation (KD) for small students.',
      'Kernel density (KD) estimation is unrelated.',
      'The result (see Table 2) is good.',
    ]);
    expect(table.expansions.get('kd')).toEqual([
      ['knowledg', 'distil'],
      ['kernel', 'densiti'],
    ]);
    expect(table.expansions.has('see')).toBe(false);
  });

  it('counts a paper that spells the abbreviation out as mentioning it', () => {
    const table = mineAcronyms(['Knowledge distillation (KD) transfers knowledge from a teacher.']);
    const paper = new Set(['knowledg', 'distil', 'teacher']);
    expect(mentionsTerm(table, (t) => paper.has(t), 'kd')).toBe(true);
    expect(mentionsTerm(table, (t) => new Set(['teacher']).has(t), 'kd')).toBe(false);
  });
});
