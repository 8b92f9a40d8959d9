/**
 * Split evidence: a question about X-in-context-Y abstains when the corpus has papers on X and,
 * separately, papers on Y, but none on both; it answers once such a paper exists. Driven through
 * the engine over small fixture corpora, so each case is about the decision, not the shipped data.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusTerms, decideConfidence, entityMentions } from '../../src/answer/abstain.js';
import { ASK } from '../../src/answer/settings.js';
import { answerQuestion, summarizeTopic } from '../../src/answer/engine.js';
import { asksSeveral, measureEvidence } from '../../src/answer/sources.js';
import { buildIndex, type BuiltIndex, FILLER_PAPERS } from './helpers.js';

const PAPERS = [
  {
    title: 'Two-Bit Weight Quantization Without Accuracy Loss',
    abstract:
      'We study post-training quantization of large language model weights. With a small calibration set, ' +
      'our method quantizes weights down to 2 bits. Accuracy loss stays below one point on standard benchmarks.',
  },
  {
    title: 'Calibrated Rounding for Low-Bit Quantization',
    abstract:
      'Rounding weights to the nearest grid point is suboptimal. We learn rounding offsets for 3-bit and ' +
      '4-bit quantization with a calibration set, improving accuracy over round-to-nearest.',
  },
  {
    title: 'Packing Prompts for Faster Prefill',
    abstract:
      'During inference, prefilling computes the KV cache for the prompt tokens before generation. We pack ' +
      'several prompts into one sequence and compute their KV caches together, which raises throughput.',
  },
  {
    title: 'Encoders Still Win at Sentence Classification',
    abstract:
      'We compare BERT and RoBERTa encoders with decoder models on sentence classification benchmarks and ' +
      'find that fine-tuned encoders remain strong at small scale.',
  },
  {
    title: 'Binarized Language Models',
    abstract:
      'We binarize the weights of large language models to 1 bit. With 1-bit weights, binarized models ' +
      'keep most of their accuracy on language benchmarks while using far less memory, and binarization ' +
      'needs no retraining from scratch.',
  },
  {
    title: 'Self-Supervised Speech Recognition at Scale',
    abstract:
      'Speech recognition benefits from self-supervised audio encoders. We pretrain on unlabeled speech ' +
      'and fine-tune for recognition, reducing word error rates in low-resource speech settings.',
  },
  {
    title: 'Curriculum Schedules for Reinforcement Learning',
    abstract: 'We order environments by difficulty and show that curricula speed up policy learning in sparse-reward tasks.',
  },
  {
    title: 'Retrieval-Augmented Code Generation',
    abstract: 'Retrieving similar functions from a repository improves code completion accuracy for large language models.',
  },
  {
    title: 'Scaling Laws for Data Mixtures',
    abstract:
      'We fit scaling laws that predict validation loss from the proportions of web, code and book data in the pretraining mixture.',
  },
  {
    title: 'Vision Transformers Need Registers',
    abstract: 'Artifacts in attention maps of vision transformers disappear when extra register tokens are added to the input sequence.',
  },
  {
    title: 'Long-Context Evaluation Without Leakage',
    abstract:
      'We build a benchmark of long documents written after the training cutoff to evaluate long-context reasoning without contamination.',
  },
  {
    title: 'Speculative Decoding with Small Drafts',
    abstract: 'A small draft model proposes tokens that a large model verifies in parallel, cutting generation latency by half.',
  },
  {
    title: 'Instruction Tuning on Synthetic Dialogues',
    abstract: 'We generate multi-turn dialogues with a teacher model and fine-tune a student on them, improving helpfulness ratings.',
  },
  {
    title: 'Pruning Attention Heads After Training',
    abstract:
      'Many attention heads can be removed after training with little loss, and we identify which ones by their gradient sensitivity.',
  },
];

const BINARY_SPEECH_PAPER = {
  title: 'One-Bit Speech Recognizers',
  abstract:
    'We binarize speech recognition models to 1-bit weights. The binarized recognizers lose little accuracy on speech benchmarks and run on microcontrollers.',
};

const KV_QUANT_PAPER = {
  title: 'Two-Bit KV Cache Quantization for Long Contexts',
  abstract:
    'The KV cache dominates memory at long context lengths. We quantize the KV cache to 2 bits per value ' +
    'with per-channel scales and observe no accuracy loss on long-context benchmarks.',
};

async function corpus(papers: Array<{ title: string; abstract: string }>): Promise<{ dir: string; built: BuiltIndex }> {
  const dir = await mkdtemp(join(tmpdir(), 'rb-split-corpus-'));
  await writeFile(join(dir, 'papers.jsonl'), `${papers.map((p) => JSON.stringify(p)).join('\n')}\n`);
  return { dir, built: await buildIndex(dir) };
}

/**
 * Answers offline with low confidence: says what is missing, gives the reason, and still shows
 * `related` among the closest papers (split evidence is a gap to report, not a reason to refuse).
 */
