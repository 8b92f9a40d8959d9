import { describe, expect, it } from 'vitest';
import { bm25Idf } from '../../src/index/bm25f.js';
import { MAX_PARTS, questionParts, sentencesOf, type PartReader, withoutAsides } from '../../src/index/question-parts.js';
import type { TermStats } from '../../src/index/search-store.js';
import { tokenize } from '../../src/index/tokenize.js';

/** A sentence is about something when it names one of these (the engine asks the corpus instead). */
const SUBJECTS = /DropPos|Qwen2VL|LoRA|KV cache|MoE|mixture|distill/i;
const carries: PartReader = { about: (s) => SUBJECTS.test(s), names: (s) => /DropPos|Qwen2VL|LoRA|MoE/.test(s) };

/** Each message read into the parts listed. */
function expectParts(cases: Array<[message: string, parts: string[]]>): void {
  for (const [message, parts] of cases) expect(questionParts(message, carries), message).toEqual(parts);
}

describe('questionParts', () => {
  it('reads numbered questions, on one line or on several, as separate questions; a part about nothing goes with the next', () => {
    expectParts([
      [
        'two qs: 1) what does DropPos do? 2) how many GPU hours did Open-Qwen2VL take?',
        ['two qs: what does DropPos do?', 'how many GPU hours did Open-Qwen2VL take?'],
      ],
      [
        'hi all!\n1. what is LoRA\n2. how do people compress the KV cache\nthanks!',
        ['hi all! what is LoRA', 'how do people compress the KV cache thanks!'],
      ],
      ['- LoRA rank for 7B?\n- best way to shrink the KV cache?', ['LoRA rank for 7B?', 'best way to shrink the KV cache?']],
    ]);
  });

  it('reads a question that opens after another as its own, without the word joining them', () => {
    expectParts([
      [
        'what rank do people use for LoRA? also, how big is the KV cache of a 7B?',
        ['what rank do people use for LoRA?', 'how big is the KV cache of a 7B?'],
      ],
      [
        'what does DropPos pretrain ViTs to do; oh and which MoE papers route by expert choice?',
        ['what does DropPos pretrain ViTs to do', 'which MoE papers route by expert choice?'],
      ],
      // Mid-sentence, "also" before a question word; a pronoun after the part's own subject points at it.
      [
        'how does DropPos train and also what does MoE stand for and what did it score',
        ['how does DropPos train', 'what does MoE stand for and what did it score'],
      ],
      // A question word inside the first part makes it a question; "they" with a subject of its own is whoever did it.
      [
        'for LoRA at 7B, what rank works\nhow did they shrink the MoE KV cache',
        ['for LoRA at 7B, what rank works', 'how did they shrink the MoE KV cache'],
      ],
    ]);
  });

  it('reads two questions joined by a comma as separate only when each names a subject of its own', () => {
    expectParts([
      ['how does DropPos train, and what rank works for LoRA', ['how does DropPos train', 'what rank works for LoRA']],
      ['how does DropPos train, and which LoRA rank works', ['how does DropPos train', 'which LoRA rank works']],
      [
        'what does DropPos pretrain ViTs to do, how many GPU hours did Open-Qwen2VL take?',
        ['what does DropPos pretrain ViTs to do', 'how many GPU hours did Open-Qwen2VL take?'],
      ],
    ]);
    // After a lead-in ("two qs:", "3 things:", a subject and a colon), the first question opens where it ends.
    expectParts([
      ['two qs: how does DropPos train, and what rank works for LoRA', ['two qs: how does DropPos train', 'what rank works for LoRA']],
      [
        '3 things: what is DropPos, what rank works for LoRA, and how do MoE papers route?',
        ['3 things: what is DropPos', 'what rank works for LoRA', 'how do MoE papers route?'],
      ],
      ['DropPos: what does it mask, and what rank works for LoRA', ['DropPos: what does it mask', 'what rank works for LoRA']],
      // The second points back at the lead-in's subject: one question.
      ['DropPos: what does it mask, and how does it compare', ['DropPos: what does it mask, and how does it compare']],
    ]);
    const one = [
      // The second names nothing of its own, or points back: one question in two clauses, the comma kept.
      'what rank works for LoRA, and how big is the KV cache',
      'what is LoRA, how does it compare with full finetuning?',
      'which MoE papers route by expert choice, and how do they compare',
      'why does DropPos lose accuracy at first, and how do i avoid wasting LoRA compute on that?',
      // The first names nothing: context for the question after it.
      'for the KV cache, what does DropPos do',
      // "which" right after a comma opens a relative clause.
      'what are the trade-offs of DropPos, which masks positions of LoRA patches?',
      // A clause setting the scene, and a verb after the comma, go on with the sentence.
      'when finetuning MoE models on DropPos data, which LoRA rank works',
      'what rank works for LoRA on DropPos, should i freeze the MoE router',
      // "also" after a comma parts as before (the joiner marks it), whatever the words name.
      'what rank works for LoRA, also how big is the KV cache',
    ];
    expectParts(one.slice(0, 8).map((q) => [q, [q]]));
    expectParts([[one[8], ['what rank works for LoRA', 'how big is the KV cache']]]);
  });

  it('answers at most MAX_PARTS questions separately: the rest go with the last, however long the list', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `- what does LoRA rank ${i} do?`);
    const parts = questionParts(lines.join('\n'), carries);
    expect(parts).toHaveLength(MAX_PARTS);
    expect(parts[0]).toBe('what does LoRA rank 0 do?');
    expect(parts[MAX_PARTS - 1]).toMatch(/^what does LoRA rank 3 do\? what does LoRA rank 4 do\?.*rank 499 do\?$/);
  });

  it('keeps one question whose later sentence adds to it, points back at it or follows a statement', () => {
    const one = [
      // Not a question of its own.
      'why does mixture of experts work? mechanistic explanations and data explanations',
      // Points back at the first.
      'what is LoRA? how does it compare with full finetuning?',
      // A statement, then its question.
      "I'm tuning a 7B with LoRA. what rank should I use for MoE layers?",
      // An abbreviation's full stop.
      'any work on distilling MoE models, e.g. how much does the student lose?',
      // Only one part is about anything.
      'what is LoRA? thanks so much!',
      // A question run on after another on the same line, unmarked: as often the first one's detail.
      'what is LoRA? how does the KV cache grow',
      // Points back, naming nothing of its own.
      'how does DropPos work? what breaks if you shrink the KV cache they use?',
    ];
    expectParts(one.map((q) => [q, [q]]));
  });
});

