/**
 * The engine without a language model: extractive digests over the shipped corpus, abstention,
 * question cleaning, topic summaries, similar papers and follow-up rewriting.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  answerQuestion,
  cleanQuestion,
  MAX_QUESTION_CHARS,
  similarPapers,
  summarizeTopic,
  type AnswerResult,
} from '../../src/answer/engine.js';
import { namedEntities, quotedTitles } from '../../src/answer/abstain.js';
import { keySentences, spellsOut } from '../../src/answer/digest.js';
import { expansionAsked } from '../../src/index/chat-frame.js';
import { unshout } from '../../src/index/read-question.js';
import { leadParagraph } from '../../src/answer/eval.js';
import { asksForList } from '../../src/answer/sources.js';
import { lexicalRewrite, looksLikeFollowUp, rewriteFollowUp, type Turn } from '../../src/answer/followup.js';
import type { Paper } from '../../src/corpus/types.js';
import { AppError } from '../../src/errors.js';
import { splitSentences } from '../../src/index/sentences.js';
import { Retriever } from '../../src/index/search.js';
import { buildIndex, markersIn, type BuiltIndex } from './helpers.js';

let built: BuiltIndex;
let retriever: Retriever;
let titles: Set<string>;

beforeAll(async () => {
  built = await buildIndex();
  retriever = built.retriever;
  titles = new Set(retriever.store.papers.map((p) => p.title));
});
afterAll(async () => {
  await built?.cleanup();
});

function paperByTitlePrefix(prefix: string): Paper {
  const p = retriever.store.papers.find((x) => x.title.startsWith(prefix));
  if (!p) throw new Error(`fixture paper "${prefix}" is not in the shipped corpus`);
  return p;
}

/**
 * Each paper block of a digest is "**Title** [n]: s1 s2 ...". Returns, per block, the sentences
 * it quotes, checked to be consecutive-in-order sentences of that paper's abstract.
 */
function digestBlocks(result: AnswerResult): Array<{ marker: number; paper: Paper; sentences: string[] }> {
  const blocks: Array<{ marker: number; paper: Paper; sentences: string[] }> = [];
  for (const c of result.citations) {
    const paper = retriever.store.paperById.get(c.paperId)!;
    const head = `**${paper.title}** [${c.marker}]: `;
    const start = result.answer.indexOf(head);
    expect(start, `digest block for [${c.marker}] ${paper.title}`).toBeGreaterThanOrEqual(0);
    const end = result.answer.indexOf('\n\n', start);
    let rest = result.answer.slice(start + head.length, end < 0 ? undefined : end);
    const sentences: string[] = [];
    for (const s of splitSentences(paper.abstract)) {
      if (rest.startsWith(s)) {
        sentences.push(s);
        rest = rest.slice(s.length).trimStart();
      }
    }
    expect(rest, `text in the digest block of "${paper.title}" that is not an abstract sentence`).toBe('');
    expect(sentences.length).toBeGreaterThan(0);
    blocks.push({ marker: c.marker, paper, sentences });
  }
  return blocks;
}

describe('extractive digest (offline)', () => {
  const numeric: Array<[question: string, key: string, titlePrefix: string]> = [
    ['what compute reduction does PreSelect claim, in tokens vs the baseline?', '30B', 'Predictive Data Selection'],
    [
      "with just 'Let's think step by step', MultiArith accuracy on text-davinci-002 went from what to what?",
      '78.7%',
      'Large Language Models are Zero-Shot Reasoners',
    ],
    ["what's Domino's max training speedup over Megatron-LM on DGX-H100?", '1.3x', 'Domino'],
    // Written from abstracts in data/corpus.
    ['by how much does MediSwift cut training FLOPs with sparse pre-training?', '2-2.5x', 'MediSwift'],
    ['how much does Skill-It reduce validation loss on the target skill on Natural Instructions?', '13.6%', 'Skill-it!'],
    ['how far can CLEX extend the context window beyond the training length?', '8x', 'CLEX'],
    ['what ImageNet-1K top-1 accuracy does SimCLR with DCL reach at batch size 256?', '68.2%', 'Decoupled Contrastive Learning'],
    [
      'how much does initializing policies with LMs improve task completion rates in VirtualHome?',
      '43.6%',
      'Pre-Trained Language Models for Interactive Decision-Making',
    ],
  ];

  it.each(numeric)('%s -> contains %s verbatim', async (question, key, titlePrefix) => {
    const paper = paperByTitlePrefix(titlePrefix);
    expect(paper.abstract).toContain(key);
    const r = await answerQuestion({ retriever }, question);
    expect(r.abstained).toBe(false);
    expect(r.mode).toBe('extractive');
    expect(r.fallbackReason).toBeUndefined();
    expect(r.citations[0].paperId).toBe(paper.id);
    expect(r.answer).toContain(key);
    // The answer opens with the right paper's sentence holding the key number, verbatim with that paper's marker.
    const marker = r.citations.find((c) => c.paperId === paper.id)!.marker;
    const lead = leadParagraph(r.answer);
    const quoted = splitSentences(paper.abstract).find((s) => s.includes(key) && lead.includes(`${s} [${marker}]`));
    expect(quoted, lead).toBeDefined();
    // The evidence by paper follows, quoting abstracts verbatim.
    expect(digestBlocks(r).length).toBe(r.citations.length);
  });

  it('quotes only verbatim abstract sentences, with markers matching the citation list', async () => {
    const r = await answerQuestion({ retriever }, 'how do sparse pre-training methods reduce training FLOPs?');
    expect(r.abstained).toBe(false);
    expect(r.citations.length).toBeGreaterThan(1);
    expect(r.citations.map((c) => c.marker)).toEqual(r.citations.map((_, i) => i + 1));
    expect(r.sources.map((s) => s.paperId)).toEqual(r.citations.map((c) => c.paperId));
    for (const b of digestBlocks(r)) for (const s of b.sentences) expect(b.paper.abstract).toContain(s);
    // Every marker in the text names a listed source.
    const valid = new Set(r.citations.map((c) => c.marker));
    for (const m of markersIn(r.answer)) expect(valid.has(m)).toBe(true);
    for (const c of r.citations) {
      expect(titles.has(c.title)).toBe(true);
      expect(c.url).toBe(`https://arxiv.org/search/?query=${encodeURIComponent(c.title)}&searchtype=title`);
    }
  });
});

