import { describe, expect, it } from 'vitest';
import { askersLanguage } from '../../src/index/asker-language.js';
import { tokenize } from '../../src/index/tokenize.js';

// The corpus words of these tests: an English ML corpus.
const CORPUS = new Set(tokenize('LoRA QLoRA low-rank adaptation token method model training et al'));
const known = (t: string) => CORPUS.has(t);
/** The question's terms read as the asker's language. */
const foreignTerms = (question: string) => tokenize(question).filter(askersLanguage(question, known));

describe('askersLanguage', () => {
  it.each([
    ['was ist LoRA?', 'ist'],
    ['Was ist der Unterschied zwischen LoRA und QLoRA?', 'ist der Unterschied zwischen und'],
    ['¿cuál es la diferencia entre LoRA y QLoRA?', 'cuál es la diferencia entre'],
    ["qu'est-ce que LoRA ?", "qu'est-ce que"],
    ['o que é LoRA?', 'que'],
    ["che cos'è LoRA?", "che cos'è"],
  ])('reads a question in a language written in Latin letters by its function words: %s', (question, words) => {
    expect(foreignTerms(question)).toEqual(tokenize(words));
  });

  it('reads words in another script than Latin as the asker’s, with or without function words', () => {
    expect(foreignTerms('LoRA는 뭐야?')).toEqual(['뭐야']);
    expect(foreignTerms('什么是LoRA?')).toEqual(['什么是']);
    expect(foreignTerms('что такое LoRA?')).toEqual(['что', 'такое']);
  });

  it.each([
    'LoRA vs the method of de Vries et al.?',
    'is LoRA better per token than the previous SOTA, yo?',
    'LoRA (short answer is fine, no essay needed)',
    'keep it simple pls, im not an expert — what is LoRA',
    'did the Des Moines team use LoRA?',
    'does LoRA help sign language translation?',
  ])('reads no English question as another language: %s', (question) => {
    expect(foreignTerms(question)).toEqual([]);
  });

  it('never reads a corpus word as the asker’s language', () => {
    // "et" is a corpus word here ("et al."), so it is no evidence of French, and stays a corpus word.
    expect(foreignTerms('LoRA et QLoRA')).toEqual([]);
    expect(foreignTerms('la méthode LoRA et la méthode QLoRA')).toEqual([]);
    expect(foreignTerms('la méthode LoRA et la méthode QLoRA pour le fine-tuning')).toEqual(
      tokenize('la méthode la méthode pour le fine-tuning'),
    );
  });
});
