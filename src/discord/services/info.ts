import type { APIEmbed } from 'discord.js';
import type { BotContext } from '../context.js';
import { COLOR } from '../render/answer.js';
import { fitEmbed } from '../render/embed.js';
import { escapeMarkdownText } from '../render/text.js';

export interface StatsData {
  papers: number;
  chunks: number;
  retrievalMode: string;
  chatModel: string;
  generation: string;
  builtAt: string;
  answers: number;
  feedback: number;
  uptimeSeconds: number;
}

export function statsData(ctx: BotContext): StatsData {
  const r = ctx.retriever();
  const m = r.store.manifest;
  return {
    papers: r.store.papers.length,
    chunks: r.store.chunks.length,
    retrievalMode: r.mode,
    chatModel: ctx.chat?.model ?? 'offline',
    generation: m.generation,
    builtAt: m.createdAt,
    answers: ctx.stats.answers,
    feedback: ctx.stats.feedback,
    uptimeSeconds: Math.round((Date.now() - ctx.stats.startedAt) / 1000),
  };
}

export function statsView(ctx: BotContext): APIEmbed {
  const s = statsData(ctx);
  return fitEmbed({
    title: 'research-bot stats',
    color: COLOR.answer,
    fields: [
      { name: 'Papers', value: String(s.papers), inline: true },
      { name: 'Chunks', value: String(s.chunks), inline: true },
      { name: 'Retrieval', value: s.retrievalMode, inline: true },
      {
        name: 'Chat model',
        value: s.chatModel === 'offline' ? 'offline (extractive answers)' : escapeMarkdownText(s.chatModel),
        inline: true,
      },
      { name: 'Index built', value: `${s.builtAt} (${s.generation})` },
      { name: 'Since start', value: `${s.answers} answers, ${s.feedback} feedback votes, up ${s.uptimeSeconds} s` },
    ],
  });
}

export const HELP_LINES: Array<[string, string]> = [
  [
    '/ask question: [private:]',
    'Ask a question; the answer cites papers from the corpus as [n]. Follow-up questions go in the thread the answer opens.',
  ],
  [
    '/summarize [topic:]',
    'Themed summary of what the corpus says about a topic. Inside an answer thread without a topic: a recap of the thread.',
  ],
  ['/search query:', 'Top matching papers, one line each.'],
  [
    '/paper title:',
    'A paper card: key sentences of the abstract, date, links and similar papers. A title that fits several papers, ' +
      'or none, gets buttons (only you see them) to pick one.',
  ],
  ['/similar title:', 'Papers most like a given one (picked the same way).'],
  [
    '/compare paper1: paper2: [paper3:] [paper4:]',
    'Papers side by side: problem, method, data/scale and headline numbers. In a thread, "compare 1 and 3" works too.',
  ],
  ['/stats', 'Index size, retrieval mode and chat model.'],
  ['/reindex [force:]', 'Rebuild the index from the corpus (Manage Server only). Answers keep working meanwhile.'],
  [
    '/add-papers file1: [file2: …]',
    'Add Daily Papers dumps or .jsonl/.json paper lists to the corpus (admins). Answers keep working meanwhile.',
  ],
  ['/watch add topic: · list · remove watch:', 'Topics this channel gets a digest of new papers for after each ingest (Manage Channels).'],
  ['/digest [days:] [topic:]', "Papers first seen in the last days (default 7) that match this channel's watched topics."],
  ['/gaps', 'Questions the corpus answers poorly, grouped, with the closest papers (Manage Server only).'],
];

export function helpView(ctx?: BotContext): APIEmbed {
  const offline = ctx && !ctx.chat;
  return fitEmbed({
    title: 'research-bot: cited answers from the paper corpus',
    color: COLOR.answer,
    description: [
      ...HELP_LINES.map(([cmd, what]) => `**${cmd}**\n${what}`),
      '',
      'Under each answer: 👍 / 👎 to rate it (👎 asks what was wrong), **Sources** for the full source list.',
      offline ? 'No language model is configured: answers are extractive digests quoted from the abstracts.' : '',
    ]
      .filter((l, i, a) => l !== '' || i < a.length - 1)
      .join('\n'),
  });
}