describe('papers asked for by when they came out (offline)', () => {
  it('reads "papers from this week" as a date filter, says so, and lets a filter the person set win', async () => {
    // The shipped papers carry no date: the day they entered the index counts, which is today here.
    const week = await answerQuestion({ retriever }, 'papers from this week about distillation?');
    expect(week.answer).toMatch(/^_Read "this week" as papers dated \d{4}-\d{2}-\d{2} or later\._/);
    expect(week.confidence).not.toBe('none');
    const later = await answerQuestion({ retriever, now: () => Date.UTC(2099, 0, 10) }, 'papers from this week about distillation?');
    expect(later.confidence).toBe('none');
    expect(later.abstainReason).toBe('no paper dated 2099-01-04 or later matches it');
    const set = await answerQuestion({ retriever, now: () => Date.UTC(2099, 0, 10) }, 'papers from this week about distillation?', {
      filter: { from: '2000-01-01' },
    });
    expect(set.confidence).not.toBe('none');
    expect(set.answer).not.toMatch(/^_Read "this week"/);
  });
});

describe('which side of a subject is asked about (offline)', () => {
  it('answers "the downsides of X" as it answers "the limitations of X", not refusing over a word no paper uses', async () => {
    const aspect = await answerQuestion({ retriever }, 'what are the downsides of model merging?');
    const plain = await answerQuestion({ retriever }, 'what are the limitations of model merging?');
    expect(aspect.abstained).toBe(false);
    expect(aspect.confidence).toBe(plain.confidence);
    expect(aspect.citations.map((c) => c.title)).toContain(plain.citations[0].title);
  });
});

describe('a paper asked about by its title (offline)', () => {
  it('says the corpus has no paper of a quoted title it lacks, and answers from the paper of one it has', async () => {
    const missing = await answerQuestion({ retriever }, 'what does "Scaling Data-Constrained Language Models" find about repeating data?');
    expect(missing.confidence).toBe('low');
    expect(missing.answer).toMatch(/^_Low confidence: the corpus has no paper titled "Scaling Data-Constrained Language Models"\./);
    expect(missing.citations.length).toBeGreaterThan(0);
    const title = retriever.store.papers[0].title;
    const present = await answerQuestion({ retriever }, `what does “${title}” find?`);
    expect(present.abstainReason ?? '').not.toMatch(/no paper titled/);
    expect(present.citations[0].title).toBe(title);
  });

  it('reads a title in double quotes: three words or more, half of them in title case, no question quoted whole', () => {
    expect(quotedTitles('is "Attention Is All You Need" in here?')).toEqual(['Attention Is All You Need']);
    expect(quotedTitles('is "QLoRA: Efficient Finetuning of Quantized LLMs" in here?')).toEqual([
      'QLoRA: Efficient Finetuning of Quantized LLMs',
    ]);
    // Someone's keyword question quoted: acronyms are no title case, and a quoted question ends in "?".
    expect(quotedTitles('someone asked "LAWA-style ckpt averaging vs EMA/SWA for LLM PT" and nobody answered')).toEqual([]);
    expect(quotedTitles('someone asked "Robot Utility Models on Hello Robot Stretch?" and nobody answered')).toEqual([]);
    expect(quotedTitles('what is the "stability gap" in continual pretraining?')).toEqual([]);
    expect(quotedTitles('they call it "a simple trick that works" in the abstract')).toEqual([]);
  });
});

describe('what an abbreviation stands for (offline)', () => {
  it('opens with the sentence that spells it out, however the question asks', async () => {
    for (const question of ['what does MoE stand for?', "what's RLHF short for", 'hey, what does kd mean?', 'full form of PEFT?']) {
      const lead = leadParagraph((await answerQuestion({ retriever }, question)).answer);
      const first = lead.split(/(?<=\[\d+\])\s+/)[0];
      expect(first, question).toMatch(/(?:Mixture-of-Experts \(MoE\)|Human Feedback \(RLHF\)|distillation \(KD\)|Fine-Tuning \(PEFT\))/i);
    }
  });

  it('reads which abbreviation is asked about, and whether a sentence spells it out', () => {
    expect(expansionAsked('what does GQA stand for?')).toBe('GQA');
    expect(expansionAsked('what is the full form of RLHF')).toBe('RLHF');
    expect(expansionAsked('KD meaning?')).toBe('KD');
    expect(expansionAsked('what does attention do for long inputs?')).toBeUndefined();
    expect(spellsOut('We use Low-Rank Adaptation (LoRA) throughout.', 'lora')).toBe(true);
    // In parentheses, but not what the words before it spell.
    expect(spellsOut('We fine-tune the model (LoRA) quickly.', 'LoRA')).toBe(false);
  });
});

describe('keySentences', () => {
  const abstract =
    'Our pruning method removes redundant attention heads in large language models. Pruning reaches a 2.4x inference speedup with 1% accuracy loss.';
  const paper = { title: 'Pruning Attention Heads', abstract };

  it('prefers the sentence with numbers for a numeric question', () => {
    const q = 'what inference speedup does pruning attention heads in language models give?';
    expect(keySentences(q, paper, retriever.corpus.termStats, 1)).toEqual([
      'Pruning reaches a 2.4x inference speedup with 1% accuracy loss.',
    ]);
  });

  it('prefers the matching sentence for a non-numeric question, and keeps abstract order', () => {
    const q = 'which redundant attention heads does the pruning method remove in language models?';
    expect(keySentences(q, paper, retriever.corpus.termStats, 1)).toEqual([
      'Our pruning method removes redundant attention heads in large language models.',
    ]);
    expect(keySentences(q, paper, retriever.corpus.termStats, 2)).toEqual(splitSentences(abstract));
  });
});