describe('sentencesOf', () => {
  it("parts a message where its sentences end, each asking or not; an abbreviation's full stop ends none", () => {
    expect(sentencesOf('back from lunch. the line was long!\n\n- e.g. how many tokens is FineWeb? tell me why my toaster burns')).toEqual([
      { text: 'back from lunch.', asks: false },
      { text: 'the line was long!', asks: false },
      { text: 'e.g. how many tokens is FineWeb?', asks: true },
      { text: 'tell me why my toaster burns', asks: false },
    ]);
    expect(sentencesOf('what is DropPos; is it fast')).toEqual([
      { text: 'what is DropPos', asks: true },
      { text: 'is it fast', asks: true },
    ]);
  });
});

describe('withoutAsides', () => {
  // A corpus of 400 papers using these words (in so many papers each); every other word is one no paper uses.
  const df = new Map<string, number>();
  for (const [words, n] of [
    ['medical llms models evidence base general beat really', 40],
    ['small get unrelated ones', 60],
    ['inference attacks finetuned sota pretraining set', 20],
    ['possible put table answer short', 30],
  ] as const)
    for (const t of tokenize(words)) df.set(t, n);
  const lexical: TermStats = { size: 400, idf: (t) => bm25Idf(400, df.get(t) ?? 0) };
  const reading = { unknownShare: 0.6, reader: { about: (s: string) => /llms|inference|table|short/i.test(s), names: () => true } };
  const question = 'is there evidence that medical LLMs really beat their general base models?';

  it('leaves out a sentence of everyday words beside the question, naming it when it asks', () => {
    const tyres = 'and unrelated, should I get winter tyres or all-season ones for a small hatchback?';
    expect(withoutAsides(`${question} ${tyres}`, lexical, reading)).toEqual({ text: question, asked: [tyres] });
    // A statement on a line of its own is left out too, and not named.
    expect(withoutAsides(`hi team\nmy neighbour's rooster crows at dawn\n${question}`, lexical, reading)).toEqual({
      text: `hi team\n${question}`,
      asked: [],
    });
  });

  it("leaves out the day's news on lines where nothing asks, counting a place's or a person's name as a word no paper uses", () => {
    expect(withoutAsides(`The snow is back. Finally got winter tyres on the car.\n${question}`, lexical, reading)).toEqual({
      text: question,
      asked: [],
    });
    expect(withoutAsides(`greetings from Lisbon\n${question}\ncheers, Marta`, lexical, reading)).toEqual({ text: question, asked: [] });
  });

  it('keeps what may be the question or its detail', () => {
    const cases = [
      // Run on with the question, a statement may be its detail.
      `${question} my neighbour's rooster crows at dawn`,
      `The snow is back. ${question}`,
      // One English word no paper uses is no aside ("need a few refs").
      `${question} any rooster?`,
      // A sentence asking of the answer is about the answer.
      `${question}\nplease keep the answer short, my rooster crows at dawn`,
      // After a comma a question goes on with the words before it.
      'any membership inference lately, what is the sota attack on finetuned medical llms?',
      // No other sentence asks: "if possible put the answer in a table" is no question.
      'how do i file travel reimbursement for neurips, which form\nif possible put the answer in a table',
      // The question left would point back at the aside.
      'how do I fix my sourdough starter? are there medical LLMs for that?',
      // The sentence asking weighs more in corpus words than the one that would be kept.
      'hi there! membership inference attacks to tell if a doc was in my huge pretraining set? would really appreciate a short answer',
    ];
    for (const message of cases) expect(withoutAsides(message, lexical, reading), message).toEqual({ text: message, asked: [] });
  });
});
