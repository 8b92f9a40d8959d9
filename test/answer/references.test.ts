/** The thread's numbered source list and the follow-up reference resolver (offline, no index needed). */
import { describe, expect, it } from 'vitest';
import { profilePaper } from '../../src/answer/compare.js';
import { condensedTranscript } from '../../src/answer/followup.js';
import { paperNames, resolveReferences } from '../../src/answer/references.js';
import { renumberForThread, renumberText, ThreadSources, type ThreadAnswer } from '../../src/answer/thread-sources.js';

const cite = (marker: number, paperId: string, title: string) => ({
  marker,
  paperId,
  title,
  url: `https://example.org/${paperId}`,
  links: [],
});

function answer(papers: Array<[string, string]>, extra: Partial<ThreadAnswer> = {}): ThreadAnswer {
  const citations = papers.map(([id, title], i) => cite(i + 1, id, title));
  return {
    kind: 'followup',
    question: 'q',
    answer: papers.map((_, i) => `Claim [${i + 1}].`).join(' '),
    abstained: false,
    citations,
    sources: citations.map((c) => ({ ...c, score: 1 })),
    ...extra,
  };
}

const FIRST: Array<[string, string]> = [
  ['a', 'DropPos: Pre-Training Vision Transformers by Reconstructing Dropped Positions'],
  ['b', 'Dataset Decomposition: Faster LLM Training with Variable Sequence Length Curriculum'],
  ['c', 'LoRA: Low-Rank Adaptation of Large Language Models'],
  ['d', 'Scaling Laws for Neural Language Models'],
];

function thread(): ThreadSources {
  return ThreadSources.fromRecords([answer(FIRST)]);
}

describe('thread source list', () => {
  it('a paper keeps its number; new papers get the next numbers; markers in the text follow', () => {
    const list = thread();
    const next = renumberForThread(
      answer([
        ['e', 'A New Paper'],
        ['b', FIRST[1][1]],
      ]),
      list,
    );
    expect(next.citations.map((c) => [c.paperId, c.marker])).toEqual([
      ['e', 5],
      ['b', 2],
    ]);
    expect(next.answer).toBe('Claim [5]. Claim [2].');
    // Rebuilt from the stored (renumbered) records, e.g. after a restart: the same numbers.
    const rebuilt = ThreadSources.fromRecords([answer(FIRST), next]);
    expect(rebuilt.markerOf('e')).toBe(5);
    expect(rebuilt.markerOf('b')).toBe(2);
    expect(rebuilt.lastCited).toEqual([2, 5]);
    expect(rebuilt.focus).toBe(5);
  });

  it('renumbering leaves code alone and expands ranges', () => {
    const map = new Map([
      [1, 4],
      [2, 7],
    ]);
    expect(renumberText('See [1-2] and `x[1]`\n```\ny[2]\n```\n[2]', map)).toBe('See [4][7] and `x[1]`\n```\ny[2]\n```\n[7]');
  });

  it('abstentions add nothing; a recap keeps the thread numbers, a paper new to it gets the next, and "it" stays on the last answer', () => {
    const recap = answer(
      [
        ['b', FIRST[1][1]],
        ['y', 'Y'],
      ],
      { kind: 'recap' },
    );
    const list = ThreadSources.fromRecords([answer(FIRST), answer([['z', 'Z']], { abstained: true }), recap]);
    expect(list.size).toBe(5);
    expect(list.markerOf('z')).toBeUndefined();
    expect(list.markerOf('b')).toBe(2);
    expect(list.markerOf('y')).toBe(5);
    expect(list.focus).toBe(1);
    expect(list.lastCited).toEqual([1, 2, 3, 4]);
  });
});

