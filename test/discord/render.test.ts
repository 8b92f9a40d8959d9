/** Pure render helpers: message splitting, embed limits, custom ids, recap. */
import { describe, expect, it } from 'vitest';
import type { AnswerRecord } from '../../src/discord/feedback.js';
import { ThreadSources } from '../../src/answer/thread-sources.js';
import { buildThreadRecap, leadSentences } from '../../src/discord/services/recap.js';
import { answerIdFromComponents, parseCustomId, renderAnswer, renderSourcesList, sourcesEmbed } from '../../src/discord/render/answer.js';
import { embedLength, fitEmbed } from '../../src/discord/render/embed.js';
import { splitMessage, StreamLayout } from '../../src/discord/render/split.js';
import { escapeMarkdownText, mdLink, neutralizeMentions, safeUrl, threadNameFor, truncate } from '../../src/discord/render/text.js';

function fencesBalanced(part: string): boolean {
  return (part.match(/^[ \t]*```/gm) ?? []).length % 2 === 0;
}

describe('splitMessage', () => {
  it('keeps short text whole and splits long text at paragraph breaks', () => {
    expect(splitMessage('hello [1].')).toEqual(['hello [1].']);
    const para = 'A sentence about attention [1]. '.repeat(20).trim();
    const text = Array.from({ length: 8 }, () => para).join('\n\n');
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.startsWith('A sentence')).toBe(true);
      expect(p.endsWith('[1].')).toBe(true);
    }
    expect(parts.join('\n\n')).toBe(text);
  });

  it('never cuts inside a citation marker, even with no whitespace nearby', () => {
    // Markers packed so that a naive cut at 2000 would land inside one.
    for (let offset = 0; offset < 12; offset++) {
      const text = `${'x'.repeat(offset)} ${Array.from({ length: 400 }, (_, i) => `w[${(i % 12) + 1}][${(i % 7) + 10}, 3]`).join(' ')}`;
      const parts = splitMessage(text);
      for (const p of parts) {
        expect(p.length).toBeLessThanOrEqual(2000);
        expect(p).not.toMatch(/\[[\d, ]*$/);
        expect(p).not.toMatch(/^[\d, ]*\]/);
      }
      const markers = (t: string) => t.match(/\[[\d, ]+\]/g) ?? [];
      expect(parts.flatMap(markers)).toEqual(markers(text));
    }
  });

  it('ends a message before a code block rather than inside it', () => {
    const code = `\`\`\`py\n${Array.from({ length: 30 }, (_, i) => `x_${i} = compute(${i})  # step`).join('\n')}\n\`\`\``;
    const text = `${'Intro sentence [1]. '.repeat(80)}\n\n${code}\n\nAfter the code [2].`;
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(fencesBalanced(p)).toBe(true);
    }
    expect(parts.some((p) => p.includes(code))).toBe(true);
  });

  it('closes and reopens a code block that cannot fit in one message, keeping the language', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `let value_${i} = ${i} * factor; // line ${i}`);
    const text = `\`\`\`ts\n${lines.join('\n')}\n\`\`\`\nDone [1].`;
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    for (const [k, p] of parts.entries()) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(fencesBalanced(p)).toBe(true);
      if (k > 0 && k < parts.length - 1) expect(p.startsWith('```ts\n')).toBe(true);
    }
    // Every code line survives exactly once, whole.
    const seen = parts
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('let value_'));
    expect(seen).toEqual(lines);
  });

  it('does not split surrogate pairs and handles a 4000-char single word', () => {
    const emoji = '😀'.repeat(1500);
    const parts = splitMessage(emoji);
    expect(parts.join('')).toBe(emoji);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.charCodeAt(p.length - 1)).not.toBe(0xd83d);
    }
    expect(splitMessage('y'.repeat(4000)).map((p) => p.length)).toEqual([2000, 2000]);
  });

  it('a streamed preview hides a half-written marker and marks the text as in progress', () => {
    expect(new StreamLayout().layout('Attention helps [1')).toEqual(['Attention helps …']);
    expect(new StreamLayout().layout('')).toEqual(['…']);
  });

  it('streaming past one message finishes it and continues in the next; nothing shown ever shrinks or changes', () => {
    const layout = new StreamLayout(300);
    const words = 'Dataset decomposition trains on buckets of equal-length sequences [1]. '.repeat(40);
    let previous: string[] = [];
    for (let end = 1; end <= words.length; end += 7) {
      const parts = layout.layout(words.slice(0, end));
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(300);
      // Finished messages never change again; the live one only grows.
      for (let n = 0; n < previous.length - 1; n++) expect(parts[n]).toBe(previous[n]);
      const live = previous.at(-1)?.replace(/ …$/, '') ?? '';
      const now = parts[previous.length - 1]?.replace(/ …$/, '') ?? '';
      if (previous.length && live !== '…') expect(now.startsWith(live)).toBe(true);
      for (const p of parts) expect(p).not.toMatch(/\[\d*$|\[\d* …$/);
      previous = parts;
    }
    previous = layout.layout(words);
    expect(previous.length).toBeGreaterThanOrEqual(9);
    // Together the finished messages and the live one hold the whole text, in order.
    // (A message may end mid-word when that is what it already showed: compare without spaces.)
    const joined = previous.map((p) => p.replace(/ …$/, '')).join('');
    expect(joined.replace(/\s+/g, '')).toBe(words.replace(/\s+/g, ''));
  });

  it('a code block cut between two streamed messages is closed in one and reopened in the next', () => {
    const code = ['```python', ...Array.from({ length: 40 }, (_, i) => `    x[${i}] = f(x[${i - 1}])  # step ${i}`), '```'].join('\n');
    const parts = new StreamLayout(400).layout(`Here is the loop:\n\n${code}\n\nThat is all [1].`);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts.slice(0, -1)) expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(parts[1].startsWith('```\n')).toBe(true);
  });
});

