/**
 * Offline replies that answer, over a small fixture corpus: the sentence that answers the question
 * opens the reply (not an abstract's first sentence), yes/no questions get each paper's finding
 * side by side, and topic summaries are grouped into named themes without the papers that share
 * only one of the topic's words in another sense.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingOf, isYesNoQuestion, keySentences, themesOf } from '../../src/answer/digest.js';
import { statesQuantity } from '../../src/answer/figures.js';
import { answerQuestion, summarizeTopic, type AnswerResult } from '../../src/answer/engine.js';
import { leadParagraph } from '../../src/answer/eval.js';
import { SUMMARIZE } from '../../src/answer/settings.js';
import type { Source } from '../../src/answer/sources.js';
import { buildIndex, type BuiltIndex, FILLER_PAPERS } from './helpers.js';

const DEDUP_BETTER = {
  title: 'Deduplicating Training Data Makes Language Models Better',
  abstract:
    'Large language models are trained on web text that contains many repeated documents. ' +
    'We find that deduplicating the pretraining data improves accuracy on held-out benchmarks and cuts memorized output by 10x. ' +
    'We release the deduplication code.',
};
const DEDUP_SMALL = {
  title: 'When Deduplication Fails: Small Models and Repeated Data',
  abstract:
    'We revisit deduplicating the pretraining data for small language models. ' +
    'Deduplicating the pretraining data does not improve accuracy for models under 100M parameters.',
};
const MIXTURE_PAPERS = [
  {
    title: 'Scaling Laws for Data Mixtures',
    abstract:
      'We fit scaling laws that predict validation loss from the data mixture proportions of web, code and book text. ' +
      'The fitted scaling laws transfer across model sizes.',
  },
  {
    title: 'Data Mixing Laws via Scaling Laws',
    abstract:
      'Scaling laws of the data mixture predict the loss of a large model from small runs. We choose mixture proportions with these scaling laws.',
  },
  {
    title: 'Proxy Models Choose Domain Weights',
    abstract:
      'A small proxy model learns domain weights for the data mixture. The proxy weights transfer to large models and speed up pretraining.',
  },
  {
    title: 'Online Data Mixture Reweighting with a Proxy',
    abstract:
      'We reweight the data mixture online with a proxy model trained alongside. Proxy reweighting reaches the baseline loss sooner.',
  },
];
const MOE_PAPERS = [
  {
    title: 'Sparse Mixture-of-Experts Layers',
    abstract: 'A mixture of experts routes each token to two experts. We train the sparse experts on web data at scale.',
  },
  {
    title: 'Expert Pruning for Mixture-of-Experts Models',
    abstract: 'Pruning the experts of a mixture cuts memory by half. Training data stays unchanged during pruning.',
  },
];
const GATED_MERGE = {
  title: 'Gated Checkpoint Merging for Instruction Tuning',
  abstract:
    'We propose gated checkpoint merging, a way to combine instruction-tuned checkpoints of one base model. ' +
    'Gated checkpoint merging learns one gate per layer of each checkpoint from a few hundred examples. ' +
    'Across twelve benchmarks the merged model achieves an average gain of 4.7 points over the best single checkpoint.',
};
const TEXT_CAP = {
  title: 'Stretching the Text Encoder of Contrastive Image Models',
  abstract:
    'Contrastive image-text encoders read short captions only. ' +
    'Their text input is restricted to 77 tokens, and the effective length is even shorter. ' +
    'We stretch the positional embedding of the text encoder so that contrastive image-text encoders read long captions.',
};
const MODEL_REPORT = {
  title: 'Vireo2.5 Technical Report',
  abstract:
    'We introduce Vireo2.5, a series of open language models in many sizes. ' +
    'Vireo2.5-14B-Chat and Vireo2.5-3B-Chat follow instructions in Vireo2.5 style. ' +
    'For pretraining, we scaled the corpus from 3 trillion tokens to 12 trillion tokens.',
};
const LABEL_NOISE = {
  title: 'Label Noise in Upstream Pretraining',
  abstract:
    'Noisy labels in upstream pretraining hurt transfer to downstream tasks out of distribution. ' +
    'A light tuning method mitigates the harm without access to the weights.',
};
const PARAM_COUNT = {
  title: 'Noisy Labels and Upstream Pretraining at Scale',
  abstract: 'We revisit noisy labels in upstream pretraining. We train a language model with 2.8B parameters for transfer.',
};
const ROUTING_ADAPTERS = {
  title: 'Sparse Routing Adapters for Multilingual Translation',
  abstract:
    'We propose sparse routing adapters for multilingual translation models. ' +
    'Sparse routing adapters send each language pair to a small set of adapters. ' +
    'The routing of the adapters is learned jointly with multilingual translation training. ' +
    'On FLORES the adapters add 2.1 BLEU over dense fine-tuning. ' +
    'Inference cost grows by only 3% with 64 language pairs.',
};
const FILLER = [
  ['Two-Bit Weight Quantization', 'We quantize language model weights to 2 bits with a small calibration set.'],
  ['Packing Prompts for Faster Prefill', 'We pack several prompts into one sequence to compute their KV caches together.'],
  ['Encoders Still Win at Classification', 'Fine-tuned BERT encoders remain strong at sentence classification at small scale.'],
  ['Binarized Language Models', 'We binarize the weights of large language models to 1 bit and keep most accuracy.'],
  ['Self-Supervised Speech Recognition', 'We pretrain on unlabeled speech audio and fine-tune for recognition.'],
  ['Curriculum Schedules for Reinforcement Learning', 'Ordering environments by difficulty speeds up policy learning with sparse rewards.'],
  ['Retrieval-Augmented Code Generation', 'Retrieving similar functions from a repository improves code completion.'],
  ['Vision Transformers Need Registers', 'Artifacts in attention maps disappear when register tokens are added.'],
  ['Long-Context Evaluation Without Leakage', 'A benchmark of long documents written after the cutoff evaluates long-context reasoning.'],
  ['Speculative Decoding with Small Drafts', 'A small draft model proposes tokens that a large model verifies in parallel.'],
  ['Instruction Tuning on Synthetic Dialogues', 'A teacher writes multi-turn dialogues and a student is tuned on them.'],
  ['Pruning Attention Heads After Training', 'Many attention heads can be removed after training with little loss.'],
  ['Tokenizer-Free Byte Models', 'Byte-level models skip the tokenizer and read raw bytes of text.'],
  ['Watermarking Generated Text', 'A secret key biases token choices so generated text can be detected later.'],
].map(([title, abstract]) => ({ title, abstract }));

let dir: string;
let built: BuiltIndex;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-digest-corpus-'));
  const papers = [
    DEDUP_BETTER,
    DEDUP_SMALL,
    GATED_MERGE,
    TEXT_CAP,
    MODEL_REPORT,
    LABEL_NOISE,
    PARAM_COUNT,
    ROUTING_ADAPTERS,
    ...MIXTURE_PAPERS,
    ...MOE_PAPERS,
    ...FILLER,
  ];
  await writeFile(join(dir, 'papers.jsonl'), `${papers.map((p) => JSON.stringify(p)).join('\n')}\n`);
  built = await buildIndex(dir);
});
afterAll(async () => {
  await built?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const markerOf = (r: AnswerResult, title: string) => r.sources.find((s) => s.title === title)?.marker;

describe('offline answers open with what answers the question', () => {
  it('the sentence that answers wins over the abstract’s first sentence, quoted verbatim with its [n]', async () => {
    const r = await answerQuestion(
      { retriever: built.retriever },
      'how much does deduplicating the pretraining data cut memorized output?',
    );
    expect(r.confidence).toBe('high');
    const m = markerOf(r, DEDUP_BETTER.title);
    const lead = leadParagraph(r.answer);
    expect(
      lead.startsWith(
        `We find that deduplicating the pretraining data improves accuracy on held-out benchmarks and cuts memorized output by 10x. [${m}]`,
      ),
    ).toBe(true);
    expect(lead).not.toContain('Large language models are trained on web text');
    // No canned opener: the reply starts with what the paper says.
    expect(r.answer).not.toMatch(/^Found \d+ relevant paper/);
    // Then the evidence paper by paper, without repeating the opening's sentence.
    expect(r.answer).toContain(`**${DEDUP_BETTER.title}** [${m}]: Large language models are trained on web text`);
    expect(r.answer.split('cuts memorized output by 10x').length).toBe(2);
  });

  it('a question asking for a quantity, in chat shorthand or not, opens with a sentence that states one', async () => {
    // The sentences naming the method match more of each question than the one with the number.
    for (const question of ['gated checkpoint merging avg gain?', 'how much does gated checkpoint merging help?']) {
      const r = await answerQuestion({ retriever: built.retriever }, question);
      const m = markerOf(r, GATED_MERGE.title);
      expect(m).toBeDefined();
      expect(leadParagraph(r.answer)).toContain(
        `Across twelve benchmarks the merged model achieves an average gain of 4.7 points over the best single checkpoint. [${m}]`,
      );
    }
  });

  it('a question asking for a limit or a count asks for a quantity ("token limit")', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'whats the text token limit of contrastive image-text encoders again?');
    const m = markerOf(r, TEXT_CAP.title);
    expect(m).toBeDefined();
    expect(leadParagraph(r.answer)).toContain(
      `Their text input is restricted to 77 tokens, and the effective length is even shorter. [${m}]`,
    );
  });

  it('a number inside a name is no quantity: "how many tokens did Vireo2.5 use" opens with the token count', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'how many pretraining tokens did vireo2.5 use?');
    const m = markerOf(r, MODEL_REPORT.title);
    expect(m).toBeDefined();
    expect(leadParagraph(r.answer)).toContain(`For pretraining, we scaled the corpus from 3 trillion tokens to 12 trillion tokens. [${m}]`);
    expect(statesQuantity('We introduce Vireo2.5, a series of open models; Vireo2.5-14B-Chat beats GPT-4o-mini and ResNet-50.')).toBe(
      false,
    );
    expect(statesQuantity('Llama-3-405B-Instruct is around 5 times larger')).toBe(true);
    expect(statesQuantity('a 7B model reaches 85.3% top-1')).toBe(true);
    expect(statesQuantity('trained on 9 trillion tokens')).toBe(true);
  });

  it('asked "how much", the opening takes a number only from the best match or a sentence close to the best one', async () => {
    const r = await answerQuestion(
      { retriever: built.retriever },
      'how much do noisy labels in upstream pretraining hurt downstream transfer?',
    );
    expect(r.citations[0].title).toBe(LABEL_NOISE.title);
    // The other paper is a source, and its number sentence answers part of the question, but little of it.
    expect(markerOf(r, PARAM_COUNT.title)).toBeDefined();
    expect(r.answer).toContain('2.8B parameters');
    expect(leadParagraph(r.answer)).toMatch(/^Noisy labels in upstream pretraining hurt transfer/);
    expect(leadParagraph(r.answer)).not.toContain('2.8B parameters');
  });

  it('a question asking for quantities shows every number its best match states about it, past the usual three sentences', async () => {
    const r = await answerQuestion(
      { retriever: built.retriever },
      'sparse routing adapters for multilingual translation: BLEU gain and inference cost?',
    );
    expect(r.citations[0].title).toBe(ROUTING_ADAPTERS.title);
    expect(r.answer).toContain('2.1 BLEU');
    expect(r.answer).toContain('only 3% with 64 language pairs');
  });

  it('a yes/no question opens with each paper’s finding side by side, the verdict only where the sentence states it', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'does deduplicating the pretraining data help?');
    const yes = markerOf(r, DEDUP_BETTER.title);
    const no = markerOf(r, DEDUP_SMALL.title);
    const finds =
      'We find that deduplicating the pretraining data improves accuracy on held-out benchmarks and cuts memorized output by 10x.';
    const fails = 'Deduplicating the pretraining data does not improve accuracy for models under 100M parameters.';
    // Whichever paper ranks first gives the verdict its sentence states; the other is set against it.
    const expected =
      yes! < no! ? `Yes, in [${yes}]: ${finds} But [${no}] finds: ${fails}` : `No, in [${no}]: ${fails} But [${yes}] finds: ${finds}`;
    expect(leadParagraph(r.answer)).toBe(expected);
  });

  it('a comparison gets the findings side by side without a verdict', async () => {
    const r = await answerQuestion(
      { retriever: built.retriever },
      'is deduplicating the pretraining data better than training on repeated data?',
    );
    expect(leadParagraph(r.answer)).toMatch(/^In \[\d\]: /);
    expect(leadParagraph(r.answer)).not.toMatch(/\b(?:Yes|No),/);
  });

  it('asked whether one thing is the same as another, a finding that it helps is no "yes"', async () => {
    const r = await answerQuestion({ retriever: built.retriever }, 'is deduplicating the pretraining data the same as filtering it?');
    expect(leadParagraph(r.answer)).toMatch(/^In \[\d\]: /);
    expect(leadParagraph(r.answer)).not.toMatch(/\b(?:Yes|No),/);
  });

  it('does not quote where to get the code as what a paper found, unless the question asks for it', () => {
    const paper = {
      title: 'Near-Duplicate Removal at Web Scale',
      abstract:
        'Deduplicating the pretraining data removes a third of the tokens. ' +
        'Our code for deduplicating the pretraining data of language models is publicly available at https://github.com/example/dedup.',
    };
    const lexical = built.retriever.corpus.termStats;
    expect(keySentences('what does deduplicating the pretraining data of language models do?', paper, lexical, 1)).toEqual([
      'Deduplicating the pretraining data removes a third of the tokens.',
    ]);
    expect(keySentences('where is the code for deduplicating the pretraining data of language models?', paper, lexical, 1)).toEqual([
      'Our code for deduplicating the pretraining data of language models is publicly available at https://github.com/example/dedup.',
    ]);
  });

  it('reads yes/no questions and the finding a sentence states', () => {
    expect(isYesNoQuestion('does deduplicating the data help?')).toBe(true);
    expect(isYesNoQuestion('so is X better than Y?')).toBe(true);
    expect(isYesNoQuestion('is there a paper on data mixtures?')).toBe(false);
    expect(isYesNoQuestion('do any papers study data mixtures?')).toBe(false);
    expect(isYesNoQuestion('how does deduplication help?')).toBe(false);
    expect(findingOf('We find that deduplication improves accuracy.')).toBe('yes');
    // Background is no finding: improving something has been a goal, not a result.
    expect(findingOf('Improving accuracy has long been a goal of deduplication.')).toBeUndefined();
    expect(findingOf('Deduplication does not improve accuracy.')).toBe('no');
    expect(findingOf('We study deduplication.')).toBeUndefined();
  });
});

describe('offline topic summaries', () => {
  it('drop papers that share only one of the topic’s words in another sense, and group the rest into named themes', async () => {
    // Without the check, retrieval alone brings the mixture-of-experts papers into the summary.
    const hits = await built.retriever.search('data mixtures', { k: 30 });
    const best = hits[0].score;
    const moeClose = hits.filter(
      (h) => MOE_PAPERS.some((p) => p.title === h.paper.title) && h.score >= best * SUMMARIZE.sources.minRelative,
    );
    expect(moeClose.length).toBeGreaterThan(0);

    const r = await summarizeTopic({ retriever: built.retriever }, 'data mixtures');
    const cited = r.citations.map((c) => c.title).sort();
    expect(cited).toEqual(MIXTURE_PAPERS.map((p) => p.title).sort());
    // Two themes named after the terms their papers share, each listing its papers' markers.
    const heads = r.answer.split('\n').filter((l) => /^\*\*[^*]+\*\* (?:\[\d+\])+$/.test(l));
    expect(heads).toHaveLength(2);
    const theme = (name: RegExp) => heads.find((h) => name.test(h)) ?? '';
    const markers = (titles: string[]) => titles.map((t) => `[${r.citations.find((c) => c.title === t)?.marker}]`).sort();
    expect([...theme(/^\*\*Scaling laws\*\*/).matchAll(/\[\d+\]/g)].map((m) => m[0]).sort()).toEqual(
      markers(MIXTURE_PAPERS.slice(0, 2).map((p) => p.title)),
    );
    expect([...theme(/^\*\*Proxy/).matchAll(/\[\d+\]/g)].map((m) => m[0]).sort()).toEqual(
      markers(MIXTURE_PAPERS.slice(2).map((p) => p.title)),
    );
    for (const c of r.citations) expect(r.answer).toContain(`- **${c.title}** [${c.marker}]: `);
  });

  it('keeps the papers that use the topic’s words together', async () => {
    const r = await summarizeTopic({ retriever: built.retriever }, 'mixture of experts');
    const cited = r.citations.map((c) => c.title);
    for (const p of MOE_PAPERS) expect(cited).toContain(p.title);
  });
});