async function expectLow(built: BuiltIndex, question: string, reason: RegExp, related: string[]): Promise<void> {
  const r = await answerQuestion({ retriever: built.retriever }, question);
  expect(r.abstained, question).toBe(false);
  expect(r.confidence, question).toBe('low');
  expect(r.abstainReason).toMatch(reason);
  // The split's words are in the corpus, in other papers: the note says no paper joins them, not that none mentions them.
  expect(r.answer).toMatch(/^_Low confidence: no paper here joins .+ with the rest of the question\. The closest work in the corpus:_/);
  const listed = r.sources.map((s) => s.title);
  for (const t of related) expect(listed).toContain(t);
}

/** Answers, citing `title` first. */
async function expectAnswers(built: BuiltIndex, question: string, title: string): Promise<void> {
  const r = await answerQuestion({ retriever: built.retriever }, question);
  expect(r.abstained, question).toBe(false);
  expect(r.confidence, question).toBe('high');
  expect(r.citations[0].title, question).toBe(title);
}

// Three corpora: without any paper joining the subjects, and with each joining paper added.
let without: { dir: string; built: BuiltIndex };
let withKv: { dir: string; built: BuiltIndex };
let withSpeech: { dir: string; built: BuiltIndex };
beforeAll(async () => {
  without = await corpus(PAPERS);
  withKv = await corpus([...PAPERS, KV_QUANT_PAPER]);
  withSpeech = await corpus([...PAPERS, BINARY_SPEECH_PAPER]);
});
afterAll(async () => {
  for (const c of [without, withKv, withSpeech]) {
    await c?.built.cleanup();
    if (c) await rm(c.dir, { recursive: true, force: true });
  }
});

describe('split evidence (offline abstention)', () => {
  const question = 'has anyone quantized the KV cache down to 2 bits without accuracy loss?';

  it('answers with low confidence when one paper has the name (KV) and others have the topic (quantization), none both', async () => {
    // The partial matches on both sides are offered as possibly related.
    await expectLow(without.built, question, /KV/, [
      'Two-Bit Weight Quantization Without Accuracy Loss',
      'Packing Prompts for Faster Prefill',
    ]);
  });

  it('answers the same question once a paper covers both, and cites that paper first', async () => {
    await expectAnswers(withKv.built, question, KV_QUANT_PAPER.title);
  });

  it('answers when the best paper itself names the entity', async () => {
    await expectAnswers(
      without.built,
      'how does packing prompts speed up computing the KV cache during prefill?',
      'Packing Prompts for Faster Prefill',
    );
  });

  it('does not require a name given only as an example ("like BERT", "BERT-style")', async () => {
    await expectLow(without.built, 'has anyone quantized BERT encoders to 2 bits with a calibration set?', /BERT/, []);
    for (const q of [
      'has anyone quantized encoders like BERT to 2 bits with a calibration set?',
      'has anyone quantized BERT-style encoders to 2 bits with a calibration set?',
    ]) {
      await expectAnswers(without.built, q, 'Two-Bit Weight Quantization Without Accuracy Loss');
    }
  });
});