function record(over: Partial<AnswerRecord> = {}): AnswerRecord {
  return {
    type: 'answer',
    answerId: 'abc123def456',
    time: new Date().toISOString(),
    kind: 'ask',
    question: 'What is attention?',
    answer: 'Attention relates tokens [1]. It scales quadratically [2].',
    mode: 'extractive',
    abstained: false,
    citations: [
      {
        marker: 1,
        paperId: 'p1',
        title: 'Attention [Is] All (You) Need',
        url: 'https://arxiv.org/search/?query=Attention%20(x)&searchtype=title',
        links: ['https://github.com/a/b'],
      },
      { marker: 2, paperId: 'p2', title: 'Long *context*', url: 'https://example.org/p2', links: [] },
    ],
    sources: [
      {
        marker: 1,
        paperId: 'p1',
        title: 'Attention [Is] All (You) Need',
        url: 'https://arxiv.org/search/?query=Attention%20(x)&searchtype=title',
        links: ['https://github.com/a/b'],
        score: 1.2,
        date: '2024-01-02',
      },
      { marker: 2, paperId: 'p2', title: 'Long *context*', url: 'https://example.org/p2', links: [], score: 0.8 },
      { marker: 3, paperId: 'p3', title: 'Not cited', url: 'https://example.org/p3', links: [], score: 0.5 },
    ],
    droppedCitations: 0,
    retrievalMode: 'lexical',
    ...over,
  };
}