describe('abstention (offline)', () => {
  const outOfCorpus = ['where can I buy a good espresso machine in Naples?', 'where is the best pizza in Naples?'];

  it('answers with low confidence when the corpus has related work but never mentions the name asked about', async () => {
    const r = await answerQuestion({ retriever }, 'how many fine-tuning steps does DreamBooth need with Stable Diffusion?');
    expect(r.confidence).toBe('low');
    expect(r.abstained).toBe(false);
    expect(r.answer).toMatch(/^_Low confidence: no paper here mentions DreamBooth\. The closest work in the corpus:_/);
    expect(r.sources.length).toBeGreaterThan(0);
    expect(r.citations.length).toBe(r.sources.length);
  });

  it('a compound names a paper by its title only with all its rare parts there: "swe-bench" is not "Struc-Bench"', async () => {
    const other = await answerQuestion({ retriever }, 'swe-bench verified scores for the code models here?');
    expect(other.citations[0]?.title).toMatch(/^Struc-Bench/);
    expect(other.confidence).toBe('low');
    expect(other.abstainReason).toMatch(/^no paper here is close to the whole question/);
    // A common part ("-specific") only qualifies the rare one, which the title has.
    const same = await answerQuestion({ retriever }, 'finance-specific LLM work?');
    expect(same.confidence).toBe('high');
    expect(same.citations[0]?.title).toMatch(/Financ/);
  });

  it('reads a typo as the corpus word it misses, answers as for the question spelled right, and says what it read', async () => {
    const right = await answerQuestion({ retriever }, 'does deduplication of pretraining data help?');
    const typo = await answerQuestion({ retriever }, 'does deduplicaton of pretarining data help?');
    expect(typo.corrections).toEqual([
      { from: 'deduplicaton', to: 'deduplication' },
      { from: 'pretarining', to: 'pretraining' },
    ]);
    expect(typo.answer).toBe(`_Read "deduplicaton" as "deduplication", "pretarining" as "pretraining"._\n\n${right.answer}`);
    expect(typo.question).toBe('does deduplicaton of pretarining data help?');
    expect(typo.confidence).toBe(right.confidence);
    expect(typo.citations).toEqual(right.citations);
    expect(right.corrections).toBeUndefined();
    // Before, the typo was searched as typed, and named as missing.
    expect(typo.abstainReason ?? '').not.toMatch(/pretarining/);
  });

  it('reads a question once: the search gets the read question and does not read it again', async () => {
    const search = vi.spyOn(Retriever.prototype, 'searchWithMode');
    try {
      await answerQuestion({ retriever }, 'hey all, can someone explain deduplicaton of pretarining data?');
      expect(search.mock.calls.map(([query, opts]) => [query, opts?.read])).toEqual([['deduplication of pretraining data?', true]]);
      // Read as given, the typos are searched as typed; unread, the search reads them.
      const read = await retriever.searchWithMode('pretarining data', { k: 3, read: true });
      const typed = await retriever.searchWithMode('pretarining data', { k: 3 });
      expect(read.corrections).toBeUndefined();
      expect(typed.corrections).toEqual([{ from: 'pretarining', to: 'pretraining' }]);
      // A follow-up rewritten from the thread is new text: the search reads it.
      search.mockClear();
      const history = [{ question: 'does deduplication of pretraining data help?', answer: 'Yes [1].', citedTitles: [] }];
      await answerQuestion({ retriever }, 'and what about its cost?', { history });
      expect(search.mock.calls.map(([, opts]) => opts?.read)).toEqual([false]);
    } finally {
      search.mockRestore();
    }
  });

  it('still names a subject the corpus lacks when it is an English word, not a typo', async () => {
    const r = await answerQuestion({ retriever }, 'physics-informed nets for global weather forecasting?');
    expect(r.corrections).toBeUndefined();
    expect(r.answer).not.toMatch(/^_Read/);
  });

  it("grades a question wrapped in an idiom as the question put plainly: the idiom's words name no subject", async () => {
    const plain = await answerQuestion({ retriever }, 'How does FineWeb compare with other open pretraining datasets?');
    const r = await answerQuestion({ retriever }, 'is FineWeb up to snuff vs the other open pretraining datasets?');
    expect(plain.confidence).toBe('high');
    expect(r.confidence).toBe('high');
    expect(r.citations[0].paperId).toBe(plain.citations[0].paperId);
    // Outside an idiom, the same word is a subject no paper has.
    const snuff = await answerQuestion({ retriever }, 'snuff film detection with pretraining datasets?');
    expect(snuff.confidence).toBe('low');
  });

  it('does not refuse a question run together with chat no paper uses: its best match is close (noneSharedWords)', async () => {
    const question = 'does sparse pre-training cut FLOPs';
    const plain = await answerQuestion({ retriever }, question);
    // Nothing parts the chat from the question here, so its words are read as part of it; but "cant" and "sleep"
    // read as verbs, no subject the corpus lacks, and "3am" alone is too little of the question to grade it low.
    const r = await answerQuestion({ retriever }, `its 3am and i cant sleep maybe you know ${question}`);
    expect(r.abstained).toBe(false);
    expect(r.confidence).toBe('high');
    expect(r.citations[0].paperId).toBe(plain.citations[0].paperId);
  });

  it.each([
    'its 3am and i cant sleep so {q}',
    'my labmate and i have a bet going on this one lol {q}',
    // "notes" finds a clinical-notes paper among the close matches; the best match never mentions it.
    'prepping for an interview next week and this came up in my notes -> {q}',
    '{q}?? been googling for 20 min and cant find a straight answer',
    'hiii sorry to bother again 😅 i promise this is the last one for today {q}',
    // A line break parts chat (cleanQuestion keeps it); an interjection is dropped even where nothing else is chat.
    '{q}\n\nim new to all this stuff',
    '{q}\nasking bc my manager wants a recommendation by monday',
    'sorry if this is a dumb question lol {q}',
    // Frame: messaging the bot directly, a formal request and closing.
    "hey, hope it's ok to DM you directly. {q}",
    'Hello sir, kindly help me with one doubt. {q} Please reply at earliest.',
  ])('answers "%s" as the question alone: chat parted from it by a mark, an interjection or "so" is not its subject', async (wrapper) => {
    const question = 'does sparse pre-training cut FLOPs';
    const plain = await answerQuestion({ retriever }, question);
    const r = await answerQuestion({ retriever }, wrapper.replace('{q}', question));
    expect(r.confidence).toBe(plain.confidence);
    expect(r.abstainReason).toBe(plain.abstainReason);
    // Search still reads the chat's words, so the papers after the best match may change order.
    expect(r.citations[0]).toEqual(plain.citations[0]);
  });

  it('reads "a bunch of", "a ton of" as an amount, not a subject the corpus lacks: graded as the question without it', async () => {
    const pairs = [
      [
        'is there a way to pretrain once and pull out a bunch of differently sized vision backbones?',
        'is there a way to pretrain once and pull out differently sized vision backbones?',
      ],
      [
        'any paper that trains a ton of small models to predict the best data mixture?',
        'any paper that trains small models to predict the best data mixture?',
      ],
    ];
    for (const [amount, plain] of pairs) {
      const [a, p] = [await answerQuestion({ retriever }, amount), await answerQuestion({ retriever }, plain)];
      expect(a.confidence, amount).toBe(p.confidence);
      expect(a.confidence, amount).toBe('high');
      expect(a.citations[0].title).toBe(p.citations[0].title);
    }
  });

  it('reads "audio side:", "on the eval front" as where the question is, not a subject the corpus lacks', async () => {
    // "side" is a word no paper uses: as a subject it weighed a quarter of the short question, graded `low`.
    const plain = 'how long are the clips CoLLAP handles?';
    for (const framed of [`audio side: ${plain}`, `on the audio side, ${plain}`]) {
      const [a, p] = [await answerQuestion({ retriever }, framed), await answerQuestion({ retriever }, plain)];
      expect(a.confidence, framed).toBe('high');
      expect(a.confidence, framed).toBe(p.confidence);
      expect(a.citations[0].title).toBe(p.citations[0].title);
    }
  });

  it('grades "has anyone applied X to Y?" low when no close match mentions Y, and answers it when one does', async () => {
    for (const q of [
      'has anyone applied the past-tense reformulation jailbreak to speech models?',
      'does the past-tense jailbreak also work on speech models?',
    ]) {
      const r = await answerQuestion({ retriever }, q);
      expect(r.confidence, q).toBe('low');
      expect(r.abstainReason, q).toBe('no paper here joins speech with the rest of the question');
      expect(r.citations[0].title, q).toMatch(/^Does Refusal Training in LLMs Generalize to the Past Tense/);
    }
    // "does anyone know …" asks for help, not whether work was done: graded as the question alone.
    const plain = await answerQuestion({ retriever }, '2:4 sparsity for llama models with learnable masks');
    const helped = await answerQuestion(
      { retriever },
      'does anyone (or the bot lol) know 2:4 sparsity for llama models with learnable masks',
    );
    expect([helped.confidence, helped.abstainReason]).toEqual([plain.confidence, plain.abstainReason]);
    // The paper tried GPT-4o; "to detect" is the verb of the work, not where it was taken.
    for (const q of ['does the past-tense jailbreak also work on GPT-4o?', 'has anyone pretrained on simulated ECGs to detect PTSD?']) {
      expect((await answerQuestion({ retriever }, q)).confidence, q).toBe('high');
    }
  });

  it('grades low a figure no close abstract states, and answers one stated, in the clause of a message that asks it', async () => {
    const steps = await answerQuestion({ retriever }, 'GrowLength: how many steps do they spend at each sequence length?');
    expect(steps.confidence).toBe('low');
    expect(steps.abstainReason).toBe(`the closest papers' abstracts give no number of "steps"`);
    expect(steps.citations[0].title).toMatch(/^GrowLength: /);
    const tokens = await answerQuestion({ retriever }, 'how many tokens was Crystal trained on?');
    expect(tokens.confidence).toBe('high');
    expect(tokens.answer).toContain('1.4 trillion');
    // The clause asking names ReaLHF, whose paper the first question's search ranks below its own close matches.
    const two = await answerQuestion(
      { retriever },
      "what is 'sequence length collapse' when you do RLHF on distilled reasoning models, also, how big a setup did ReaLHF get evaluated on (gpus/params)",
    );
    expect(two.confidence).toBe('high');
  });

  it('grades low a question its best match says little of in meaning, naming the words nothing in that paper comes near', async () => {
    const q = 'prompt injection defenses for tool-using agents that read web pages';
    const r = await answerQuestion({ retriever }, q);
    expect(r.confidence, q).toBe('low');
    expect(r.abstainReason).toMatch(/^the closest paper is about something else: nothing in it comes near "defenses", "injection"$/);
    expect(r.citations.length).toBeGreaterThan(0);
    // Asking for several papers, the question is said by them together, each word by the paper nearest it.
    const list = 'model merging papers: instruction vectors, merging ahead of RLHF, merging a whole model zoo';
    expect((await answerQuestion({ retriever }, list)).confidence, list).toBe('high');
    // A thread's follow-up is graded on the thread's words, not by its best match's meaning alone.
    // ("fix" is near nothing in the paper the thread found, which names its fix.)
    const earlier = 'why does RLHF on distilled reasoning models go unstable, with output lengths collapsing?';
    const first = await answerQuestion({ retriever }, earlier);
    const history: Turn[] = [{ question: earlier, answer: first.answer, citedTitles: first.citations.map((c) => c.title) }];
    expect((await answerQuestion({ retriever }, 'so what is their fix?', { history })).confidence).toBe('high');
  });

  it('abstains when the subject is a clause of words no paper uses and only a generic word ("form") is left', async () => {
    // Read as chat, the first clause left "which form", answered high from a paper on long-form audio.
    const r = await answerQuestion({ retriever }, 'how do i claim parking reimbursement for the offsite, which form');
    expect(r.confidence).toBe('none');
    expect(r.abstainReason).toBe('the corpus never mentions parking, reimbursement, offsite');
    expect(r.citations).toEqual([]);
    // Discord markdown around it is formatting, not words: the same question in bold, underlined or as a spoiler.
    for (const marked of [
      '**how do i claim parking reimbursement for the offsite, which form**',
      '__how do i claim parking__ reimbursement for the offsite, ||which form||',
      '_how do i claim parking reimbursement for the offsite, which form_',
      '<:thonk:1069413349523812423> how do i claim parking reimbursement for the offsite, which form :pray:',
    ]) {
      const m = await answerQuestion({ retriever }, marked);
      expect([m.confidence, m.abstainReason], marked).toEqual(['none', r.abstainReason]);
    }
  });

  it("reads a question with Discord's markup as the plain question: emoji, links, mentions, list marks", async () => {
    const plain = await answerQuestion({ retriever }, 'does deduplicating the pretraining data help?');
    expect(plain.confidence).toBe('high');
    expect(plain.citations[0].title.startsWith('D4:')).toBe(true);
    for (const marked of [
      'does deduplicating the pretraining data help? <:thinking:1069413349523812423>',
      ':thinking: does deduplicating the pretraining data help?',
      'does deduplicating the pretraining data help? cc <@102667372615093839>',
      'does deduplicating the pretraining data help? https://discord.com/channels/1069413349523812423/1069413349523812424',
      'does deduplicating the pretraining data help? ([thread](<https://discord.com/channels/1/2/3>))',
      '1. does deduplicating the pretraining data help?',
      '-# does deduplicating the pretraining data help?',
      'does deduplicating the pretraining data help?\n```python\ndocs = minhash_dedup(corpus, threshold=0.8)\ntrainer.fit(model, docs)\n```',
    ]) {
      const m = await answerQuestion({ retriever }, marked);
      expect([m.confidence, m.citations.map((c) => c.title)], marked).toEqual([plain.confidence, plain.citations.map((c) => c.title)]);
    }
  });

  it('reads a message in capitals as one in lower case: its English words are no names the corpus lacks', async () => {
    const shouted = await answerQuestion({ retriever }, 'WHAT DOES DROPPOS DO WHEN IT THROWS AWAY PATCHES?');
    const typed = await answerQuestion({ retriever }, 'what does DropPos do when it throws away patches?');
    expect(shouted.confidence).toBe('high');
    expect(shouted.abstainReason).toBeUndefined();
    expect(shouted.citations.map((c) => c.title)).toEqual(typed.citations.map((c) => c.title));
    expect(shouted.citations[0].title.startsWith('DropPos')).toBe(true);
    // Names among words in lower case are not a message in capitals.
    expect(unshout('RLHF vs DPO vs PPO?')).toBe('RLHF vs DPO vs PPO?');
    expect(unshout('does DPO beat PPO?')).toBe('does DPO beat PPO?');
    expect(unshout("WHAT'S THE BEST PRE-TRAINING RECIPE FOR BERT")).toBe("what's the best pre-training recipe for bert");
  });

  it('reads "nobody", "anywhere" and a phrasal verb\'s gerund as no name the corpus lacks', async () => {
    for (const [question, title] of [
      ['did leanagent actually prove any new theorems nobody had proven before?', /^LeanAgent/],
      ['do they use RL anywhere in skyreels-v2 post-training or is it all sft?', /^SkyReels-V2/],
      ['does knocking out retrieval heads make the model hallucinate?', /^Retrieval Head/],
    ] as const) {
      const r = await answerQuestion({ retriever }, question);
      expect([r.confidence, r.abstainReason], question).toEqual(['high', undefined]);
      expect(r.citations[0].title).toMatch(title);
    }
  });

  it('refuses no question for the chat around it: a chat sentence with a corpus word is no part of the coverage `none` reads', async () => {
    const question = 'what finance-specific LLM papers are in here?';
    const alone = await answerQuestion({ retriever }, question);
    const chatty = await answerQuestion(
      { retriever },
      `The delivery guy said \u201CI'll be there in 5 minutes\u201D 40 minutes ago. So meanwhile, ${question}`,
    );
    expect(alone.confidence).not.toBe('none');
    expect(chatty.confidence).not.toBe('none');
    expect(chatty.abstained).toBe(false);
    expect(chatty.citations.map((c) => c.title)).toContain(alone.citations[0].title);
  });

  it('answers the question of a message beside a request no paper answers: `low`, not refused, naming what is missing', async () => {
    const question = 'how many tokens is FineWeb?';
    const alone = await answerQuestion({ retriever }, question);
    const side = 'tell me why my toaster only toasts one side';
    const both = await answerQuestion({ retriever }, `anyway, ${question} and while you are at it, ${side}`);
    expect(alone.confidence).toBe('high');
    expect([both.confidence, both.abstained, both.abstainReason]).toEqual([
      'low',
      false,
      'the corpus never mentions toaster, toasts, side',
    ]);
    expect(both.citations[0].title).toBe(alone.citations[0].title);
    // Chat before the question on a line of its own, whose words pulled another paper first, refuses it no more: read as
    // asides, left out, it is answered as the question alone.
    const lunch = await answerQuestion(
      { retriever },
      'hey all, back from lunch. the ramen place had a 40 minute line and honestly it was not worth it.\n\n' +
        'continuing to train pythia on fresh data: should the learning rate go back up again or just keep it low?',
    );
    expect([lunch.confidence, lunch.abstained]).toEqual(['high', false]);
    // A message no sentence of which the corpus answers is still refused.
    const none = await answerQuestion({ retriever }, `${side}? also, what is a good substitute for buttermilk in pancakes?`);
    expect([none.confidence, none.abstained]).toEqual(['none', true]);
  });

  it('answers a question beside a request about nothing here as the question alone, and says that request is not answered', async () => {
    const question = "is there evidence that medical LLMs don't really beat their general base models?";
    const alone = await answerQuestion({ retriever }, question);
    const tyres = 'and unrelated, should I get winter tyres or all-season ones for a small hatchback?';
    const both = await answerQuestion({ retriever }, `hey ${question} ${tyres} we get maybe two weeks of snow a year`);
    expect(alone.confidence).toBe('high');
    expect([both.confidence, both.abstainReason]).toEqual(['high', undefined]);
    expect(both.citations[0].title).toBe(alone.citations[0].title);
    expect(both.answer).toMatch(
      /^_"and unrelated, should I get winter tyres or all-season ones for a…" is about nothing in the papers here, so it is not answered\._/,
    );
    // A run-on sentence after a question without its mark opens with a capital that names nothing.
    const lora = 'which papers compare LoRA and full finetuning';
    const runOn = await answerQuestion({ retriever }, `${lora} Anyway I'm off to walk the dog.`);
    expect([runOn.confidence, runOn.abstainReason]).toEqual([(await answerQuestion({ retriever }, lora)).confidence, undefined]);
    // A day or a month says when, and names nothing the corpus lacks.
    for (const message of [
      `Still recovering from the 5k on Sunday, my calves are destroyed ${lora}`,
      `${lora}? Also it's snowing here, in April.`,
      // ... and so does a day counted from today.
      `Before the standup tomorrow — ${lora}`,
      // ... and a holiday.
      `happy Diwali all 🪔 ${lora}`,
      `${lora} last one before I log off for Thanksgiving`,
      `happy Lunar New Year everyone 🧧 ${lora}`,
    ]) {
      const r = await answerQuestion({ retriever }, message);
      expect([r.confidence, r.abstainReason], message).toEqual(['high', undefined]);
    }
  });

  it('answers a question between a greeting and a sign-off that name people as the question alone', async () => {
    const question = "is there evidence that medical LLMs don't really beat their general base models?";
    const alone = await answerQuestion({ retriever }, question);
    expect(alone.confidence).toBe('high');
    // Each of these names was graded before as a name no paper uses: "the corpus never mentions Priya".
    for (const message of [
      `Hi Priya, Tomás —\n${question}\nMany thanks,\nHelen`,
      `Morning Kenji! Farid here. ${question} cheers, Dmitri`,
      `Dear Dr. Okafor,\n${question}\n- Raj`,
    ]) {
      const r = await answerQuestion({ retriever }, message);
      expect([r.confidence, r.abstainReason], message).toEqual(['high', undefined]);
      expect(r.citations[0].title).toBe(alone.citations[0].title);
    }
  });

  it('answers a question relayed in quotes as the question alone: who asked and where are no words of it', async () => {
    const question = 'how does LaVIT turn images into tokens for the LLM?';
    const alone = await answerQuestion({ retriever }, question);
    for (const message of [
      `someone in #general asked "${question}" and nobody answered, can you take a shot?`,
      `our intern DM'd me this: \`${question}\` what should I tell them?`,
    ]) {
      const r = await answerQuestion({ retriever }, message);
      expect([r.confidence, r.abstainReason], message).toEqual([alone.confidence, alone.abstainReason]);
      expect(r.citations.map((c) => c.title)).toEqual(alone.citations.map((c) => c.title));
    }
    expect(alone.confidence).toBe('high');
  });

  it('reads a name in the plural ("A100s") as the name the corpus has, and one it lacks as missing', async () => {
    const r = await answerQuestion({ retriever }, 'how long does mosaicbert-base take to pretrain on 8 A100s?');
    expect([r.confidence, r.abstainReason]).toEqual(['high', undefined]);
    expect(r.citations[0].title).toMatch(/^MosaicBERT/);
    const lacked = await answerQuestion({ retriever }, 'how long does mosaicbert-base take to pretrain on 8 Z900s?');
    expect([lacked.confidence, lacked.abstainReason]).toEqual(['low', 'the corpus never mentions Z900s']);
  });

  it('grades a method taken to a field that the corpus has only apart low, and one a close match joins high', async () => {
    // The corpus has early-exit LLMs and, apart, speech papers; GaLore for LLMs and, apart, image papers.
    const speech = await answerQuestion({ retriever }, 'early-exit inference for speech models?');
    expect([speech.confidence, speech.abstainReason]).toEqual(['low', 'no paper here joins speech with the rest of the question']);
    expect(speech.citations[0].title).toMatch(/^EE-LLM/);
    const image = await answerQuestion({ retriever }, 'GaLore memory-efficient training for image classifiers?');
    expect([image.confidence, image.abstainReason]).toEqual(['low', 'no paper here joins image with the rest of the question']);
    // The best match never names code; close matches on code LLMs join the two.
    const asked = 'continual pretraining recipe for code LLMs?';
    const [best] = await retriever.search(asked, { k: 1 });
    expect(`${best.paper.title} ${best.paper.abstract}`).not.toMatch(/\b(?:code|coding|programming|programs?|software)\b/i);
    const joined = await answerQuestion({ retriever }, asked);
    expect([joined.confidence, joined.abstainReason]).toEqual(['high', undefined]);
  });

  it('grades two fields no close match says together low ("japanese ASR"), and answers when one joins them', async () => {
    // The corpus has ASR papers and, apart, Japanese LLM papers.
    const apart = await answerQuestion({ retriever }, 'japanese ASR: any wav2vec / continued pretraining work on japanese speech?');
    expect([apart.confidence, apart.abstainReason]).toEqual(['low', 'no paper here joins ASR with japanese']);
    // A Japanese finance LLM paper says both.
    const joined = await answerQuestion({ retriever }, 'japanese financial LLM via continued pretraining?');
    expect([joined.confidence, joined.abstainReason]).toEqual(['high', undefined]);
    expect(joined.citations[0].title).toMatch(/Japanese Large Language Model for Finance/);
    // Alternatives are not joined: "japanese or korean" asks for either (here WECHSEL says neither).
    const either = await answerQuestion({ retriever }, 'did WECHSEL report results transferring roberta to japanese or korean?');
    expect(either.abstainReason).not.toMatch(/japanese with korean/);
  });

  it('reads a size ("7T") as a number for the answer to report, not a name the corpus lacks', async () => {
    const r = await answerQuestion({ retriever }, 'how many tokens did qwen2.5 pretrain on? i know qwen2 was 7T');
    expect([r.confidence, r.abstainReason]).toEqual(['high', undefined]);
    expect(r.citations[0].title).toMatch(/^Qwen2\.5 Technical Report/);
  });

  it('reads "PT" as pretraining, searched and known, not a name the corpus lacks', async () => {
    const r = await answerQuestion({ retriever }, 'multilingual speech PT, indian languages?');
    expect(r.confidence).toBe('high');
    expect(r.citations[0].title).toBe('Towards Building ASR Systems for the Next Billion Users');
  });

  it('reads a topic the message opens with as its subject, not chat, and an aside telling something as chat', async () => {
    // Read as chat, "per diem for the nyc trip" left "75 or 90 a day?", answered high from a paper on "Day-1" radiographs.
    const topic = await answerQuestion({ retriever }, 'per diem for the nyc trip, 75 or 90 a day?');
    expect(topic.confidence).toBe('low');
    expect(topic.abstainReason).toBe('the corpus never mentions diem, nyc, trip');
    // A label naming the topic ("regex q:") needs only one such word.
    const label = await answerQuestion({ retriever }, 'regex q: how do i match lines that dont start with #');
    expect(label.confidence).toBe('low');
    expect(label.abstainReason).toBe('the corpus never mentions regex');
    const quick = await answerQuestion({ retriever }, 'quick q: how does WRAP rephrase web documents?');
    expect(quick.confidence).toBe('high');
    const aside = await answerQuestion({ retriever }, 'deadline is tonight lol, how does WRAP rephrase web documents?');
    expect(aside.confidence).toBe('high');
    expect(aside.citations[0].title).toMatch(/^Rephrasing the Web/);
  });

  it.each(outOfCorpus)('abstains on %s', async (question) => {
    const r = await answerQuestion({ retriever }, question);
    expect(r.abstained).toBe(true);
    expect(r.confidence).toBe('none');
    expect(r.abstainReason).toBeTruthy();
    expect(r.citations).toEqual([]);
    expect(r.mode).toBe('extractive');
    expect(r.answer).toMatch(/^I couldn't find an answer to this in the paper corpus/);
    expect(markersIn(r.answer)).toEqual([]);
    expect(r.sources.length).toBeLessThanOrEqual(3);
    // Possibly related papers are listed by title, and every title is a real corpus title.
    const listed = r.answer
      .split('\n')
      .filter((l) => l.startsWith('- '))
      .map((l) => l.slice(2));
    expect(listed).toEqual(r.sources.map((s) => s.title));
    for (const t of listed) expect(titles.has(t)).toBe(true);
  });

  it.each([
    ['LoRA는 뭐야?', 'LoRA?', '"LoRA" was searched'],
    ['LoRA和QLoRA有什么区别?', 'LoRA QLoRA?', '"LoRA", "QLoRA" were searched'],
    ['что такое LoRA?', 'LoRA?', '"LoRA" was searched'],
    ['was ist LoRA?', 'LoRA?', '"LoRA" was searched'],
    ['¿cuál es la diferencia entre LoRA y QLoRA?', 'LoRA QLoRA?', '"LoRA", "QLoRA" were searched'],
  ])('answers %s from its words in the corpus’ script, `low`, saying what it read', async (question, words, read) => {
    const plain = await answerQuestion({ retriever }, words);
    const r = await answerQuestion({ retriever }, question);
    expect(r.abstained).toBe(false);
    expect(r.confidence).toBe('low');
    expect(r.abstainReason).toBe(`the papers here are in English, so only ${read}`);
    expect(r.answer).toContain(`_Low confidence: the papers here are in English, so only ${read}.`);
    expect(r.citations[0]).toEqual(plain.citations[0]);
  });

  it('still names a name the corpus lacks in a question in another language, but not its nouns', async () => {
    const r = await answerQuestion({ retriever }, 'Was ist der Unterschied zwischen LoRA und DreamBooth?');
    expect(r.confidence).toBe('low');
    expect(r.abstainReason).toBe('the corpus never mentions DreamBooth');
  });

  it('still refuses a question with no word in the corpus’ script, saying the papers are in English', async () => {
    const r = await answerQuestion({ retriever }, '什么是低秩适应?');
    expect(r.abstained).toBe(true);
    expect(r.abstainReason).toBe('the papers here are in English, and no word of the question is one they use');
    expect(r.answer).toMatch(/^I couldn't find an answer to this in the paper corpus \(the papers here are in English/);
    // A question in English that matches nothing still says so.
    expect((await answerQuestion({ retriever }, 'zxqv wuzzle?')).abstainReason).toBe('no paper in the corpus matches the question');
  });

  it('reads chat shorthand of two meanings ("gen", "diff") as no word the corpus lacks when it writes one of them', async () => {
    for (const q of [
      'qwen2.5 report: how big was the pretraining set vs the previous gen?',
      'whats the diff between GaLore and Fira?',
      'sparse + low-rank combos for pretraining, which papers?',
    ]) {
      const r = await answerQuestion({ retriever }, q);
      expect([r.confidence, r.abstainReason], q).toEqual(['high', undefined]);
    }
  });

  it('names the unknown entity as the reason', async () => {
    const r = await answerQuestion({ retriever }, 'how many fine-tuning steps does DreamBooth need with Stable Diffusion?');
    expect(r.abstainReason).toContain('DreamBooth');
  });

  it('does not abstain on in-corpus keyword questions', async () => {
    for (const [q, prefix] of [
      ['how does CLEX extend the context window?', 'CLEX'],
      ['what is MediSwift?', 'MediSwift'],
      ['what does LLaMA-3 have to do with Instruct-SkillMix?', 'Instruct-SkillMix'],
    ] as const) {
      const r = await answerQuestion({ retriever }, q);
      expect(r.abstained, q).toBe(false);
      expect(r.citations[0].title.startsWith(prefix), q).toBe(true);
    }
  });

  it('does not abstain when the best paper words one thing differently ("speed up" vs "faster")', async () => {
    // Another close match is about speed-ups; one missing word is wording, not a second subject.
    const r = await answerQuestion({ retriever }, 'How does dataset decomposition speed up LLM training?');
    expect(r.abstained).toBe(false);
    expect(r.citations[0].title.startsWith('Dataset Decomposition')).toBe(true);
  });

  it('extracts whole names, not fragments of them', () => {
    expect(namedEntities('does LLaMA-3 beat UL2 and DreamBooth on DGX-H100?')).toEqual(['LLaMA', 'UL2', 'DreamBooth', 'DGX', 'H100']);
    // A capital that only starts the sentence is not a name.
    expect(namedEntities('Which paper uses Domino?')).toEqual(['Domino']);
  });
});

describe('cleanQuestion', () => {
  const invalid = ['', '   \n\t ', '<@123>', '<@!123456789> <#42>', '?!?! ... ---', '\u200b\u200f\u202e', '@everyone'];
  it.each(invalid.map((q) => [JSON.stringify(q), q]))('rejects %s with QUESTION_INVALID', (_label, q) => {
    let err: unknown;
    try {
      cleanQuestion(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('QUESTION_INVALID');
    expect((err as AppError).userMessage.length).toBeGreaterThan(10);
  });

  it('truncates a 6000-character question instead of rejecting it', async () => {
    const long = `what does DropPos pretrain ViTs to do? ${'x'.repeat(6000)}`;
    const cleaned = cleanQuestion(long);
    expect(cleaned.length).toBe(MAX_QUESTION_CHARS);
    expect(cleaned.startsWith('what does DropPos pretrain ViTs to do?')).toBe(true);
    const r = await answerQuestion({ retriever }, long);
    expect(r.question.length).toBe(MAX_QUESTION_CHARS);
    expect(r.abstained).toBe(false);
    expect(r.citations[0].title.startsWith('DropPos')).toBe(true);
  });

  it('never splits a surrogate pair when truncating a long question', () => {
    // An emoji straddling the cut: its high surrogate would be the last kept code unit.
    const q = `${'a'.repeat(MAX_QUESTION_CHARS - 1)}\u{1F600} tail`;
    const cleaned = cleanQuestion(q);
    expect(cleaned).toBe('a'.repeat(MAX_QUESTION_CHARS - 1));
    expect(/[\uD800-\uDBFF]$/.test(cleaned)).toBe(false);
  });

  it('strips zero-width, bidi and control characters', () => {
    expect(cleanQuestion('what does Drop\u200bPos do?')).toBe('what does DropPos do?');
    expect(cleanQuestion('\u202ewhat\u202c is \u2066CLEX\u2069?\ufeff')).toBe('what is CLEX?');
    expect(cleanQuestion('what\u0000is\u0007CLEX\u001b[31m?\u009b')).toBe('what is CLEX [31m?');
    expect(cleanQuestion('  what   is\t CLEX?  ')).toBe('what is CLEX?');
    // Line breaks are kept (one per run), since they part chat from the question.
    expect(cleanQuestion('what is CLEX? \r\n\n\t thanks in advance')).toBe('what is CLEX?\nthanks in advance');
    const cleaned = cleanQuestion('a\u0001b\u200dc\u2060d\u00ade\u0085f');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserts control characters are gone
    expect(cleaned).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/);
  });

  it('writes a typeset hyphen or an en dash inside a word as "-", so answerability reads the word as the search does', () => {
    expect(cleanQuestion('is vision\u2013language pre\u2010training covered? 10 \u2013 20 papers\u2014ok')).toBe(
      'is vision-language pre-training covered? 10 \u2013 20 papers\u2014ok',
    );
  });

  it('removes Discord mentions but keeps the question', () => {
    expect(cleanQuestion('<@123456789012345678> what is CLEX? @here')).toBe('what is CLEX?');
    // A custom emoji reads as its name, as Discord shows it; "cc" before a mention only addresses it.
    expect(cleanQuestion('<:thonk:1069413349523812423> what is CLEX? cc <@123456789012345678>')).toBe(':thonk: what is CLEX?');
  });

  it('keeps Markdown and code fences as text', () => {
    const q = cleanQuestion('what does **DropPos** do with `mask_ratio`?\n```python\nmodel(x)\n```');
    expect(q).toBe('what does **DropPos** do with `mask_ratio`?\n```python\nmodel(x)\n```');
  });

  it('does not reject a question in another script', () => {
    expect(cleanQuestion('什么是 DropPos？')).toBe('什么是 DropPos？');
  });
});

describe('questions asking for a list of papers', () => {
  it('cite more than five papers when more match, while other questions cite five', async () => {
    const list = await answerQuestion({ retriever }, 'which papers study knowledge distillation from large language models?');
    expect(list.citations.length).toBeGreaterThan(5);
    expect(list.citations.map((c) => c.marker)).toEqual(list.sources.map((s) => s.marker));
    const one = await answerQuestion({ retriever }, 'what does knowledge distillation from large language models do?');
    expect(one.citations).toHaveLength(5);
  });

  it('read the request for papers from the whole message, also when it is chat frame ("recommend some papers on …")', async () => {
    const list = await answerQuestion(
      { retriever },
      'can you recommend some good papers on knowledge distillation from large language models?',
    );
    expect(list.citations.length).toBeGreaterThan(5);
  });

  it.each([
    ['must-reads on model merging?', 'which papers are about model merging?'],
    ['new to the team, where do i start with knowledge distillation for llms?', 'which papers are about knowledge distillation for llms?'],
    ['our team needs a reading list on data deduplication pls', 'which papers are about data deduplication?'],
  ])('answers %j as asking for the papers on its topic: same papers, same grade', async (request, plain) => {
    const [asked, topic] = [await answerQuestion({ retriever }, request), await answerQuestion({ retriever }, plain)];
    expect(asked.confidence).toBe(topic.confidence);
    expect(asked.citations.map((c) => c.title)).toEqual(topic.citations.map((c) => c.title));
  });

  it.each([
    ['which papers extend the context window?', true],
    ['any papers on model merging?', true],
    ['list the papers about unlearning', true],
    ['papers about initializing a larger model from a smaller one', true],
    ['what does the DropPos paper report on ImageNet?', false],
    ['must-reads on scaling laws?', true],
    ['new to RLHF, where do i start?', true],
    ['what should i read before working on tokenizers', true],
    ['some reading comprehension benchmarks for LLMs?', false],
  ])('%s -> list: %s', (q, expected) => {
    expect(asksForList(q)).toBe(expected);
  });
});

describe('summarizeTopic (offline)', () => {
  it('returns several papers grouped by theme, one line per paper, with markers', async () => {
    const r = await summarizeTopic({ retriever }, 'data selection for language model pretraining');
    expect(r.abstained).toBe(false);
    expect(r.mode).toBe('extractive');
    expect(r.citations.length).toBeGreaterThanOrEqual(4);
    expect(new Set(r.citations.map((c) => c.paperId)).size).toBe(r.citations.length);
    const lines = r.answer.split('\n').filter(Boolean);
    // Each theme's heading lists the markers of the papers under it.
    const heads = lines.filter((l) => l.startsWith('**'));
    expect(heads.length).toBeGreaterThan(0);
    const blocks = lines.filter((l) => l.startsWith('- '));
    expect(blocks).toHaveLength(r.citations.length);
    r.citations.forEach((c, i) => {
      expect(c.marker).toBe(i + 1);
      const paper = retriever.store.paperById.get(c.paperId)!;
      const head = `- **${paper.title}** [${c.marker}]: `;
      const block = blocks.find((b) => b.startsWith(head));
      expect(block, paper.title).toBeDefined();
      // One verbatim sentence per paper.
      expect(paper.abstract).toContain(block!.slice(head.length));
    });
  });

  it('summarizes a topic the corpus only touches with low confidence, saying what it lacks', async () => {
    const r = await summarizeTopic({ retriever }, 'DreamBooth personalization of Stable Diffusion');
    expect(r.abstained).toBe(false);
    expect(r.confidence).toBe('low');
    expect(r.answer).toMatch(/^_Low confidence: no paper here mentions DreamBooth\./);
  });

  it('abstains on a topic with nothing close in the corpus', async () => {
    const r = await summarizeTopic({ retriever }, 'best pizza in Naples');
    expect(r.abstained).toBe(true);
    expect(r.confidence).toBe('none');
    expect(r.citations).toEqual([]);
  });
});

describe('similarPapers', () => {
  it('excludes the paper itself and returns k others, best first', async () => {
    const paper = paperByTitlePrefix('DropPos');
    const r = await similarPapers(retriever, paper, 5);
    expect(r.paper.id).toBe(paper.id);
    expect(r.similar).toHaveLength(5);
    expect(r.similar.map((s) => s.paperId)).not.toContain(paper.id);
    expect(new Set(r.similar.map((s) => s.paperId)).size).toBe(5);
    const scores = r.similar.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const s of r.similar) {
      expect(titles.has(s.title)).toBe(true);
      // "why" quotes the similar paper's own abstract.
      if (s.why) expect(retriever.store.paperById.get(s.paperId)!.abstract).toContain(s.why);
    }
  });

  it('respects k', async () => {
    const r = await similarPapers(retriever, paperByTitlePrefix('CLEX'), 2);
    expect(r.similar).toHaveLength(2);
  });
});

describe('follow-up questions (offline)', () => {
  const dropPos = () => paperByTitlePrefix('DropPos');
  const history = (): Turn[] => [
    {
      question: 'what does DropPos pretrain ViTs to do?',
      answer: 'DropPos pre-trains ViTs to reconstruct the positions of dropped tokens [1].',
      citedTitles: [dropPos().title],
    },
  ];
  const followUp = 'what about its results on ImageNet?';

  it('recognises an anaphoric follow-up but not a standalone question', () => {
    expect(looksLikeFollowUp(followUp, retriever.corpus.termStats)).toBe(true);
    expect(looksLikeFollowUp('how does CLEX extend the context window of LLMs?', retriever.corpus.termStats)).toBe(false);
  });

  it.each(['und wie viel Speicher spart es?', '그거 메모리는 얼마나 줄여?', '¿y cuánta memoria ahorra?'])(
    'reads a follow-up in another language as a follow-up and answers it from the thread: %s',
    async (question) => {
      expect(looksLikeFollowUp(question, retriever.corpus.termStats)).toBe(true);
      const r = await answerQuestion({ retriever }, question, { history: history() });
      expect(r.query).toContain('DropPos');
      expect(r.abstained).toBe(false);
      expect(r.sources[0].paperId).toBe(dropPos().id);
      // Only the words carried from the thread were searched, and the answer says so.
      expect(r.confidence).toBe('low');
      expect(r.abstainReason).toMatch(/^the papers here are in English, so only "DropPos", .* were searched$/);
    },
  );

  it('lexicalRewrite carries DropPos into the query', () => {
    const q = lexicalRewrite(followUp, history(), retriever.corpus.termStats);
    expect(q.startsWith(followUp)).toBe(true);
    expect(q).toContain('DropPos');
    expect(q).toContain(dropPos().title);
  });

  it('a standalone question is not rewritten even with history', async () => {
    const q = 'how does CLEX extend the context window of LLMs?';
    expect(lexicalRewrite(q, history(), retriever.corpus.termStats)).toBe(q);
    expect(await rewriteFollowUp(q, history(), { lexical: retriever.corpus.termStats })).toEqual({ query: q, method: 'none' });
  });

  it('answerQuestion with history retrieves DropPos first; without history it does not', async () => {
    const withHistory = await answerQuestion({ retriever }, followUp, { history: history() });
    expect(withHistory.question).toBe(followUp);
    expect(withHistory.query).toContain('DropPos');
    expect(withHistory.abstained).toBe(false);
    expect(withHistory.sources[0].paperId).toBe(dropPos().id);
    expect(withHistory.citations[0].paperId).toBe(dropPos().id);

    const alone = await answerQuestion({ retriever }, followUp);
    expect(alone.query).toBe(followUp);
    expect(alone.sources[0]?.paperId).not.toBe(dropPos().id);
  });
});