describe('split topics (offline abstention)', () => {
  const question = 'can a speech recognition model be binarized to 1-bit weights?';

  it('answers with low confidence when binarization papers and speech papers exist but none joins them', async () => {
    await expectLow(without.built, question, /no single paper covers the whole question.*(speech|binarized)/, [
      'Binarized Language Models',
      'Self-Supervised Speech Recognition at Scale',
    ]);
  });

  it('answers once one paper covers both subjects', async () => {
    await expectAnswers(withSpeech.built, question, BINARY_SPEECH_PAPER.title);
  });

  it('answers a question about one of the subjects alone', async () => {
    await expectAnswers(without.built, 'how well do binarized 1-bit language models keep their accuracy?', 'Binarized Language Models');
  });

  it('a question asking for a list of papers expects several, so the same split is no gap', async () => {
    const r = await answerQuestion(
      { retriever: without.built.retriever },
      'which papers are about binarized 1-bit weights or speech recognition models?',
    );
    expect(r).toMatchObject({ confidence: 'high', abstained: false });
    const cited = r.citations.map((c) => c.title);
    expect(cited).toContain('Binarized Language Models');
    expect(cited).toContain('Self-Supervised Speech Recognition at Scale');
  });

  it('a question in several parts may be answered by several papers, so the same split is no gap', async () => {
    for (const q of [
      'small models: binarized 1-bit weights, speech recognition pretraining',
      'how are weights binarized to 1 bit, and what does speech recognition pretraining use?',
    ]) {
      const r = await answerQuestion({ retriever: without.built.retriever }, q);
      expect(r, q).toMatchObject({ confidence: 'high', abstained: false });
      const cited = r.citations.map((c) => c.title);
      expect(cited).toContain('Binarized Language Models');
      expect(cited).toContain('Self-Supervised Speech Recognition at Scale');
    }
  });

  it('reads a list after a colon, or two questions in one, as a question in several parts', () => {
    expect(asksSeveral('model merging: instruction vectors, merging before RLHF, model zoos')).toBe(true);
    expect(asksSeveral('what is X, and how does Y work?')).toBe(true);
    expect(asksSeveral('IndicWav2Vec: wav2vec pretraining for Indian languages?')).toBe(false);
    expect(asksSeveral('hey, what is speculative decoding?')).toBe(false);
    expect(asksSeveral(`:${'x'.repeat(4000)}`)).toBe(false);
  });

  it('a topic summary may span several papers, so the same split does not make it abstain', async () => {
    const r = await summarizeTopic({ retriever: without.built.retriever }, 'binarized models and speech recognition');
    expect(r.abstained).toBe(false);
    const cited = r.citations.map((c) => c.title);
    expect(cited).toContain('Binarized Language Models');
    expect(cited).toContain('Self-Supervised Speech Recognition at Scale');
  });
});

describe('entityMentions', () => {
  it('marks names given as examples', () => {
    expect(entityMentions('token tagging tasks like NER, e.g. CoNLL, for Mixtral-style models and GPT-4')).toEqual([
      { name: 'NER', example: true },
      { name: 'CoNLL', example: true },
      { name: 'Mixtral-style', example: true },
      { name: 'GPT', example: false },
    ]);
    expect(entityMentions('does such an approach beat SFT, such as MMLU?')).toEqual([
      { name: 'SFT', example: false },
      { name: 'MMLU', example: true },
    ]);
  });
});