describe('answer rendering', () => {
  it('puts the sources embed and buttons on the last part; links are escaped and balanced', () => {
    const msgs = renderAnswer(record());
    expect(msgs).toHaveLength(1);
    expect(msgs[0].content.startsWith('**Q:** What is attention?\n\n')).toBe(true);
    // The question echoed as one plain line: its bold and its code block would show as escaped marks.
    const marked = renderAnswer(record({ question: '**is this warmup ok?** :thinking:\n```yaml\nlr: 3e-4\nwarmup_steps: 2000\n```' }));
    expect(marked[0].content.startsWith('**Q:** is this warmup ok?\n\n')).toBe(true);
    const e = msgs[0].embeds![0];
    expect(e.title).toBe('Sources');
    expect(e.description).toContain(
      '**[1]** [Attention \\[Is\\] All (You) Need](https://arxiv.org/search/?query=Attention%20%28x%29&searchtype=title) · 2024-01-02',
    );
    expect(e.description).toContain('**[2]** [Long \\*context\\*](https://example.org/p2)');
    expect(e.description).not.toContain('Not cited');
    expect(msgs[0].components![0].components.map((c) => (c as { custom_id: string }).custom_id)).toEqual([
      'fb:up:abc123def456',
      'fb:down:abc123def456',
      'src:abc123def456',
    ]);
  });

  it('shows answer text without control sequences or masked links, and leaves code alone', () => {
    const code = '```py\nx = [a](b)\n    y = 1\n```';
    const answer =
      '\u001b]0;title\u0007\u001b[31mAttention relates tokens [1].\u001b[0m Code: [Official paper](https://evil.example/p).\n\n' +
      `${code}\n\nInline \`[k](v)\` stays.`;
    const [msg] = renderAnswer(record({ answer }));
    for (const c of ['\u001b', '\u0007']) expect(msg.content).not.toContain(c);
    expect(msg.content).toContain('Attention relates tokens [1]. Code: Official paper (<https://evil.example/p>).');
    expect(msg.content).toContain(code);
    expect(msg.content).toContain('Inline `[k](v)` stays.');
  });

  it('an abstention has its own footer, never "checked against the sources"', () => {
    const footer = (over: Partial<AnswerRecord>) => renderAnswer(record(over)).at(-1)!.embeds![0].footer!.text;
    expect(footer({ mode: 'llm', chatModel: 'm1' })).toMatch(/^Answer by m1, checked against the sources/);
    const byModel = footer({ mode: 'llm', chatModel: 'm1', abstained: true, citations: [] });
    expect(byModel).toMatch(/^No answer: m1 found the sources insufficient/);
    expect(byModel).not.toMatch(/checked against the sources/);
    expect(footer({ mode: 'extractive', abstained: true, citations: [] })).toMatch(/^No answer: the corpus does not cover this/);
  });

  it('respects embed limits with hundreds of long sources', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      marker: i + 1,
      paperId: `p${i}`,
      title: 'T'.repeat(400),
      url: `https://example.org/${'x'.repeat(300)}`,
      links: [],
      score: 1,
    }));
    const e = sourcesEmbed(record({ citations: many, sources: many }));
    expect(e.description!.length).toBeLessThanOrEqual(4096);
    expect(e.description).toMatch(/…and \d+ more \(press \*\*Sources\*\*\)$/);
    expect(embedLength(e)).toBeLessThanOrEqual(6000);
    const fitted = fitEmbed({
      title: 't'.repeat(300),
      description: 'd'.repeat(5000),
      fields: Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(2000) })),
      footer: { text: 'f'.repeat(3000) },
    });
    expect(fitted.title!.length).toBeLessThanOrEqual(256);
    expect(fitted.description!.length).toBeLessThanOrEqual(4096);
    expect(fitted.footer!.text.length).toBeLessThanOrEqual(2048);
    expect(embedLength(fitted)).toBeLessThanOrEqual(6000);
    const withFields = fitEmbed({
      description: 'short',
      fields: Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(2000) })),
    });
    expect(withFields.fields!.length).toBe(5); // 5 × 1024 fits in 6000, a sixth would not
    for (const f of withFields.fields!) expect(f.value.length).toBeLessThanOrEqual(1024);
    expect(embedLength(withFields)).toBeLessThanOrEqual(6000);
  });

  it('full source list: every source with url, date and links, split under 2000', () => {
    const parts = renderSourcesList(record());
    expect(parts).toHaveLength(1);
    expect(parts[0]).toContain('**[3]** Not cited');
    expect(parts[0]).toContain('retrieved, not cited');
    expect(parts[0]).toContain('Mentioned in the abstract: <https://github.com/a/b>');
    const many = Array.from({ length: 40 }, (_, i) => ({
      marker: i + 1,
      paperId: `p${i}`,
      title: `Paper ${i} `.repeat(10),
      url: `https://example.org/${i}`,
      links: [],
      score: 1,
    }));
    for (const p of renderSourcesList(record({ sources: many, citations: many }))) expect(p.length).toBeLessThanOrEqual(2000);
  });

  it('custom ids round-trip and junk is rejected', () => {
    expect(parseCustomId('fb:up:abc123def456')).toEqual({ kind: 'feedback', vote: 'up', answerId: 'abc123def456' });
    expect(parseCustomId('fb:down:abc123def456')).toEqual({ kind: 'feedback', vote: 'down', answerId: 'abc123def456' });
    expect(parseCustomId('src:abc123def456')).toEqual({ kind: 'sources', answerId: 'abc123def456' });
    for (const bad of ['fb:maybe:abc123', 'src:', 'src:../../etc', 'other', `src:${'a'.repeat(60)}`])
      expect(parseCustomId(bad)).toBeUndefined();
    expect(answerIdFromComponents([{ components: [{ customId: 'src:abc123def456' }] }])).toBe('abc123def456');
    expect(renderAnswer(record())[0].components![0].components.every((c) => (c as { custom_id: string }).custom_id.length <= 100)).toBe(
      true,
    );
  });

  it('text helpers', () => {
    expect(neutralizeMentions('@everyone and @here')).toBe('@\u200beveryone and @\u200bhere');
    expect(threadNameFor(`<@123> @everyone ${'q'.repeat(200)}`)).toHaveLength(100);
    expect(threadNameFor('<@123>')).toBe('Question');
    // Markdown and emoji tokens, which a thread's name would show raw, are left out.
    expect(threadNameFor(':thinking: **does dedup help?** <:thonk:1069413349523812423>')).toBe('does dedup help?');
    expect(threadNameFor('_is this lr ok?_\n```yaml\nlr: 3e-4\n```')).toBe('is this lr ok?');
    expect(truncate('abc😀def', 5)).toBe('abc…');
    expect(safeUrl('https://x.org/a (b)')).toBe('https://x.org/a%20%28b%29');
    expect(mdLink('a]b', 'javascript:alert(1)')).toBe('a\\]b');
  });

  it('escaped text renders literally on every line; bare URLs and lone ~ | are left intact', () => {
    expect(escapeMarkdownText('**bold** _it_ `code` ~~s~~ ||sp|| [x] back\\slash')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\|\\|sp\\|\\| \\[x\\] back\\\\slash',
    );
    expect(escapeMarkdownText('Title\n# Heading\n> quote\n- item')).toBe('Title\n\\# Heading\n\\> quote\n\\- item');
    // A backslash inside a URL would break the autolink.
    expect(escapeMarkdownText('see https://x.org/a_b_c, a ~ b | c')).toBe('see https://x.org/a_b_c, a ~ b | c');
  });
});

