/** What a chat message wraps around its question, and what stays: questionCore and withoutChatClauses. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutChatClauses } from '../../src/index/chat-clauses.js';
import { isAcknowledgement, questionCore, relayedQuestion, switchesTopic } from '../../src/index/chat-frame.js';
import { tokenize } from '../../src/index/tokenize.js';
import { buildIndex, type BuiltIndex } from '../answer/helpers.js';

describe('questionCore', () => {
  it.each([
    ['tldr: how does lora work?', 'how does lora work?'],
    ['how does lora work? eli5', 'how does lora work?'],
    ['quick question: what is dpo', 'what is dpo'],
    ['quick q what is dpo', 'what is dpo'],
    ['can someone explain DPO', 'DPO'],
    ['define perplexity', 'perplexity'],
    ['what does MoE stand for', 'what does MoE'],
    ['what does GQA mean?', 'what does GQA'],
    ['give me an overview of data mixtures', 'data mixtures'],
    ['hey guys, quick q, can someone pls explain in simple terms how rope scaling works? thx', 'how rope scaling works?'],
    ['help: which papers do KD', 'which papers do KD'],
    ['can you summarize the main findings on model merging', 'the main findings on model merging'],
    ['I want to learn about speculative decoding', 'speculative decoding'],
    ['sorry if this is a dumb q, what is a kv cache', 'what is a kv cache'],
    ['@ResearchBot sorry to ping again but what is dpo', 'what is dpo'],
    ['not sure if this is the right channel but how does lora work', 'how does lora work'],
    ['gm ☀️ what is dpo', 'what is dpo'],
    ['what is dpo (bullet points plz)', 'what is dpo'],
    ['what is dpo ty in advance 🙏', 'what is dpo'],
    ['QUICK QUESTION what is dpo no rush tho, cheers', 'what is dpo'],
    ['Q: what is grpo', 'what is grpo'],
    ['thoughts on DPO?', 'DPO?'],
    ['any thoughts on whether dedup helps?', 'whether dedup helps?'],
    ['what do people think of GaLore', 'GaLore'],
    ['has anyone here tried LoRA for ViTs', 'LoRA for ViTs'],
    ['anyone read the BudgetLongformer paper?', 'the BudgetLongformer paper?'],
    ['did you see the new llama paper', 'the new llama paper'],
    ['got any papers on DPO', 'any papers on DPO'],
    ['what are the pros and cons of MoE?', 'MoE?'],
    // What the talk about it is called, and how much it matters, asked (eval/idiom-phrasing.jsonl, tuning half).
    ['give me the scoop on prepacking for LLM prefill', 'prepacking for LLM prefill'],
    ['whats the lowdown on byte-level LMs', 'byte-level LMs'],
    ["what's the hot take on zero-shot CoT", 'zero-shot CoT'],
    ["what's the buzz around perplexity correlations", 'perplexity correlations'],
    ['bring me up to speed on DP fine-tuning for LLMs', 'DP fine-tuning for LLMs'],
    ['domain upsampling at the end of training — is it a big deal?', 'domain upsampling at the end of training'],
    ['LLMs for time series forecasting is kind of a nothingburger, right?', 'LLMs for time series forecasting'],
    // Not frame: a talk word as the subject, or a word after "the" that is what is measured.
    ['what is the take rate of speculative decoding?', 'what is the take rate of speculative decoding?'],
    ["what's the speedup on A100?", "what's the speedup on A100?"],
    ['how big a deal is data contamination?', 'how big a deal is data contamination?'],
    ['what is the main idea of UniViTAR', 'UniViTAR'],
    ['key contributions of GaLore?', 'GaLore?'],
    ['any follow-up work on DPO?', 'DPO?'],
    ['DPO explained', 'DPO'],
    ['what problems is speculative decoding trying to solve?', 'speculative decoding'],
    ['can you recommend me some good papers about rlhf?', 'rlhf?'],
    ['where can i read about moe', 'moe'],
    ['need refs for speculative decoding', 'speculative decoding'],
    ['UniViTAR - worth reading?', 'UniViTAR'],
    // Asking what to read: the request names no subject ("reading" found "Well-Read Students Learn Better").
    ['reading list for model merging pls', 'model merging'],
    ['must-reads on scaling laws?', 'scaling laws?'],
    ['where should i start with knowledge distillation?', 'knowledge distillation?'],
    ['what should i read to get into instruction tuning', 'instruction tuning'],
    ['key refs on data pruning?', 'data pruning?'],
    ['is there literature on tokenizer transfer?', 'tokenizer transfer?'],
    ['good intro to mixture of experts?', 'mixture of experts?'],
    ['any primers on RLHF', 'RLHF'],
    // The asker's people and who is asking: no paper's subject.
    ['what data did the 1.5-Pints folks use', 'what data did the 1.5-Pints use'],
    ['what do folks think of GaLore?', 'GaLore?'],
    ['just joined the eval team! what is dpo', 'just joined the eval ! what is dpo'],
    ['im new to RLHF, what is a reward model', 'RLHF, what is a reward model'],
    ['who wrote UniViTAR?', 'UniViTAR?'],
    ['UniViTAR, thoughts?', 'UniViTAR'],
    ['GaLore for RLHF - any thoughts on this?', 'GaLore for RLHF'],
    ['when was UniViTAR published', 'UniViTAR'],
    ['when did the DPO paper come out?', 'the DPO paper'],
    ['what does DPO do, and when was it published?', 'what does DPO do, ?'],
    // Greetings and requests typed in a hurry.
    ['hye can u tel me how does lora work', 'how does lora work'],
    ['helo, quik question pls what is dpo', 'what is dpo'],
    ['heyy what is dpo', 'what is dpo'],
    ['hii all, what is dpo', 'what is dpo'],
    ['hi-res image generation?', 'hi-res image generation?'],
    // An emoji parts clauses as a dash does; a line break stays one.
    ['sorry to bother again 😅 i promise this is the last one how does lora work', 'i promise this is the last one how does lora work'],
    ['how does lora work 🙏', 'how does lora work'],
    ['how does lora work?\n\ngonna grab food brb', 'how does lora work?\ngonna grab food brb'],
    // Messaging the bot directly, formal requests and closings, "wait also", a table asked for.
    ["hey, hope it's ok to DM you directly. what is dpo?", "hope it's ok to directly. what is dpo?"],
    ['can i pm u, what is dpo', 'can i , what is dpo'],
    ['Hello sir, kindly help me with one doubt. what is dpo? Please reply at earliest.', 'what is dpo'],
    ['Dear bot, I want to ask that what is dpo', 'what is dpo'],
    ['dear colleagues: what is dpo', 'what is dpo'],
    ['Dear teammates, what is dpo', 'what is dpo'],
    ['wait also what is dpo', 'what is dpo'],
    ['wait, what is dpo', 'what is dpo'],
    ['what is dpo or am i overthinking this', 'what is dpo'],
    ['what is dpo. reply at your earliest', 'what is dpo'],
    ['what is dpo\nif possible put the answer in a table', 'what is dpo'],
    // Who does it, asked of the askers' peers: no paper's subject.
    ['how do people compress the KV cache?', 'how do compress the KV cache?'],
    ['what do folks use to filter web data?', 'what do use to filter web data?'],
    ['do people still distill big models?', 'do still distill big models?'],
    ['how do most practitioners pick the lora rank?', 'how do most pick the lora rank?'],
    // When the papers came out is a date filter (search-filter.ts), not words to search.
    ['papers from this week about RL?', 'papers about RL?'],
    ["what's the latest on tokenizer transfer in the past 30 days", "what's the on tokenizer transfer"],
    // Which side of it is asked about.
    ['what are the downsides of model merging?', 'what are the of model merging?'],
    ['any caveats with continual pretraining?', 'any with continual pretraining?'],
    ['data mixture optimization pitfalls', 'data mixture optimization'],
    // What an abbreviation stands for: the abbreviation is the subject.
    ['SFT meaning?', 'SFT'],
    ["what's GQA short for", 'GQA'],
    ['hey, what is the full form of PEFT?', 'PEFT'],
    // …with what is asked about between the question word and "do".
    ['what benchmark do people use for code generation?', 'what benchmark do use for code generation?'],
    ['how many bits do folks quantize LLM weights to?', 'how many bits do quantize LLM weights to?'],
    ['what kind of data do teams use to pretrain speech models?', 'what kind of data do use to pretrain speech models?'],
    ['why would ML people use BPE?', 'why would use BPE?'],
    // What the talk is: when, by whom and how it is talked about names no subject.
    ['is there a consensus on whether dedup helps?', 'dedup helps?'],
    ["what's the current thinking on lr warmup?", 'lr warmup?'],
    ['what are people saying about past tense jailbreaks?', 'past tense jailbreaks?'],
    ["what's trending in tokenizer transfer?", 'tokenizer transfer?'],
    ["what's the go-to method for extending context?", 'method for extending context?'],
    ["what's everyone using for data filtering these days?", "what's using for data filtering ?"],
    ['lately what has been done on MoE?', 'MoE?'],
    ['is sequence packing overrated?', 'is sequence packing ?'],
    // The bot by its name, and a signature on the last line.
    ['hi research bot! what is dpo', 'what is dpo'],
    ['what is dpo?\n\nthx\n-- jonas (ml infra)', 'what is dpo'],
    ['what is dpo?\n\u2014 sam', 'what is dpo'],
    // A dash opening a line that is not the last, or a question, is no signature.
    ['what is dpo?\n-- and is it better than ppo?', 'what is dpo?\n-- and is it better than ppo?'],
  ])('%j asks %j', (message, core) => {
    expect(questionCore(message)).toBe(core);
  });

  it.each([
    'question answering over tables?',
    'simple question answering baselines?',
    'Q-learning for LLM agents?',
    'q, k, v projections sharing?',
    'well-calibrated models?',
    'bot detection on twitter?',
    'summary quality metrics for LLMs?',
    'morning glory pool?',
    'in short contexts do models do better?',
    'read the paper on sparse attention?',
    'used car prices?',
    'chain of thoughts on math?',
    'key value caching?',
    'main results?',
    'what problem?',
    'recommendation systems with LLMs?',
    'recommend items with llms',
    'where can I find papers on GaLore?',
    'author attribution methods?',
    'chain of thoughts?',
    'wait times in LLM serving?',
    'DM vs GAN for image synthesis?',
    'reply length of chatbots?',
    'how fast do LLMs respond',
    'when do chatbots reply',
    'how do LLMs read data in a table?',
    'how does people tracking work?',
    'people detection in crowded scenes?',
    'do teams of agents beat one agent?',
    'what tasks do teams of agents solve?',
    'word meaning?',
    // "reading" as what is studied, not asked for.
    'some reading comprehension benchmarks for LLMs?',
    'the reading order of documents during pretraining',
    'how do LLMs start generating text',
    'how does the team of agents split work?',
  ])('keeps %j whole: its first words are its subject, not a frame', (question) => {
    expect(questionCore(question)).toBe(question);
  });

  it('reads a message until nothing more is frame, so reading its core again changes nothing', () => {
    // "do" starts the question only once the greeting is gone; the search reads the core a second time.
    for (const message of [
      'hey bot, do people still distill big models?',
      'Dear bot, I want to ask that do people still distill big models?',
    ]) {
      const core = questionCore(message);
      expect(core).toBe('do still distill big models?');
      expect(questionCore(core)).toBe(core);
    }
  });

  it('reads a message that only thanks or acknowledges as asking nothing, and one that asks as a question', () => {
    for (const text of [
      'thx!',
      'ok cool',
      'thank you so much, that was really helpful',
      'great, thanks a lot 👍',
      '👍',
      'Makes sense. Cheers',
    ])
      expect(isAcknowledgement(text), text).toBe(true);
    for (const text of [
      'why?',
      'more',
      'and the second one',
      'thanks, and what about LoRA?',
      'ok but how does it scale',
      'cool paper on GaLore',
    ])
      expect(isAcknowledgement(text), text).toBe(false);
  });

  it.each([
    ['unrelated, but did anyone pretrain a BERT on stackoverflow data?', 'did anyone pretrain a BERT on stackoverflow data?'],
    ['different q: is there a dataset of LLM response lengths?', 'is there a dataset of LLM response lengths?'],
    ['totally separate thing: has anyone pretrained on simulated ECGs?', 'has anyone pretrained on simulated ECGs?'],
    ['hey, switching gears - any work on verilog generation?', 'any work on verilog generation?'],
    ['new topic. how does label noise affect transfer?', 'how does label noise affect transfer?'],
    ['on a different note, what is GaLore?', 'what is GaLore?'],
    // A word alone that could open a switch, with no mark after it, asks: nothing is left out.
    ['different tokenizers give different results?', undefined],
    ['is the new topic model any good?', undefined],
    ['which side of the trade-off does MoE fall on?', undefined],
    ['are unrelated tasks harmful in multitask training?', undefined],
    ['what about the other one?', undefined],
  ])("reads whether a message leaves the thread's subject, and leaves the opener out: %s", (text, core) => {
    expect(switchesTopic(text)).toBe(core !== undefined);
    expect(questionCore(text)).toBe(core ?? text);
  });

  it('returns a message that is nothing but frame as typed, so it is still searched for', () => {
    expect(questionCore('explain')).toBe('explain');
    expect(questionCore('tldr')).toBe('tldr');
    // "yourself" is a stop word: without the frame nothing would be left to search for (a paper's title).
    expect(questionCore('tell me about yourself')).toBe('tell me about yourself');
  });
});

describe('relayedQuestion', () => {
  const q = "what's the model's context length at 7B?";
  // The words a corpus of papers knows: the question's, and a few of chat's that papers use too.
  const vocabulary = new Set(tokenize('model context length 7b lora rank attention heads general answer take find'));
  const known = (t: string) => vocabulary.has(t);
  it.each([
    ['someone in #general asked "{q}" and nobody answered, can you take a shot?'],
    ['my advisor wants to know \u201C{q}\u201D any idea?'],
    ["labmate was asking me '{q}' and i blanked tbh"],
    ["our intern DM'd me this: `{q}` what should I tell them?"],
    ['Question from a client meeting today:\n> {q}\nWould appreciate a quick answer.'],
    ['> {q}\n^ this came up in our weekly meeting, anyone?'],
    ['this came up at lunch and people are arguing\n"{q}"\nwho is right?'],
  ])('reads the quoted question of "%s", the rest as frame', (template) => {
    expect(relayedQuestion(template.replace('{q}', q), known)).toBe(q);
  });

  it.each([
    ['my boss is asking\n{q}\npls help', `${q}\npls help`],
    ['Passing along a question from my manager:\n\n{q}', q],
    ['forwarded from a student after class:\n{q}', q],
  ])('reads the lines after a line that relays them, unquoted ("%s"), as the question and its chat', (template, read) => {
    expect(relayedQuestion(template.replace('{q}', q), known)).toBe(read);
  });

  it('keeps a line that asks, or only tells, before the question', () => {
    expect(relayedQuestion(`has anyone asked whether lora rank matters?\nasking for my thesis`, known)).toBeUndefined();
    expect(relayedQuestion(`quick question\n${q}`, known)).toBeUndefined();
    expect(relayedQuestion(`I asked my manager: ${q}`, known)).toBeUndefined();
  });

  it.each([
    ['is "Attention Is All You Need" still worth reading?', 'a quoted title inside the question'],
    ["what does 'chinchilla optimal' mean?", 'a quoted term, after no verb of asking'],
    [
      "you can get around refusals by asking 'how did people make X back then' instead of 'how do i make X'. any paper?",
      'two quoted examples',
    ],
    ['my manager asked "why LoRA?" and I had no answer', 'a quote of fewer than three words'],
    ['relaying from a colleague: how does lora work?', 'no quote (the frame reads it)'],
    ["customers ask stuff like 'are you open on sunday?'. how do I route those?", 'a quote given as an example'],
    [
      "headline I saw this morning: 'Local man finds 40-year-old sandwich'. unrelated but does lora rank matter?",
      'a colon no relaying names',
    ],
    [
      'someone asked "is anyone here?" in general chat lol. anyway does lora rank change attention heads?',
      'the question asked outside the quote',
    ],
    [
      'does lora rank change attention heads?\n> users literally send "hello there friend" and nothing else',
      'a quote line no relaying names',
    ],
  ])('reads no relayed question in "%s" (%s)', (message) => {
    expect(relayedQuestion(message, known)).toBeUndefined();
  });
});

describe('withoutChatClauses', () => {
  const corpus = new Set(['lora', 'work', 'rank', 'adapt', 'quick', 'answer', '20', 'right']);
  const known = (t: string) => corpus.has(t);

  it.each([
    ['how does lora work? no rush tho, cheers', 'how does lora work?'],
    ['ngl been confused abt this for a while — how does lora work', 'how does lora work'],
    // A number says nothing of a clause's subject.
    ['how does lora work?? been stuck for 20 min', 'how does lora work??'],
    ['how does lora work (bullet points plz)', 'how does lora work'],
    // A known word keeps its clause, however chatty.
    ['how does lora work? want a quick answer', 'how does lora work? want a quick answer'],
    // Clauses also part at line breaks, arrows, chat interjections, a "so" between clauses and a question word starting one.
    ['my labmate has a bet lol how does lora work', 'how does lora work'],
    ['its 3am and i cant sleep so lora rank', 'lora rank'],
    ['this came up in my notes -> lora rank', 'lora rank'],
    ['hye can u tel me how does lora work', 'how does lora work'],
    ['how does lora work?\ngonna grab food brb', 'how does lora work?'],
    // A dot or comma inside a word parts nothing: "torch" is asked about, not a chat clause before "compile".
    ['is torch.compile right for lora?', 'is torch.compile right for lora?'],
    ['lora rank 1,000 and how it adapts', 'lora rank 1,000 and how it adapts'],
  ])('drops the clauses with no word the corpus knows from %j, keeping the marks between the rest as typed', (message, asked) => {
    expect(withoutChatClauses(message, known)).toBe(asked);
  });

  it('leaves out the clauses around the question that carry none of it, known words or not; only unknown ones between', () => {
    // "carries": a word the close matches are about ("lora", "rank"); "quick" and "answer" are corpus words, but generic.
    const carries = (t: string) => t === 'lora' || t === 'rank';
    expect(withoutChatClauses('want a quick answer: how does lora work? been stuck for 20 min', known, carries)).toBe(
      'how does lora work?',
    );
    // Between two clauses that carry it, a clause with a known word is part of the question; one with none is chat.
    expect(withoutChatClauses('lora rank, want a quick answer, and the rank of lora', known, carries)).toBe(
      'lora rank, want a quick answer, and the rank of lora',
    );
    expect(withoutChatClauses('lora rank, no rush tho, and the rank of lora', known, carries)).toBe('lora rank, and the rank of lora');
    // Nothing carries the question: the clauses with known words stay.
    expect(withoutChatClauses('want a quick answer? cheers', known, () => false)).toBe('want a quick answer?');
  });

  it('keeps a clause that names a subject the corpus lacks, whatever else the rules say', () => {
    const carries = (t: string) => t === 'answer';
    const subject = (clause: string) => /reimbursement/.test(clause);
    // Before the clause that carries the question, with no corpus word: chat, unless it names what is asked.
    expect(withoutChatClauses('travel reimbursement for neurips, which answer', known, carries)).toBe('which answer');
    expect(withoutChatClauses('travel reimbursement for neurips, which answer', known, carries, subject)).toBe(
      'travel reimbursement for neurips, which answer',
    );
    // Other chat clauses are still chat.
    expect(withoutChatClauses('travel reimbursement, which answer? no rush tho', known, carries, subject)).toBe(
      'travel reimbursement, which answer?',
    );
  });

  it('keeps a message whole when it has no chat clause, or when every clause is chat', () => {
    expect(withoutChatClauses('lora rank, and how it adapts', known)).toBe('lora rank, and how it adapts');
    expect(withoutChatClauses('bake bread? cheers', known)).toBe('bake bread? cheers');
  });

  it('drops a chat interjection even when no clause is chat', () => {
    expect(withoutChatClauses('lol lora rank', known)).toBe('lora rank');
    expect(withoutChatClauses('lora rank lol how does lora work', known)).toBe('lora rank how does lora work');
  });
});

describe('search reads the question, not its frame', () => {
  const papers = [
    {
      title: 'Learning to Define and Solve Optimization Problems',
      abstract: 'We teach a model to define an optimization problem from text and solve it.',
    },
    { title: 'Perplexity Is Not Enough', abstract: 'Validation perplexity fails to predict downstream accuracy of language models.' },
    { title: 'Explaining Neural Networks', abstract: 'We explain the predictions of image classifiers with saliency maps.' },
    { title: 'Tree of Thoughts', abstract: 'Language models explore several chains of thoughts and backtrack when one fails.' },
  ];
  let dir: string;
  let built: BuiltIndex;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rb-frame-corpus-'));
    await writeFile(join(dir, 'papers.jsonl'), `${papers.map((p) => JSON.stringify(p)).join('\n')}\n`);
    built = await buildIndex(dir);
  });
  afterAll(async () => {
    await built?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('ranks the subject first, not a paper matching the request ("define", "explain", "thoughts on", "anyone read")', async () => {
    for (const query of [
      'define perplexity',
      'can someone explain perplexity? thx',
      'thoughts on perplexity?',
      'anyone read the perplexity paper?',
    ]) {
      const hits = await built.retriever.search(query, { k: 3 });
      expect(
        hits.map((h) => h.paper.title),
        query,
      ).toEqual(['Perplexity Is Not Enough']);
    }
  });
});