describe('reference resolver', () => {
  const list = thread();
  const r = (q: string) => resolveReferences(q, list);

  it('ordinals', () => {
    expect(r('what about the second one?').markers).toEqual([2]);
    expect(r('Tell me more about the last paper').markers).toEqual([4]);
    expect(r('and the third?').markers).toEqual([3]);
    expect(r('how does the first source train?').markers).toEqual([1]);
  });

  it('ordinals count over the whole thread list, the same numbers as markers, when the latest answer cited others', () => {
    // Answer 1 numbers a..d as 1..4; answer 2 cites e (new, 5) and c (3): its own list is [3, 5].
    const two = ThreadSources.fromRecords([
      answer(FIRST),
      answer([
        ['e', 'Efficient Streaming Language Models with Attention Sinks'],
        ['c', FIRST[2][1]],
      ]),
    ]);
    expect(two.lastCited).toEqual([3, 5]);
    const at = (q: string) => resolveReferences(q, two);
    expect(at('what about the second one?')).toMatchObject({ markers: [2], how: ['ordinal'] });
    expect(at('what about the second one?').markers).toEqual(at('what about [2]?').markers);
    expect(at('Tell me more about the last paper').markers).toEqual([5]);
    expect(at('and the first?').markers).toEqual([1]);
    expect(at('compare the first two')).toMatchObject({ markers: [1, 2], compare: true });
    expect(at('summarize the last 2 papers').markers).toEqual([4, 5]);
    // What points back at the latest answer still does: "the latter", "they".
    expect(at('and the latter?').markers).toEqual([5]);
    expect(at('the former?').markers).toEqual([3]);
    expect(at('compare them').markers).toEqual([3, 5]);
    // A run of a different kind of thing is not a reference.
    for (const q of ['what do the first two layers learn?', 'how did accuracy change in the last 3 epochs?', 'in the last 3.'])
      expect(at(q).markers, q).toEqual([]);
  });

  it('markers', () => {
    expect(r('what does [2] report?').markers).toEqual([2]);
    expect(r('compare 1 and 3')).toMatchObject({ markers: [1, 3], compare: true });
    expect(r('what about 2 and 4?').markers).toEqual([2, 4]);
    expect(r('explain [1, 3]').markers).toEqual([1, 3]);
    expect(r('is paper 3 better than paper 4?').markers).toEqual([3, 4]);
  });

  it('titles and method names', () => {
    expect(r('How does DropPos handle positions?').markers).toEqual([1]);
    expect(r('is lora cheaper to train?').markers).toEqual([3]);
    expect(r('summarize scaling laws for neural language models').markers).toEqual([4]);
  });

  it('pronouns', () => {
    expect(r('how much faster is its training?').markers).toEqual([1]);
    expect(r('what data does that method use?').markers).toEqual([1]);
    expect(r('compare them')).toMatchObject({ markers: [1, 2, 3, 4], compare: true });
    expect(r('compare it with [3]').markers).toEqual([1, 3]);
    // A choice among the papers just cited.
    expect(r('which one is cheaper to train?').markers).toEqual([1, 2, 3, 4]);
    expect(r("ok which one's about audio?").markers).toEqual([1, 2, 3, 4]);
  });

  it('measured against a baseline is no comparison of the thread papers: "they" is the paper in focus', () => {
    for (const q of [
      'whats the compute reduction they claim vs the vanilla baseline?',
      'what did they compare against?',
      'how much faster is it compared to FlashAttention?',
      'what accuracy do they get versus full fine-tuning?',
    ])
      expect(r(q), q).toMatchObject({ markers: [1], compare: false });
    // Against each other, or against another paper of the thread, it still is.
    expect(r('how do they compare?')).toMatchObject({ markers: [1, 2, 3, 4], compare: true });
    expect(r('how does it compare to the second one?')).toMatchObject({ compare: true });
    expect(r('them vs each other?')).toMatchObject({ markers: [1, 2, 3, 4], compare: true });
    expect(r('compare it with [3]')).toMatchObject({ markers: [1, 3], compare: true });
    expect(r('[1] vs [2]')).toMatchObject({ markers: [1, 2], compare: true });
  });

  it('no false positives on ordinary questions', () => {
    for (const q of [
      'what is the second law of thermodynamics?',
      'which was the first method to use attention?',
      'models with between 2 and 4 layers',
      'results from 2019 and 2020',
      'how do diffusion models generate video?',
      'what is the last layer of a transformer for?',
      'training at 1 or 3 epochs',
    ])
      expect(r(q).markers, q).toEqual([]);
    // And nothing at all without a thread.
    expect(resolveReferences('what about the second one?', new ThreadSources()).markers).toEqual([]);
  });

  it('names of a title', () => {
    expect(paperNames('DropPos: Pre-Training Vision Transformers by Reconstructing Dropped Positions').tokens).toContain('droppos');
    expect(paperNames('Dataset Decomposition: Faster LLM Training').tokens).not.toContain('llm');
  });
});

describe('comparison profile and transcript', () => {
  it('picks problem, method, data and numbers from the abstract', () => {
    const p = profilePaper({
      abstract:
        'Training large models is expensive and slow. We propose FastTrain, a curriculum over sequence lengths. ' +
        'We pre-train 1B models on 137B tokens of the RefinedWeb dataset. FastTrain reaches the same accuracy 3x faster and improves 2.4% on average.',
    });
    expect(p.problem).toMatch(/expensive/);
    expect(p.method).toMatch(/We propose FastTrain/);
    expect(p.data).toMatch(/137B tokens/);
    expect(p.numbers).toMatch(/3x faster/);
  });

  it('condensed transcript: questions, trimmed answers, cited papers', () => {
    const text = condensedTranscript(
      [
        {
          question: 'What is DropPos?',
          answer: `DropPos drops positions [1]. ${'x '.repeat(400)}`,
          citedTitles: ['DropPos'],
          citedMarkers: [1],
        },
      ],
      { numbered: true, answerChars: 100 },
    );
    expect(text).toContain('User: What is DropPos?');
    expect(text).toContain('Assistant (trimmed): DropPos drops positions [1].');
    expect(text).toContain('Papers cited: [1] DropPos');
    expect(text.length).toBeLessThan(250);
    expect(
      condensedTranscript([{ question: 'q', answer: 'A [1].', citedTitles: ['T'], citedMarkers: [1] }], { numbered: false }),
    ).toContain('Assistant (trimmed): A.');
    // A message replied to on Discord was never answered: no empty answer line stands for one.
    expect(condensedTranscript([{ question: 'What is dataset decomposition?', answer: '' }], { numbered: true })).toBe(
      'User: What is dataset decomposition?',
    );
  });
});
