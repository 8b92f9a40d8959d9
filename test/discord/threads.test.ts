import { afterAll, describe, expect, it } from 'vitest';
import type { FakeDiscordServer } from '../servers/discord-server.js';
import { answerMessages, botConfig, customIds, storedAnswers, userId, useBotSuite } from './harness.js';

const suite = useBotSuite();
const setup = suite.setup;
/** The conversation as a user saw it, for the README transcript (printed with TRANSCRIPT=1). */
const transcript: string[] = [];

afterAll(() => {
  if (process.env.TRANSCRIPT) console.log(transcript.join('\n'));
});

const records = storedAnswers;

/** Bot answers (the message carrying the buttons) in a thread, oldest first. */
function botAnswers(s: FakeDiscordServer, threadId: string): any[] {
  return s.channelMessages(threadId).filter((m) => m.author.id === s.botUserId && customIds(m).length === 3);
}

async function typeInThread(s: FakeDiscordServer, threadId: string, content: string): Promise<any> {
  const before = botAnswers(s, threadId).length;
  s.sendMessage({ channelId: threadId, content });
  const reply = await s.waitFor(() => botAnswers(s, threadId)[before], 15_000);
  transcript.push(`> ${content}`, reply.content, ...reply.embeds.map(embedText), '');
  return reply;
}

function embedText(e: any): string {
  return [
    `[embed] ${e.title}`,
    e.description ?? '',
    ...(e.fields ?? []).map((f: any) => `  ${f.name}\n    ${f.value.replace(/\n/g, '\n    ')}`),
  ]
    .filter(Boolean)
    .join('\n');
}

const QUESTION = 'What is dataset decomposition for training LLMs with variable sequence length?';
/** Offline, this one cites five papers, so "the second one" and "1 and 3" have something to point at. */
const BROAD = 'How do vision transformers learn positions?';

