/**
 * Paper lookups and views for the bot, with no discord.js objects in or out (embeds are plain
 * data): /search's list, /paper's card, /similar's list, title autocomplete, and which paper a typed
 * title means (src/index/paper-resolver.ts) worded for a person who must pick one.
 */
import type { APIEmbed } from 'discord.js';
import type { Paper } from '../../corpus/types.js';
import { cleanQuestion, similarPapers } from '../../answer/engine.js';
import { keySentences } from '../../answer/digest.js';
import { abstractLinks, arxivSearchUrl, paperUrl } from '../../answer/sources.js';
import { AppError } from '../../errors.js';
import { type PaperResolution, resolvePaper, suggestPapers } from '../../index/paper-resolver.js';
import type { SearchFilter } from '../../index/search.js';
import type { SearchStore } from '../../index/search-store.js';
import { addedText, describeFilter, hasUserFilter } from '../../search-filter.js';
import type { BotContext } from '../context.js';
import { COLOR } from '../render/answer.js';
import { fitEmbed, joinLinesWithin } from '../render/embed.js';
import { LIMITS, escapeMarkdownText, mdLink, oneLine, truncate } from '../render/text.js';

export async function searchView(ctx: BotContext, rawQuery: string, k = 10, filter?: SearchFilter): Promise<APIEmbed> {
  const query = cleanQuestion(rawQuery);
  const retriever = ctx.retriever();
  const hits = await retriever.search(query, { k, filter });
  // Say when the filter, not the corpus, left nothing.
  const empty =
    !hits.length && hasUserFilter(filter) && (await retriever.search(query, { k: 1 })).length
      ? `No paper ${describeFilter(filter)} matches; without the date filter, some do.`
      : 'No matching papers.';
  const lines = hits.map(
    (h) => `**${h.rank}.** ${mdLink(truncate(h.paper.title, 200), paperUrl(h.paper))}${h.paper.date ? ` · ${h.paper.date}` : ''}`,
  );
  return fitEmbed({
    title: `Top papers for "${truncate(oneLine(query), 200)}"`,
    description: lines.length ? joinLinesWithin(lines, LIMITS.embedDescription, (n) => `…and ${n} more`) : empty,
    color: COLOR.answer,
    footer: { text: `${retriever.mode} retrieval · ${retriever.store.papers.length} papers` },
  });
}

/** The commands that open a paper from a typed title; a pick button names one of them. */
export type PaperCommand = 'paper' | 'similar';

export function resolveTitle(ctx: BotContext, idOrTitle: string): PaperResolution {
  return resolvePaper(ctx.retriever().store, idOrTitle);
}

const quoted = (q: string) => `"${escapeMarkdownText(truncate(oneLine(q), 100))}"`;

/** Exactly one paper, or a refusal that names the candidates (for /compare, whose options cannot offer buttons). */
export function requirePaper(store: SearchStore, idOrTitle: string): Paper {
  const q = idOrTitle.trim();
  if (!q) throw new AppError('PAPER_NOT_FOUND', 'Please give a paper title.');
  const r = resolvePaper(store, q);
  if (r.kind === 'found') return r.paper;
  if (r.kind === 'missing') throw new AppError('PAPER_NOT_FOUND', `No paper titled ${quoted(q)}. Try /search.`);
  const names = r.candidates.map((c) => `"${escapeMarkdownText(truncate(oneLine(c.paper.title), 80))}"`).join(', ');
  throw new AppError('PAPER_AMBIGUOUS', `${quoted(q)} could mean ${names}. Pick one from the list as you type.`);
}

/** What a person sees instead of a paper: the text above the pick buttons, and the papers to pick from. */
export interface PaperPicks {
  content: string;
  papers: Paper[];
}

function numbered(papers: Paper[]): string[] {
  return papers.map((p, n) => `**${n + 1}.** ${escapeMarkdownText(truncate(oneLine(p.title), 200))}${p.date ? ` · ${p.date}` : ''}`);
}

/** Several papers match (or one only loosely): never open one silently. */
export function ambiguousPicks(r: Extract<PaperResolution, { kind: 'ambiguous' }>): PaperPicks {
  const papers = r.candidates.map((c) => c.paper);
  const head =
    r.total === 1
      ? `No paper is titled ${quoted(r.query)}. Did you mean this one?`
      : `${r.total} papers match ${quoted(r.query)}. Pick one:`;
  const more = r.total > papers.length ? [`(${papers.length} of ${r.total} shown: type more of the title to narrow it.)`] : [];
  return { content: [head, ...numbered(papers), ...more].join('\n'), papers };
}

/** No title matches: the closest papers by retrieval over the query. */
export async function missingPicks(ctx: BotContext, query: string): Promise<PaperPicks> {
  const papers = await suggestPapers(ctx.retriever(), cleanQuestion(query) || query);
  const content = papers.length
    ? [`No paper titled ${quoted(query)}. The closest papers:`, ...numbered(papers)].join('\n')
    : `No paper titled ${quoted(query)}, and none is close. Try /search with other words.`;
  return { content, papers };
}