describe('thread recap', () => {
  it("numbers the recap with the thread's list: [n] is the paper [n] of the thread's answers and follow-ups", () => {
    const a = record({ answerId: 'aaaa1111', question: 'Q one?', answer: 'First claim [2]. More [1].' });
    // An older record, stored before answers were renumbered into the thread: its [1] is the thread's
    // new paper 4 (the first answer's uncited source p3 took 3), which the recap used to call [3].
    const b = record({
      answerId: 'bbbb2222',
      question: 'Q two?',
      answer: 'Other claim [1].',
      citations: [{ marker: 1, paperId: 'p9', title: 'Ninth', url: 'https://example.org/9', links: [] }],
      sources: [
        { marker: 1, paperId: 'p9', title: 'Ninth', url: 'https://example.org/9', links: [], score: 1 },
        { marker: 2, paperId: 'p8', title: 'Eighth', url: 'https://example.org/8', links: [], score: 0.5 },
      ],
    });
    const records = [a, b, record({ kind: 'recap', answerId: 'cccc3333' })];
    const r = buildThreadRecap(records, { threadName: 'attention?' });
    expect(r.kind).toBe('recap');
    expect(r.answer).toContain('This thread has 2 answered questions:');
    expect(r.answer).toContain('**1. Q one?**\nFirst claim [2]. More [1].');
    expect(r.answer).toContain('**2. Q two?**\nOther claim [4].');
    const thread = ThreadSources.fromRecords(records);
    for (const c of r.citations) expect(c.marker, c.title).toBe(thread.markerOf(c.paperId));
    expect(r.citations.map((c) => [c.marker, c.paperId])).toEqual([
      [1, 'p1'],
      [2, 'p2'],
      [4, 'p9'],
    ]);
    // Its sources are the whole thread list in order (the Sources button shows every number given out).
    expect(r.sources.map((s) => [s.marker, s.paperId])).toEqual([
      [1, 'p1'],
      [2, 'p2'],
      [3, 'p3'],
      [4, 'p9'],
      [5, 'p8'],
    ]);
    // Stored, the recap changes no number, and "it" still means the last answer's paper.
    const after = ThreadSources.fromRecords([...records, r]);
    expect(after.all()).toEqual(thread.all());
    expect(after.focus).toBe(4);
    expect(leadSentences(`_Showing an extractive digest because x._\n\nOne [1]. Two [2]. ${'Three. '.repeat(100)}`)).toMatch(
      /^One \[1\]\. Two \[2\]\./,
    );
    // An offline digest's line is what its best paper says, not the canned "Found 5 relevant papers" opener.
    const digest =
      'Found 5 relevant papers in the corpus; the closest match is "Prepacking" [1].\n\n' +
      '**Prepacking** [1]: Prepacking packs prompts of different lengths into one sequence. It speeds up prefilling.\n\n' +
      '**Other** [2]: Something else.';
    expect(leadSentences(digest)).toMatch(/^\*\*Prepacking\*\* \[1\]: Prepacking packs prompts/);
  });
});