describe('words the corpus never uses (offline)', () => {
  it('grades a question low when a large share of it is words no paper uses, naming them', async () => {
    const r = await answerQuestion({ retriever: without.built.retriever }, 'grommet sets for quantization?');
    expect(r).toMatchObject({ confidence: 'low', abstained: false });
    expect(r.answer).toMatch(/^_Low confidence: no paper here mentions grommet\./);
    expect(r.citations[0].title).toMatch(/Quantization/);
  });

  it('reads English verbs, adjectives and adverbs around the subject as no missing subject ("ditches", "biggest")', async () => {
    for (const q of ['which rounding method ditches round-to-nearest?', 'biggest accuracy improvement over round-to-nearest?']) {
      const r = await answerQuestion({ retriever: without.built.retriever }, q);
      expect(r.confidence, q).toBe('high');
      expect(r.citations[0].title, q).toBe('Calibrated Rounding for Low-Bit Quantization');
    }
    // The same share of the question in a noun no paper uses is a subject the corpus lacks.
    const noun = await answerQuestion({ retriever: without.built.retriever }, 'which rounding method grommets round-to-nearest?');
    expect(noun).toMatchObject({ confidence: 'low', abstained: false });
    expect(noun.answer).toMatch(/^_Low confidence: no paper here mentions grommets\./);
  });

  it('reads chat shorthand the close matches spell out in full ("calib" for "calibration") as known', async () => {
    const r = await answerQuestion({ retriever: without.built.retriever }, 'calib sets for quantization?');
    expect(r).toMatchObject({ confidence: 'high', abstained: false });
  });

  it('reads an initialism a close match spells out ("PTQ": "post-training quantization") as known, and one none spells out as missing', async () => {
    const spelled = await answerQuestion({ retriever: without.built.retriever }, 'PTQ down to 2 bits with a calibration set?');
    expect(spelled).toMatchObject({ confidence: 'high', abstained: false });
    expect(spelled.citations[0].title).toBe('Two-Bit Weight Quantization Without Accuracy Loss');
    const unspelled = await answerQuestion({ retriever: without.built.retriever }, 'GPTQ down to 2 bits with a calibration set?');
    expect(unspelled).toMatchObject({ confidence: 'low', abstained: false });
    expect(unspelled.answer).toMatch(/^_Low confidence: no paper here mentions GPTQ\./);
  });

  it('reads ML chat shorthand for a word the corpus uses ("cls" for "classification") as known', async () => {
    const r = await answerQuestion({ retriever: without.built.retriever }, 'encoders vs decoders for sentence cls?');
    expect(r).toMatchObject({ confidence: 'high', abstained: false });
    expect(r.citations[0].title).toBe('Encoders Still Win at Sentence Classification');
  });

  it('answers a question in chat wording as it answers the question alone: frame and chat clauses are not its subject', async () => {
    const question = 'PTQ down to 2 bits with a calibration set?';
    const plain = await answerQuestion({ retriever: without.built.retriever }, question);
    expect(plain).toMatchObject({ confidence: 'high', abstained: false });
    for (const message of [
      `tldr: ${question} eli5`,
      `hey all, quick q, can someone explain ${question} thx`,
      // Words no paper uses, in clauses of their own: neither a gap to report nor a reason to refuse.
      `ngl been confused abt this for a while — ${question} no rush tho, cheers`,
      `${question} (bullet points plz) ty in advance 🙏`,
    ]) {
      const r = await answerQuestion({ retriever: without.built.retriever }, message);
      expect(r.confidence, message).toBe('high');
      expect(r.answer, message).toBe(plain.answer);
      expect(r.citations, message).toEqual(plain.citations);
    }
  });

  it('still reads everyday words inside the question as part of it ("for baking bread")', async () => {
    const r = await answerQuestion({ retriever: without.built.retriever }, 'PTQ down to 2 bits for baking sourdough bread?');
    expect(r.confidence).not.toBe('high');
  });

  it('refuses when most of the question is words no paper uses', async () => {
    const r = await answerQuestion({ retriever: without.built.retriever }, 'how do I center a div in css?');
    expect(r).toMatchObject({ confidence: 'none', abstained: true });
    expect(r.citations).toEqual([]);
  });
});

const SUBJECT_PAPERS = [
  {
    title: 'Binarized Language Models',
    abstract: 'We binarize the weights of large language models. Binarized models keep most of their accuracy while using far less memory.',
  },
  {
    title: 'Self-Supervised Speech Recognition at Scale',
    abstract:
      'Speech recognition benefits from self-supervised audio encoders. We pretrain speech models on unlabeled speech and ' +
      'fine-tune them for recognition, reducing word error rates in low-resource settings.',
  },
  {
    title: 'Pre-Training Recipes for Visual Language Models',
    abstract:
      'Visual language models (VLMs) extend a language model with an image encoder. We compare pre-training recipes for VLMs: ' +
      'freezing the language model, interleaved image-text data, and instruction data. VLMs trained with interleaved data ' +
      'outperform those trained on captions alone, and our VLM family sets a new state of the art on image benchmarks.',
  },
  {
    title: 'Stable Reward Models for RLHF',
    abstract:
      'Reward models trained from human preferences drive RLHF. We regularize reward models so that RLHF training stays stable, ' +
      'and the reward model no longer overfits to response length.',
  },
];

describe('one rare subject the closest match lacks (offline)', () => {
  let fixture: { dir: string; built: BuiltIndex };
  let joined: { dir: string; built: BuiltIndex };
  beforeAll(async () => {
    fixture = await corpus([...SUBJECT_PAPERS, ...FILLER_PAPERS]);
    joined = await corpus([...SUBJECT_PAPERS, ...FILLER_PAPERS, BINARY_SPEECH_PAPER]);
  });
  afterAll(async () => {
    for (const c of [fixture, joined]) {
      await c?.built.cleanup();
      if (c) await rm(c.dir, { recursive: true, force: true });
    }
  });

  const question = 'binarizing speech models?';

  it('grades low when the closest match lacks one rare word ("speech") that another close match is about', async () => {
    await expectLow(fixture.built, question, /leave out "speech"/, [
      'Binarized Language Models',
      'Self-Supervised Speech Recognition at Scale',
    ]);
  });

  it('answers the same question once one paper joins both subjects', async () => {
    await expectAnswers(joined.built, question, BINARY_SPEECH_PAPER.title);
  });

  it('answers when every rare word of the question is in the closest match', async () => {
    await expectAnswers(fixture.built, 'binarizing language model weights to save memory?', 'Binarized Language Models');
  });

  it('a name in the best paper\'s abstract only ("VLMs") does not make the question about that paper', async () => {
    // The VLM paper is the closest match, names VLMs only in its abstract, and lacks RLHF and reward models.
    const q = 'RLHF reward models for VLMs pre-training?';
    await expectLow(fixture.built, q, /no single paper covers the whole question/, [
      'Pre-Training Recipes for Visual Language Models',
      'Stable Reward Models for RLHF',
    ]);
    const r = await answerQuestion({ retriever: fixture.built.retriever }, q);
    expect(r.citations[0].title).toBe('Pre-Training Recipes for Visual Language Models');
  });
});