const THEMED = {
  speculative: [
    {
      title: 'Speculative Decoding with Small Draft Models',
      abstract:
        'Speculative decoding lets a small draft model propose tokens that the large model verifies. ' +
        'Our approach makes speculative decoding twice as fast.',
    },
    {
      title: 'Tree-Based Speculative Decoding',
      abstract:
        'We extend speculative decoding with a tree of draft model guesses. Speculative decoding with trees raises acceptance rates.',
    },
  ],
  kv: [
    {
      title: 'Compressing the KV Cache',
      abstract: 'The KV cache grows with context length. We compress the KV cache to 4 bits with little loss.',
    },
    {
      title: 'Evicting KV Cache Entries',
      abstract: 'We evict KV cache entries of unimportant tokens. Evicting from the KV cache keeps long generations accurate.',
    },
  ],
  continual: [
    {
      title: 'Efficient Continual Pre-Training',
      abstract: 'Continual pre-training (CPT) adapts a model to new domains. CPT with replay avoids forgetting.',
    },
    {
      title: 'Replay in Continual Pre-Training',
      abstract: 'Continual pre-training (CPT) forgets less with replay. CPT with 5% replay matches joint training.',
    },
  ],
};

describe('offline theme names', () => {
  let themed: { dir: string; built: BuiltIndex };
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-themes-corpus-'));
    const papers = [...Object.values(THEMED).flat(), ...FILLER_PAPERS];
    await writeFile(join(dir, 'papers.jsonl'), `${papers.map((p) => JSON.stringify(p)).join('\n')}\n`);
    themed = { dir, built: await buildIndex(dir) };
  });
  afterAll(async () => {
    await themed?.built.cleanup();
    if (themed) await rm(themed.dir, { recursive: true, force: true });
  });

  it('name themes by the phrase their papers share, as written, never across punctuation or by a generic word', async () => {
    const pinned = await themed.built.retriever.pinned();
    const papers = Object.values(THEMED)
      .flat()
      .map((t) => pinned.corpus.papers.find((p) => p.title === t.title)!);
    const sources: Source[] = papers.map((paper, i) => ({ marker: i + 1, paper, score: 1, passages: [], url: '', links: [] }));
    const { themes, rest } = themesOf('efficient language models', sources, pinned.corpus.termStats, SUMMARIZE.digest);
    expect(rest).toEqual([]);
    const byName = new Map(themes.map((t) => [t.name, t.members.map((s) => s.paper.title).sort()]));
    const titles = (group: Array<{ title: string }>) => group.map((p) => p.title).sort();
    expect(byName.get('Speculative decoding')).toEqual(titles(THEMED.speculative));
    // The acronym as the papers write it ("KV", not "Kv").
    expect(byName.get('KV cache')).toEqual(titles(THEMED.kv));
    // "pre-training (CPT)" is no phrase "pre-training CPT".
    const continual = themes.find((t) => t.members.some((s) => s.paper.title === THEMED.continual[0].title))!;
    expect(['CPT', 'Continual pre-training']).toContain(continual.name);
    for (const t of themes) expect(t.name).not.toMatch(/\b(?:models?|approach)\b/i);
  });
});
