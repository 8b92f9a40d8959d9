/** Which questions plainly ask for a figure, what it is of, and whether an abstract states one. */
import { describe, expect, it } from 'vitest';
import { figureAsked, statesFigure, statesQuantity } from '../../src/answer/figures.js';

const paper = (abstract: string) => ({ title: 'A paper', abstract });
/** The questions of `questions` read as asking for a figure. */
const asking = (questions: string[]) => questions.filter((q) => figureAsked(q) !== undefined);

describe('figureAsked', () => {
  it('reads counting, measuring, a difference and a named metric as asking for a figure', () => {
    expect(figureAsked('how many GPUs did they use?')).toMatchObject({ counted: 'GPUs', about: ['gpu'] });
    expect(figureAsked('ok and how many gpu hours total?')?.counted).toBe('gpu hours');
    const forms = [
      'how long did pretraining take?',
      'by how much did it beat the baseline?',
      'how much faster is it than FlashAttention?',
      'what exact wall-clock speedup did they report?',
      "what's the imagenet top-1 of the 1B model?",
      'what % of the pile is code?',
      'codet5+ 16B humaneval pass@1 = ?',
      "what's the param count?",
      'largest model size they trained?',
      'what lr and batch size did they use?',
    ];
    expect(asking(forms)).toEqual(forms);
  });

  it('reads a degree, an embedded topic or a manner as no figure asked', () => {
    const notAsking = [
      'how much does dedup help?',
      'How much forgetting happens during continual pretraining?',
      'method gating how much each unit is allowed to change',
      'is there a dataset of how long LLM responses tend to be?',
      "selecting pretraining data by how well models' losses predict benchmark scores",
      'what is the main idea of GaLore?',
      'which attention heads matter?',
      'which model size works best for this?',
    ];
    expect(asking(notAsking)).toEqual([]);
  });

  it('counts the noun, not a name after it, and reads the clause that asks, not the whole message', () => {
    const yi = figureAsked('do you know how many GPUs Yi-34B was pretrained on?');
    expect(yi?.counted).toBe('GPUs');
    expect(yi?.subject).toEqual(expect.arrayContaining(['yi', '34b']));
    expect(yi?.subject).not.toContain('gpu');
    const two = figureAsked("what is 'sequence length collapse' in RLHF, also, how big a setup did ReaLHF get evaluated on (gpus/params)");
    expect(two?.clause).toMatch(/^\s*how big a setup did ReaLHF/);
    expect(two?.subject).toContain('realhf');
    expect(two?.subject).not.toContain('collaps');
  });
});

describe('statesFigure', () => {
  const crystal = paper(
    'We present a 7B model for language and code. It is trained on 1.4 trillion tokens in three stages. GPT-4 and A100 GPUs are mentioned only by name.',
  );

  it('finds a number stated next to what is counted, and none where only a name carries digits', () => {
    expect(statesFigure(crystal, figureAsked('how many tokens was it trained on?')!)).toBe(true);
    // The sentence naming GPUs states no number: "GPT-4" and "A100" are names.
    expect(statesQuantity('GPT-4 and A100 GPUs are mentioned only by name.')).toBe(false);
    expect(statesFigure(crystal, figureAsked('how many GPUs did they train it on?')!)).toBe(false);
    // Chat's short form of a word the abstract writes in full.
    expect(statesFigure(paper('The model has 7 billion parameters.'), figureAsked('how many params does it have?')!)).toBe(true);
  });
});