describe('thin evidence (offline)', () => {
  // Each of the three words is in one abstract, once: every paper matches a third of the question, weakly.
  const question = 'contamination vs throughput vs latency';
  let fixture: { dir: string; built: BuiltIndex };
  beforeAll(async () => {
    fixture = await corpus([...PAPERS, ...FILLER_PAPERS]);
  });
  afterAll(async () => {
    await fixture?.built.cleanup();
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  async function decide(q: string, thin = ASK.answerability.thin) {
    const retriever = fixture.built.retriever;
    const hits = await retriever.search(q, { k: 20 });
    // The meaning check is off too: it reads this question's far words on its own, and "with it off" is about this rule.
    const settings = { ...ASK.answerability, thin, meaning: undefined };
    return decideConfidence(corpusTerms(retriever.corpus), q, hits, measureEvidence(retriever.corpus.termStats, q, hits), settings);
  }

  it('grades low when no paper scores above two rare words and the best covers under half the question, naming what it lacks', async () => {
    const r = await answerQuestion({ retriever: fixture.built.retriever }, question);
    expect(r.abstained).toBe(false);
    expect(r.confidence).toBe('low');
    expect(r.abstainReason).toBe(
      'no paper here is close to the whole question: the best match covers 33% of it and never mentions "throughput", "latency"',
    );
    expect(r.answer).toMatch(/^_Low confidence: no paper here is close to the whole question: .+\. The closest work in the corpus:_/);
    expect(r.citations.map((c) => c.title)).toContain('Long-Context Evaluation Without Leakage');
  });

  it('is that rule: with it off, the same question is answered with high confidence', async () => {
    expect((await decide(question)).confidence).toBe('low');
    expect((await decide(question, { maxScore: 0, maxCoverage: 0.5 })).confidence).toBe('high');
    expect((await decide(question, { maxScore: 2, maxCoverage: 0.3 })).confidence).toBe('high');
  });

  it("a question using a rare word of the best paper's title asks about that paper, however little else it shares", async () => {
    // "what is the main idea of UniViTAR?": its abstract need not say "main" or "idea".
    const q = 'registers: throughput and latency?';
    const r = await answerQuestion({ retriever: fixture.built.retriever }, q);
    expect(r.evidence.coverage).toBeLessThan(ASK.answerability.thin.maxCoverage);
    expect(r.confidence).toBe('high');
    expect(r.citations[0].title).toBe('Vision Transformers Need Registers');
  });

  it('a compound shares its rare parts with the title to name it: "registers-bench" is another name', async () => {
    // "swe-bench" shares "bench" with "Struc-Bench" and was answered high from that paper.
    const other = await answerQuestion({ retriever: fixture.built.retriever }, 'registers-bench: throughput and latency?');
    expect(other.evidence.coverage).toBeLessThan(ASK.answerability.thin.maxCoverage);
    expect(other.confidence).toBe('low');
    expect(other.abstainReason).toMatch(/^no paper here is close to the whole question/);
  });

  it('a short question its best match covers whole scores as low, and is not thin ("throughput?")', async () => {
    const d = await decide('throughput?');
    expect(d.confidence).toBe('high');
  });
});

describe('a name the closest match leaves unsaid (offline)', () => {
  const CAUSAL_PINNS = {
    title: 'Causal Weighting for Physics-Informed Neural Networks',
    abstract:
      'Physics-informed neural networks (PINNs) fail on chaotic and turbulent systems. We weight the residual loss over ' +
      'time so that PINNs fit earlier times before later ones, and the trained PINNs follow chaotic dynamics.',
  };
  const PINNS_FOR_PDES = {
    title: 'Adaptive Collocation for PINNs',
    abstract:
      'PDE solvers built on PINNs, a neural network fitted to residual losses, need collocation points where the ' +
      'residual is large. We sample them adaptively and train PINNs on high-dimensional PDEs.',
  };
  const OPERATORS_FOR_PDES = {
    title: 'Operator Learning for Parametric PDEs',
    abstract:
      'PDE solvers built on operator learning map between function spaces and train on residual losses. Trained once, ' +
      'an operator network solves a whole family of PDEs on irregular meshes.',
  };
  // Rare words are rare among many papers: ~90 unrelated ones.
  const filler = [
    ...FILLER_PAPERS,
    ...FILLER_PAPERS.map((p) => ({
      title: p.title.replace('Field Notes', 'Survey Notes'),
      abstract: p.abstract.replace('three seasons', 'five years'),
    })),
  ];
  const question =
    'PDE solvers fitting a network to residual losses fail on chaotic systems: which paper weights the loss so earlier times are fit first?';
  let pinns: { dir: string; built: BuiltIndex };
  let operators: { dir: string; built: BuiltIndex };
  beforeAll(async () => {
    pinns = await corpus([CAUSAL_PINNS, PINNS_FOR_PDES, ...filler]);
    operators = await corpus([CAUSAL_PINNS, OPERATORS_FOR_PDES, ...filler]);
  });
  afterAll(async () => {
    for (const c of [pinns, operators]) {
      await c?.built.cleanup();
      if (c) await rm(c.dir, { recursive: true, force: true });
    }
  });

  it('answers when the paper naming it is about the same rare subject as the closest match ("PDE" said by another PINN paper)', async () => {
    await expectAnswers(pinns.built, question, CAUSAL_PINNS.title);
  });

  it('grades low when the papers naming it are about something else', async () => {
    await expectLow(operators.built, question, /no paper covers PDE together with the rest of the question/, [OPERATORS_FOR_PDES.title]);
  });
});

describe('a name of several capitalised words no paper found writes', () => {
  const filler = [
    ...FILLER_PAPERS,
    ...FILLER_PAPERS.map((p) => ({
      title: p.title.replace('Field Notes', 'Survey Notes'),
      abstract: p.abstract.replace('three seasons', 'five years'),
    })),
  ];
  const ORGANS = {
    title: 'Fine-Tuning Segmentation Models for Medical Images',
    abstract:
      'We fine-tune an image segmentation model to segment organs in medical images with few labels. ' +
      'The model learns anything from a handful of annotated scans and transfers across hospitals.',
  };
  const SAM = {
    title: 'Adapting Segment Anything to Medical Images',
    abstract: 'We fine-tune the Segment Anything Model on medical images and segment organs with point prompts.',
  };
  const DAPT = {
    title: 'Clinical Language Models from Continued Pretraining',
    abstract: 'Domain-adaptive pre-training on clinical notes improves clinical language models on note classification.',
  };
  const question = 'any papers that fine-tune Segment Anything for medical images?';
  let lacking: { dir: string; built: BuiltIndex };
  let writing: { dir: string; built: BuiltIndex };
  beforeAll(async () => {
    lacking = await corpus([ORGANS, DAPT, ...filler]);
    writing = await corpus([ORGANS, SAM, DAPT, ...filler]);
  });
  afterAll(async () => {
    for (const c of [lacking, writing]) {
      await c?.built.cleanup();
      if (c) await rm(c.dir, { recursive: true, force: true });
    }
  });

  it('grades low a name whose words the corpus has one by one ("Segment Anything"), and says so', async () => {
    const r = await answerQuestion({ retriever: lacking.built.retriever }, question);
    expect([r.confidence, r.abstainReason]).toEqual(['low', 'no paper found names Segment Anything']);
    expect(r.citations[0].title).toBe(ORGANS.title);
  });

  it('answers once a paper writes the name, and reads a name written with hyphens or joined as the same name', async () => {
    const r = await answerQuestion({ retriever: writing.built.retriever }, question);
    expect(r.confidence).toBe('high');
    expect(r.citations.map((c) => c.title)).toContain(SAM.title);
    await expectAnswers(lacking.built, 'is there work on Domain Adaptive Pretraining for clinical notes?', DAPT.title);
  });

  it('reads no name in a title-case message, nor across a joining word', async () => {
    for (const q of ['Any Papers That Fine-Tune Segmentation Models For Medical Images?', 'any paper on Pretraining For Clinical Notes?']) {
      const r = await answerQuestion({ retriever: lacking.built.retriever }, q);
      expect(r.abstainReason ?? '', q).not.toMatch(/no paper found names/);
    }
  });
});