/** The view a command shows for one paper. */
export function commandView(ctx: BotContext, command: PaperCommand, paper: Paper): Promise<APIEmbed> {
  return command === 'paper' ? paperView(ctx, paper) : similarView(ctx, paper);
}

export async function paperView(ctx: BotContext, paper: Paper): Promise<APIEmbed> {
  const retriever = ctx.retriever();
  const key = keySentences(paper.title, paper, retriever.corpus.termStats, 3);
  const { similar } = await similarPapers(retriever, paper, 5);
  const links = abstractLinks(paper).filter((l) => /^https?:\/\//.test(l));
  const search = arxivSearchUrl(paper.title);
  const fields = [
    { name: 'Date', value: paper.date ?? 'unknown', inline: true },
    ...(paper.firstSeen ? [{ name: 'Added', value: addedText(paper)!.replace(/^added /, ''), inline: true }] : []),
    ...(paper.authors?.length || paper.authorsCount
      ? [
          {
            name: 'Authors',
            value: escapeMarkdownText(paper.authors?.length ? truncate(paper.authors.join(', '), 300) : `${paper.authorsCount}`),
            inline: true,
          },
        ]
      : []),
    {
      name: 'Links',
      value: [paperUrl(paper) !== search ? mdLink('Paper', paperUrl(paper)) : '', mdLink('arXiv search', search)]
        .filter(Boolean)
        .join('\n'),
    },
    // Abstract URLs are corpus text: shown under their own name, never as the paper's link.
    ...(links.length
      ? [
          {
            name: 'Mentioned in the abstract',
            value: links
              .slice(0, 5)
              .map((l) => mdLink(truncate(l.replace(/^https?:\/\//, ''), 60), l))
              .join('\n'),
          },
        ]
      : []),
    ...(similar.length
      ? [
          {
            name: 'Similar papers',
            value: joinLinesWithin(
              similar.map((s, i) => `${i + 1}. ${mdLink(truncate(s.title, 150), s.url)}`),
              LIMITS.fieldValue,
              (n) => `…and ${n} more`,
            ),
          },
        ]
      : []),
  ];
  return fitEmbed({
    title: paper.title,
    url: paperUrl(paper),
    description: key.map((s) => `> ${escapeMarkdownText(s)}`).join('\n'),
    color: COLOR.answer,
    fields,
    footer: { text: `id ${paper.id} · key sentences quoted from the abstract` },
  });
}

export async function similarView(ctx: BotContext, paper: Paper, k = 5): Promise<APIEmbed> {
  const retriever = ctx.retriever();
  const { similar } = await similarPapers(retriever, paper, k);
  const lines = similar.map(
    (s, i) => `**${i + 1}.** ${mdLink(truncate(s.title, 180), s.url)}${s.why ? `\n> ${escapeMarkdownText(truncate(s.why, 300))}` : ''}`,
  );
  return fitEmbed({
    title: `Papers similar to: ${paper.title}`,
    url: paperUrl(paper),
    description: lines.length ? joinLinesWithin(lines, LIMITS.embedDescription, (n) => `…and ${n} more`) : 'No similar papers found.',
    color: COLOR.answer,
    footer: { text: `${retriever.mode} retrieval` },
  });
}

interface TitleEntry {
  id: string;
  title: string;
  lower: string;
  words: string[];
}
// Keyed by the store's paper list, not the store: a store that switches generation in place
// (Postgres) hands out a new list, and autocomplete must offer the new generation's titles.
const titleIndexes = new WeakMap<readonly Paper[], TitleEntry[]>();

function titleIndex(store: SearchStore): TitleEntry[] {
  const papers = store.papers;
  let list = titleIndexes.get(papers);
  if (!list) {
    list = papers
      .map((p) => ({
        id: p.id,
        title: p.title,
        lower: p.title.toLowerCase(),
        words: p.title
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u)
          .filter(Boolean),
      }))
      .sort((a, b) => a.lower.localeCompare(b.lower));
    titleIndexes.set(papers, list);
  }
  return list;
}

/** Autocomplete: ≤ 25 title choices for the typed text, from memory (no I/O). */
export function titleChoices(store: SearchStore, typed: string, max = 25): Array<{ name: string; value: string }> {
  const q = typed.trim().toLowerCase().slice(0, 200);
  const entries = titleIndex(store);
  let ranked: TitleEntry[];
  if (!q) ranked = entries.slice(0, max);
  else {
    const qWords = q.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const scored: Array<{ e: TitleEntry; score: number }> = [];
    for (const e of entries) {
      let score = 0;
      if (e.id === q) score = 1000;
      else if (e.lower.startsWith(q)) score = 500;
      else if (e.words.some((w) => w.startsWith(q))) score = 300;
      else if (e.lower.includes(q)) score = 200;
      else if (qWords.length && qWords.every((qw) => e.words.some((w) => w.startsWith(qw)))) score = 100;
      if (score) scored.push({ e, score: score - e.title.length / 1000 });
    }
    ranked = scored
      .sort((a, b) => b.score - a.score)
      .slice(0, max)
      .map((s) => s.e);
  }
  return ranked.map((e) => ({ name: truncate(oneLine(e.title), LIMITS.choiceName), value: e.id.slice(0, LIMITS.choiceValue) }));
}
