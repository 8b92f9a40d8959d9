import { describe, expect, it } from 'vitest';
import { fieldsNamed } from '../../src/answer/fields.js';

const named = (text: string) => fieldsNamed(text).map((f) => [f.name, f.typed]);

describe('fieldsNamed', () => {
  it('reads the field a method is taken to, as typed', () => {
    expect(named('expert pruning but for vision MoE models?')).toEqual([['vision', 'vision']]);
    expect(named('fully binarized ViTs from scratch?')).toEqual([['vision', 'ViTs']]);
    expect(named('knowledge distillation during ASR pretraining')).toEqual([['speech', 'ASR']]);
    expect(named('LoRA continual pretraining on protein sequences')).toEqual([['biology', 'protein']]);
    expect(named('early exit for multimodal models')).toEqual([['multimodal', 'multimodal']]);
  });

  it('reads "code" as a field only where it is one, not the code a paper releases', () => {
    expect(named('metadata conditioning for code LLM pretraining')).toEqual([['code', 'code']]);
    expect(named('MCTS process supervision in code generation')).toEqual([['code', 'code generation']]);
    expect(named('does it work on code?')).toEqual([['code', 'code']]);
    expect(named('is the code for GaLore available?')).toEqual([]);
    expect(named('they released code and weights')).toEqual([]);
  });

  it('reads a field word listed with items of no word of its field as an example of what is asked, not a field', () => {
    expect(named('pretraining on molecule/social networks')).toEqual([]);
    expect(named('make an LLM produce images/audio')).toEqual([]);
    // The language is a field these ask about; finance, listed among other domains, is an example.
    expect(named('japanese domain LLMs (finance, business) - which papers?')).toEqual([['japanese', 'japanese']]);
    expect(named('domain LLMs in japanese:\n- finance\n- patents')).toEqual([['japanese', 'japanese']]);
    // Every item a word of the field: it is read.
    expect(named('speech/audio models')).toEqual([['speech', 'speech']]);
    expect(named('distillation for medical models (clinical, radiology)')).toEqual([['medicine', 'medical']]);
    expect(named('early exit for multimodal / vision-language models')).toEqual([['multimodal', 'multimodal']]);
    // Parentheses that list nothing are no list.
    expect(named('expert pruning for vision MoE models (V-MoE style)?')).toEqual([['vision', 'vision']]);
  });

  it('reads a language work is taken to as a field ("japanese ASR"), beside the modality', () => {
    expect(named('japanese ASR: any continued pretraining work on japanese speech?')).toEqual([
      ['speech', 'ASR'],
      ['japanese', 'japanese'],
    ]);
    expect(named('information extraction from German radiology reports')).toEqual([
      ['medicine', 'radiology'],
      ['german', 'German'],
    ]);
  });

  it('reads no field in a question naming none, nor in words that only contain one', () => {
    expect(named('does deduplicating the pretraining data help?')).toEqual([]);
    expect(named('revision history of the codebase, supervised imagery')).toEqual([]);
  });
});