describe('threads that remember (offline)', () => {
  it('/ask, then "what about the second one?", "compare 1 and 3", "compare them": one numbered list, comparisons side by side', async () => {
    const { s, feedbackDir } = await setup();
    const h = s.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: BROAD }] });
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    transcript.push(`> /ask ${BROAD}`, parts.map((p) => p.content).join('\n'), ...parts.at(-1).embeds.map(embedText), '');
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === parts[0].id));
    const [first] = await records(feedbackDir);
    expect(first.citations.length).toBeGreaterThanOrEqual(3);
    const second = first.citations.find((c: any) => c.marker === 2);

    // "the second one": an answer about paper [2], which keeps its number.
    const r1 = await typeInThread(s, thread.id, 'what about the second one?');
    const followUp = (await records(feedbackDir)).at(-1);
    expect(followUp.kind).toBe('followup');
    expect(followUp.sources[0]).toMatchObject({ paperId: second.paperId, marker: 2 });
    expect(followUp.query).toContain(second.title);
    expect(r1.content).toContain('[2]');
    expect(r1.embeds.at(-1).description.split('\n')[0]).toContain(`**[2]**`);
    expect(r1.embeds.at(-1).description.split('\n')[0]).toContain(second.title.slice(0, 40));

    // "compare 1 and 3": the side-by-side view of those two papers, in the thread's numbers.
    const r2 = await typeInThread(s, thread.id, 'compare 1 and 3');
    const table = r2.embeds[0];
    expect(table.title).toBe('Side by side');
    const third = first.citations.find((c: any) => c.marker === 3);
    expect(table.fields.map((f: any) => f.name)).toEqual([
      `[1] ${first.citations[0].title}`.slice(0, 250),
      `[3] ${third.title}`.slice(0, 250),
    ]);
    for (const f of table.fields)
      expect(f.value).toMatch(/\*\*Problem:\*\*[\s\S]*\*\*Method:\*\*[\s\S]*\*\*Data \/ scale:\*\*[\s\S]*\*\*Headline numbers:\*\*/);
    expect((await records(feedbackDir)).at(-1)).toMatchObject({ kind: 'compare' });

    // "compare them": the papers of the last answer (the comparison's), again side by side.
    const r3 = await typeInThread(s, thread.id, 'compare them');
    expect(r3.embeds[0].title).toBe('Side by side');
    expect(r3.embeds[0].fields.map((f: any) => f.name.slice(0, 4))).toEqual(['[1] ', '[3] ']);

    // Numbers stable across every reply of the thread: one paper, one number.
    const numberOf = new Map<string, number>();
    for (const rec of await records(feedbackDir))
      for (const c of [...rec.citations, ...rec.sources]) {
        expect(numberOf.get(c.paperId) ?? c.marker, c.title).toBe(c.marker);
        numberOf.set(c.paperId, c.marker);
      }
    expect(new Set(numberOf.values()).size).toBe(numberOf.size);
  });

  it('two answers citing different papers: "the second one" is thread [2], "the last paper" the last number, and /summarize uses those numbers', async () => {
    const { s, feedbackDir } = await setup();
    const h = s.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: BROAD }] });
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === parts[0].id));
    // A second answer in the thread on something else: its papers, new to the thread, get the next numbers.
    await typeInThread(s, thread.id, QUESTION);
    const [first, other] = await records(feedbackDir);
    const otherCited = other.citations.map((c: any) => c.marker);
    expect(otherCited.some((m: number) => m > first.sources.length)).toBe(true);
    expect(otherCited).not.toContain(2); // what the latest answer cited is not the thread list
    /** The thread list so far, number → paper id (the same on every stored record: checked below). */
    const list = async () => {
      const byMarker = new Map<number, string>();
      for (const rec of await records(feedbackDir)) for (const c of [...rec.citations, ...rec.sources]) byMarker.set(c.marker, c.paperId);
      return byMarker;
    };

    await typeInThread(s, thread.id, 'what about the second one?');
    const second = (await records(feedbackDir)).at(-1);
    expect(second.sources[0]).toMatchObject({ marker: 2, paperId: (await list()).get(2) });

    const lastNumber = Math.max(...(await list()).keys());
    const lastReply = await typeInThread(s, thread.id, 'tell me more about the last paper');
    const last = (await records(feedbackDir)).at(-1);
    expect(last.sources[0]).toMatchObject({ marker: lastNumber, paperId: (await list()).get(lastNumber) });
    expect(lastReply.embeds.at(-1).description.split('\n')[0]).toContain(`**[${lastNumber}]**`);

    // The recap's [n] are the thread's numbers, and its Sources button lists the whole thread list.
    const numbers = await list();
    const recap = s.sendSlashCommand({ name: 'summarize', channelId: thread.id, userId: userId() });
    await s.waitFor(() => answerMessages(s, recap.token), 15_000);
    const stored = (await records(feedbackDir)).at(-1);
    expect(stored.kind).toBe('recap');
    expect(stored.citations.length).toBeGreaterThan(1);
    for (const c of stored.citations) expect(numbers.get(c.marker), c.title).toBe(c.paperId);
    expect(stored.sources.map((c: any) => c.marker)).toEqual([...numbers.keys()].sort((a, b) => a - b));
    for (const m of stored.answer.matchAll(/\[(\d+)\]/g)) expect(stored.citations.map((c: any) => c.marker)).toContain(Number(m[1]));

    // One paper, one number, across every stored record of the thread (recap included).
    const numberOf = new Map<string, number>();
    for (const rec of await records(feedbackDir))
      for (const c of [...rec.citations, ...rec.sources]) {
        expect(numberOf.get(c.paperId) ?? c.marker, c.title).toBe(c.marker);
        numberOf.set(c.paperId, c.marker);
      }
  });

  it('a thanks typed in the thread is not answered; the question after it is', async () => {
    const { s, feedbackDir } = await setup();
    const h = s.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: BROAD }] });
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === parts[0].id));
    s.sendMessage({ channelId: thread.id, content: 'thx, makes sense 👍' });
    // Messages are handled in order: once the next one is answered, the thanks has been read.
    await typeInThread(s, thread.id, 'what about the second one?');
    expect(botAnswers(s, thread.id)).toHaveLength(1);
    expect((await records(feedbackDir)).map((r: any) => r.question)).toEqual([BROAD, 'what about the second one?']);
  });

  it('a follow-up taking the thread to a subject none of its papers mention is answered low; one leaving the thread is answered on its own', async () => {
    const { s, feedbackDir } = await setup();
    const h = s.sendSlashCommand({
      name: 'ask',
      userId: userId(),
      options: [{ name: 'question', type: 3, value: 'what are methods for machine unlearning in LLMs?' }],
    });
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === parts[0].id));
    await typeInThread(s, thread.id, 'which of these work for MoE models?');
    await typeInThread(s, thread.id, 'unrelated, but is there a paper on continuous length extrapolation for LLMs?');
    // The reply's first message opens with the note (a long answer is sent in parts, the buttons on the last).
    const posted = s.channelMessages(thread.id).filter((m) => m.author.id === s.botUserId);
    expect(
      posted.some((m) => /^_Low confidence: no paper here joins MoE with what this thread asked before\. The closest work/.test(m.content)),
    ).toBe(true);
    const stored = await records(feedbackDir);
    expect(stored[1].answer).toMatch(/^_Low confidence: no paper here joins MoE with what this thread asked before\./);
    expect(stored.map((r: any) => r.confidence)).toEqual(['high', 'low', 'high']);
    // The paper asked about after leaving the thread, numbered after the thread's earlier papers.
    const clex = stored[2].citations.find((c: any) => /^CLEX/.test(c.title));
    expect(clex?.marker).toBeGreaterThan(Math.max(...stored[0].citations.map((c: any) => c.marker)));
    expect(stored[2].citations[0].title).toMatch(/^CLEX/);
  });

  it('/compare with autocomplete: two papers side by side', async () => {
    const { s } = await setup();
    const ac = s.sendAutocomplete({ name: 'compare', options: [{ name: 'paper1', type: 3, value: 'dataset decomp', focused: true }] });
    await s.waitFor(() => s.callbacks(ac.interactionId).length > 0);
    const choices = s.callbacks(ac.interactionId)[0].body.data.choices;
    expect(choices[0].name).toMatch(/^Dataset Decomposition/);
    const ac2 = s.sendAutocomplete({
      name: 'compare',
      options: [
        { name: 'paper1', type: 3, value: choices[0].value },
        { name: 'paper2', type: 3, value: 'droppos', focused: true },
      ],
    });
    await s.waitFor(() => s.callbacks(ac2.interactionId).length > 0);
    const choices2 = s.callbacks(ac2.interactionId)[0].body.data.choices;
    expect(choices2[0].name).toMatch(/DropPos/);
    const h = s.sendSlashCommand({
      name: 'compare',
      userId: userId(),
      options: [
        { name: 'paper1', type: 3, value: choices[0].value },
        { name: 'paper2', type: 3, value: choices2[0].value },
      ],
    });
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    const table = parts.at(-1).embeds[0];
    expect(table.title).toBe('Side by side');
    expect(table.fields.map((f: any) => f.name)).toEqual([`[1] ${choices[0].name}`, `[2] ${choices2[0].name}`]);
    expect(parts[0].content).toMatch(/^Comparing 2 papers side by side/);
    expect(parts.at(-1).embeds[1].title).toBe('Sources');
  });
});

