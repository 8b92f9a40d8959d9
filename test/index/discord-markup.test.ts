import { describe, expect, it } from 'vitest';
import { asReaderSees, withoutMarkup } from '../../src/index/discord-markup.js';
import { tokenize } from '../../src/index/tokenize.js';

describe('Discord markup as a reader sees it', () => {
  it('shows a custom emoji, still or animated, by its name', () => {
    expect(asReaderSees('<:mmLol:216154654256398347> is this right? <a:b1nzy:392938283556143104>')).toBe(
      ' :mmLol:  is this right?  :b1nzy: ',
    );
  });

  it('leaves out mentions, with a "cc", "ping" or "fyi" that only addresses them', () => {
    const seen = asReaderSees(
      'does dedup help? cc <@80351110224678912> <@!80351110224678912>, ping <@&165511591545143296> fyi: <#103735883630395392>',
    );
    expect(tokenize(seen)).toEqual(tokenize('does dedup help?'));
    // "CC" as a word is Common Crawl, not an address.
    expect(tokenize(asReaderSees('is CC data deduplicated?'))).toContain('cc');
    expect(tokenize(asReaderSees('CC-100 or mC4?'))).toContain('cc');
  });
});

describe('Discord markup as retrieval reads it', () => {
  it('reads a masked link by its words and no link by its address', () => {
    const read = withoutMarkup(
      'dedup in [the D4 paper](https://arxiv.org/abs/2308.12284), see <https://huggingface.co/papers/2308.12284> or https://discord.com/channels/1/2/3',
    );
    expect(tokenize(read)).toEqual(tokenize('dedup in the D4 paper, see or'));
  });

  it("reads a repository's, model's or dataset's link by its name, which is the work's", () => {
    expect(tokenize(withoutMarkup('early-exit LLMs (saw https://github.com/pan-x-c/EE-LLM) and'))).toEqual(
      tokenize('early-exit LLMs (saw EE-LLM) and'),
    );
    expect(tokenize(withoutMarkup('<https://huggingface.co/datasets/HuggingFaceFW/fineweb>, dedup?'))).toEqual(tokenize('fineweb, dedup?'));
    // A paper's page names it by a number only.
    expect(tokenize(withoutMarkup('https://huggingface.co/papers/2402.00838.'))).toEqual([]);
  });

  it('reads an emoji typed by its name as a pictograph, not as words, and a time as a time', () => {
    expect(withoutMarkup(':thinking: does dedup help? :face_with_monocle:')).toBe(' -  does dedup help?  - ');
    expect(tokenize(withoutMarkup('<:thonk:1069413349523812423> does dedup help?'))).toEqual(tokenize('does dedup help?'));
    expect(withoutMarkup('the run at 12:30:45 on a 3:1:1 mix')).toBe('the run at 12:30:45 on a 3:1:1 mix');
    expect(withoutMarkup('Llama-2:7b:chat weights')).toBe('Llama-2:7b:chat weights');
    // So is an emoticon standing alone: ":P" and "xD" are no letters of the question.
    expect(tokenize(withoutMarkup(':P muon vs adamw? xD <3 ;)'))).toEqual(tokenize('muon vs adamw?'));
    expect(withoutMarkup('a 3:1 mix, D3PM and C++')).toBe('a 3:1 mix, D3PM and C++');
  });

  it('leaves out markdown marks: bold, underline, strike-through, spoilers and italics', () => {
    expect(withoutMarkup('**how** __do__ ~~i~~ ||file|| *this* _form_').trim()).toBe('how do i file  this   form');
  });

  it('leaves out a block of code, not a block of prose, and reads the code of a message with nothing else', () => {
    const config = 'is this warmup ok for continued pretraining?\n```yaml\nlr: 3e-4\nwarmup_steps: 2000\n```';
    expect(tokenize(withoutMarkup(config))).toEqual(tokenize('is this warmup ok for continued pretraining?'));
    const trace = 'why?\n```\nTraceback (most recent call last):\n  File "train.py", line 42, in <module>\n    trainer.fit(model)\n```';
    expect(tokenize(withoutMarkup(trace))).toEqual(tokenize('why?'));
    expect(tokenize(withoutMarkup('and this?\n```python\nmodel = AutoModelForCausalLM.from_pretrained(name)\n```'))).toEqual(
      tokenize('and this?'),
    );
    // An abstract pasted in a block is prose, semicolons and "k = 5" and all; so is a question ("tl;dr", "= ?").
    const abstract =
      'Large language models (LLMs) are trained on fixed-length sequences; we propose dataset decomposition, with k = 5 buckets.';
    for (const prose of [abstract, "what's the tl;dr on Fira?", 'for math LLMs, should worked solutions go into pretraining?']) {
      expect(tokenize(withoutMarkup(`thoughts?\n\`\`\`\n${prose}\n\`\`\``))).toEqual(tokenize(`thoughts? ${prose}`));
    }
    // Nothing but code: the code is what there is to read.
    expect(tokenize(withoutMarkup('```\nx = torch.randn(4, 8)\n```'))).toEqual(tokenize('x = torch.randn(4, 8)'));
  });
});
