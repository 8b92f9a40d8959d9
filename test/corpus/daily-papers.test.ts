import { describe, expect, it } from 'vitest';
import { parseDailyPapersText } from '../../src/corpus/daily-papers.js';
import { extractLinks } from '../../src/corpus/normalize.js';

const FILE = 'fixture.txt';
const parse = (text: string) => parseDailyPapersText(text, FILE);

const ABS_ROUTING =
  'We study token routing in sparse mixture-of-experts language models. Our router balances expert ' +
  'load without auxiliary losses. Experiments on three benchmarks show consistent gains over dense ' +
  'baselines.';
const ABS_VISION =
  'We revisit contrastive pretraining for vision encoders at scale. Increasing the batch size steadily ' +
  'improves zero-shot accuracy. All checkpoints are released.';
const ABS_SPEECH =
  'Speech models are usually trained on a handful of high-resource languages. We collect a corpus covering ' +
  'two hundred languages and pretrain a single encoder on it. The encoder transfers well to unseen ' +
  'languages.';

const HEADER = [
  'new',
  '',
  'Get trending papers in your email inbox!',
  '',
  'Subscribe',
  '',
  'Daily Papers',
  '',
  'byAK and the research community',
  '',
  'Aug 20',
  '',
];

describe('parseDailyPapersText: layouts', () => {
  it('reads blank-line separated title/abstract blocks and drops the page chrome', () => {
    const text = [
      ...HEADER,
      'Sparse Mixture Routing for Efficient Language Models',
      '',
      ABS_ROUTING,
      '',
      'Contrastive Pretraining of Vision Encoders at Scale',
      '',
      ABS_VISION,
      '',
    ].join('\n');
    const r = parse(text);
    expect(r.skipped).toEqual([]);
    expect(r.blocks).toBe(2);
    expect(r.papers.map((p) => p.title)).toEqual([
      'Sparse Mixture Routing for Efficient Language Models',
      'Contrastive Pretraining of Vision Encoders at Scale',
    ]);
    expect(r.papers[0].abstract).toBe(ABS_ROUTING);
    expect(r.papers[1].abstract).toBe(ABS_VISION);
    // 1-based line of the title.
    expect(r.papers[0].line).toBe(HEADER.length + 1);
    expect(r.papers[1].line).toBe(HEADER.length + 5);
  });

  it('reads alternating title/abstract lines with no blank lines between them', () => {
    const text = [
      'Get trending papers in your email inbox once a day!',
      'Get trending papers in your email inbox!',
      'Sparse Mixture Routing for Efficient Language Models',
      ABS_ROUTING,
      'Contrastive Pretraining of Vision Encoders at Scale',
      ABS_VISION,
      'Massively Multilingual Speech Pretraining',
      ABS_SPEECH,
    ].join('\n');
    const r = parse(text);
    expect(r.skipped).toEqual([]);
    expect(r.papers.map((p) => [p.title, p.abstract])).toEqual([
      ['Sparse Mixture Routing for Efficient Language Models', ABS_ROUTING],
      ['Contrastive Pretraining of Vision Encoders at Scale', ABS_VISION],
      ['Massively Multilingual Speech Pretraining', ABS_SPEECH],
    ]);
    expect(r.papers.map((p) => p.line)).toEqual([3, 5, 7]);
  });

  it('handles CRLF line endings like LF', () => {
    const text = ['Sparse Mixture Routing for Efficient Language Models', '', ABS_ROUTING, ''].join('\r\n');
    const r = parse(text);
    expect(r.papers).toHaveLength(1);
    expect(r.papers[0].title).toBe('Sparse Mixture Routing for Efficient Language Models');
    expect(r.papers[0].abstract).toBe(ABS_ROUTING);
  });

  it('reads the metadata lines after a block: authors, date with year and upvotes, date without year', () => {
    const text = [
      ...HEADER,
      'Sparse Mixture Routing for Efficient Language Models',
      '',
      ABS_ROUTING,
      '',
      '  • 3 authors',
      '·',
      'Sep 11, 2023 4',
      '',
      'Contrastive Pretraining of Vision Encoders at Scale',
      '',
      ABS_VISION,
      '',
      '  • 1 authors',
      '·',
      'May 14 2',
      '',
      'Massively Multilingual Speech Pretraining',
      '',
      ABS_SPEECH,
      '',
      '  • 12 authors',
      '·',
      'Jun 18',
      '',
    ].join('\n');
    const r = parse(text);
    expect(r.skipped).toEqual([]);
    expect(r.papers).toHaveLength(3);
    const [a, b, c] = r.papers;
    expect(a).toMatchObject({ authorsCount: 3, date: '2023-09-11', upvotes: 4 });
    expect(a.abstract).toBe(ABS_ROUTING);
    // No year: not a usable date, but the upvote count is still read.
    expect(b).toMatchObject({ authorsCount: 1, upvotes: 2 });
    expect(b.date).toBeUndefined();
    expect(c.authorsCount).toBe(12);
    expect(c.date).toBeUndefined();
    expect(c.upvotes).toBeUndefined();
    // Metadata never leaks into the text.
    for (const p of r.papers) expect(p.abstract).not.toMatch(/authors|·|Sep 11|May 14|Jun 18/);
  });

  it('reads a date with a year but no upvotes', () => {
    const text = [
      'Sparse Mixture Routing for Efficient Language Models',
      '',
      ABS_ROUTING,
      '',
      '  • 2 authors',
      '·',
      'Oct 24, 2024',
      '',
    ].join('\n');
    const [p] = parse(text).papers;
    expect(p).toMatchObject({ authorsCount: 2, date: '2024-10-24' });
    expect(p.upvotes).toBeUndefined();
  });

  it('never turns the page date into a paper date, nor a paper or a title', () => {
    const text = [
      ...HEADER,
      'Sparse Mixture Routing for Efficient Language Models',
      '',
      ABS_ROUTING,
      '',
      'Dec 10',
      '',
      'Contrastive Pretraining of Vision Encoders at Scale',
      '',
      ABS_VISION,
    ].join('\n');
    const r = parse(text);
    expect(r.skipped).toEqual([]);
    expect(r.papers).toHaveLength(2);
    for (const p of r.papers) {
      expect(p.date).toBeUndefined();
      expect(p.title).not.toMatch(/^(Aug 20|Dec 10)$/);
      expect(p.abstract).not.toMatch(/Aug 20|Dec 10/);
    }
  });

  it('drops every chrome line and does not count it as a block', () => {
    const chrome = [
      'new',
      'Get trending papers in your email inbox once a day!',
      'Get trending papers in your email inbox!',
      'Subscribe',
      'Daily Papers',
      'byAK and the research community',
      'Trending Papers',
      'Submit',
      'Aug 20',
    ];
    const r = parse([...chrome, 'Sparse Mixture Routing for Efficient Language Models', ABS_ROUTING].join('\n'));
    expect(r.blocks).toBe(1);
    expect(r.skipped).toEqual([]);
    expect(r.papers.map((p) => p.title)).toEqual(['Sparse Mixture Routing for Efficient Language Models']);
    expect(parse(chrome.join('\n\n'))).toEqual({ papers: [], blocks: 0, skipped: [] });
  });

  it('strips chrome glued to the first title', () => {
    const title = 'MT-Ladder: A Model-Agnostic Framework Boosting LLM-based Machine Translation to the Next Level';
    const r = parse(['Get trending papers in your email inbox!', `Subscribe${title}`, ABS_ROUTING].join('\n'));
    expect(r.papers.map((p) => p.title)).toEqual([title]);

    const r2 = parse([`Daily Papers${'Massively Multilingual Speech Pretraining'}`, '', ABS_SPEECH].join('\n'));
    expect(r2.papers.map((p) => p.title)).toEqual(['Massively Multilingual Speech Pretraining']);
  });

  it('does not strip a word that merely starts like chrome', () => {
    const r = parse(['Subscriber Churn Prediction with Graph Networks', '', ABS_ROUTING].join('\n'));
    expect(r.papers[0].title).toBe('Subscriber Churn Prediction with Graph Networks');
  });

  it('reports a block without an abstract with its file and line, and keeps the other papers', () => {
    const text = [
      'Sparse Mixture Routing for Efficient Language Models',
      '',
      ABS_ROUTING,
      '',
      'An Orphan Title Whose Abstract Went Missing',
      '',
      'Contrastive Pretraining of Vision Encoders at Scale',
      '',
      ABS_VISION,
    ].join('\n');
    const r = parse(text);
    expect(r.papers.map((p) => p.title)).toEqual([
      'Sparse Mixture Routing for Efficient Language Models',
      'Contrastive Pretraining of Vision Encoders at Scale',
    ]);
    expect(r.blocks).toBe(3);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toMatchObject({ file: FILE, line: 5 });
    expect(r.skipped[0].reason).toMatch(/An Orphan Title Whose Abstract Went Missing/);
    expect(r.skipped[0].reason).toMatch(/no abstract/);
  });

  it('reports a trailing title without an abstract', () => {
    const r = parse(['Sparse Mixture Routing for Efficient Language Models', ABS_ROUTING, 'A Title At The Very End'].join('\n'));
    expect(r.papers).toHaveLength(1);
    expect(r.skipped).toEqual([{ file: FILE, line: 3, reason: expect.stringContaining('A Title At The Very End') }]);
  });

  it('reports prose that appears before any title', () => {
    const r = parse([ABS_SPEECH, '', 'Sparse Mixture Routing for Efficient Language Models', '', ABS_ROUTING].join('\n'));
    expect(r.papers).toHaveLength(1);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toMatchObject({ file: FILE, line: 1 });
    expect(r.skipped[0].reason).toMatch(/without a title/);
  });

  it('keeps multi-paragraph abstracts together, paragraphs separated by a blank line', () => {
    const p1 = 'Large language models are expensive to serve. We propose a cascade that routes easy queries to a small model.';
    const p2 =
      'On four benchmarks the cascade matches the large model while cutting cost by sixty percent. Ablations show the router is the key component.';
    const p3 = 'Code and models: https://github.com/example-org/llm-cascade';
    const text = [
      'Cheap Cascades for Serving Language Models',
      '',
      p1,
      '',
      p2,
      '',
      p3,
      '',
      'Contrastive Pretraining of Vision Encoders at Scale',
      '',
      ABS_VISION,
    ].join('\n');
    const r = parse(text);
    expect(r.skipped).toEqual([]);
    expect(r.papers.map((p) => p.title)).toEqual([
      'Cheap Cascades for Serving Language Models',
      'Contrastive Pretraining of Vision Encoders at Scale',
    ]);
    expect(r.papers[0].abstract).toBe([p1, p2, p3].join('\n\n'));
    expect(r.papers[0].links).toEqual(['https://github.com/example-org/llm-cascade']);
    expect(r.papers[1].abstract).toBe(ABS_VISION);
  });

  it('extracts GitHub and project URLs from abstracts into links, trailing punctuation trimmed', () => {
    const abstract =
      'We release a benchmark for long-context retrieval. Code is available at https://github.com/example-org/needle-bench. ' +
      'Demos are on the project page (https://example-org.github.io/needle/), and weights at https://huggingface.co/example-org/needle-7b, for research use.';
    const r = parse(['Needle Bench: Long-Context Retrieval at Scale', '', abstract].join('\n'));
    expect(r.papers).toHaveLength(1);
    expect(r.papers[0].abstract).toBe(abstract);
    expect(r.papers[0].links).toEqual([
      'https://github.com/example-org/needle-bench',
      'https://example-org.github.io/needle/',
      'https://huggingface.co/example-org/needle-7b',
    ]);
  });

  it('gives an empty links list when the abstract has no URL', () => {
    expect(parse(['Sparse Mixture Routing for Efficient Language Models', ABS_ROUTING].join('\n')).papers[0].links).toEqual([]);
  });

  it('cleans zero-width characters, tabs and repeated spaces', () => {
    const r = parse(
      ['\u200BSparse  Mixture\tRouting for Efficient Language Models ', '', `  ${ABS_ROUTING.replace('study', 'study\u00A0 ')}`].join('\n'),
    );
    expect(r.papers[0].title).toBe('Sparse Mixture Routing for Efficient Language Models');
    expect(r.papers[0].abstract).toBe(ABS_ROUTING);
  });
});

describe('extractLinks', () => {
  it('trims sentence punctuation and unbalanced closing brackets but keeps balanced ones', () => {
    expect(extractLinks('See https://github.com/a/b.')).toEqual(['https://github.com/a/b']);
    expect(extractLinks('(code: https://github.com/a/b), and more;')).toEqual(['https://github.com/a/b']);
    expect(extractLinks('at https://en.wikipedia.org/wiki/Fish_(food) today')).toEqual(['https://en.wikipedia.org/wiki/Fish_(food)']);
    expect(extractLinks('[https://github.com/a/b]')).toEqual(['https://github.com/a/b']);
  });

  it('de-duplicates in order of appearance', () => {
    expect(extractLinks('https://github.com/a/b and https://x.org/p and again https://github.com/a/b.')).toEqual([
      'https://github.com/a/b',
      'https://x.org/p',
    ]);
  });

  it('does not glue a LaTeX \\url{...} remnant onto the link', () => {
    expect(extractLinks('Project page: https://llm-stacking.github.io/{https://llm-stacking.github.io/}.')).toEqual([
      'https://llm-stacking.github.io/',
    ]);
    expect(extractLinks('Code at \\url{https://github.com/a/b}.')).toEqual(['https://github.com/a/b']);
  });
});