describe('threads with a chat model', () => {
  it('the rewrite request and the answer prompt carry the condensed transcript and the cited papers', async () => {
    const s = await suite.discord();
    const openai = await suite.openai({
      streamChunkDelayMs: 1,
      chatResponder: ({ messages }) => {
        const system = messages[0]?.content ?? '';
        if (/rewrite a follow-up/.test(system)) return 'dataset decomposition second paper';
        if (/You compare papers/.test(system))
          return 'The first trains on single-document buckets [1], while the second is different work [2].';
        return 'Dataset decomposition trains on same-length buckets cut from single documents [1]. A related paper is cited too [2].';
      },
    });
    const feedbackDir = await suite.tempDir('feedback');
    const config = botConfig(
      s,
      { indexDir: suite.indexDir, feedbackDir },
      { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'sk-test-key-123456', CHAT_MODEL: 'fake-chat', LLM_MAX_RETRIES: '0' },
    );
    await suite.startBot(config);
    const h = s.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: QUESTION }] });
    const parts = await s.waitFor(() => answerMessages(s, h.token), 15_000);
    const thread = await s.waitFor(() => s.threads().find((t) => t.id === parts[0].id));
    const [first] = await records(feedbackDir);
    const firstCited = first.citations.map((c: any) => c.title);
    expect(firstCited.length).toBe(2);
    openai.requests.length = 0;

    await typeInThread(s, thread.id, 'what about the second one?');
    const chats = openai.requests.filter((r) => r.path.endsWith('/chat/completions'));
    const text = (r: any) => r.body.messages.map((m: any) => m.content).join('\n');
    const rewrite = chats.find((r) => /rewrite a follow-up/.test(r.body.messages[0].content));
    const answer = chats.find((r) => /<source /.test(text(r)));
    expect(rewrite && answer).toBeTruthy();
    for (const prompt of [text(rewrite), text(answer)]) {
      expect(prompt).toContain(`User: ${QUESTION}`);
      expect(prompt).toContain('Assistant (trimmed): Dataset decomposition trains on same-length buckets');
      expect(prompt).toContain(`Papers cited: `);
      for (const t of firstCited) expect(prompt).toContain(t);
    }
    // The rewrite sees the thread's numbers; the answer prompt names the pinned paper as its source 1.
    expect(text(rewrite)).toContain(`[2] ${firstCited[1]}`);
    expect(text(answer)).toContain(`The question refers to source 1 ("${firstCited[1]}")`);
    const follow = (await records(feedbackDir)).at(-1);
    expect(follow.sources[0]).toMatchObject({ title: firstCited[1], marker: 2 });

    // With a model, a comparison is the model's prose (checked, in the thread's numbers) above the same table.
    openai.requests.length = 0;
    const cmp = await typeInThread(s, thread.id, 'compare 1 and 2');
    const cmpCall = openai.requests.find((r) => /You compare papers/.test(r.body?.messages?.[0]?.content ?? ''));
    expect(text(cmpCall)).toContain('Extracted side-by-side table:');
    expect(text(cmpCall)).toContain(`[2] ${firstCited[1]}`);
    expect(cmp.content).toContain('The first trains on single-document buckets [1], while the second is different work [2].');
    expect(cmp.embeds[0].title).toBe('Side by side');
    expect(cmp.embeds[0].fields.map((f: any) => f.name)).toEqual([`[1] ${firstCited[0]}`, `[2] ${firstCited[1]}`]);
    expect((await records(feedbackDir)).at(-1)).toMatchObject({ kind: 'compare', mode: 'llm' });

    // With a model too, "the last paper" is the thread list's last number, not the comparison's last citation [2].
    const numbered = new Map<number, any>();
    for (const rec of await records(feedbackDir)) for (const c of [...rec.citations, ...rec.sources]) numbered.set(c.marker, c);
    const lastNumber = Math.max(...numbered.keys());
    expect(lastNumber).toBeGreaterThan(2);
    openai.requests.length = 0;
    await typeInThread(s, thread.id, 'tell me more about the last paper');
    const lastRewrite = openai.requests.find((r) => /rewrite a follow-up/.test(r.body?.messages?.[0]?.content ?? ''));
    expect(text(lastRewrite)).toContain(`The follow-up refers to: ${numbered.get(lastNumber).title}`);
    expect((await records(feedbackDir)).at(-1).sources[0]).toMatchObject({ marker: lastNumber, paperId: numbered.get(lastNumber).paperId });
  });
});
