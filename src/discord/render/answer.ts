/**
 * Answer → Discord messages: the text split into ≤ 2000-char parts, and on the last part the
 * numbered, linked sources embed plus 👍 / 👎 / Sources buttons. custom_ids carry the answer id
 * so the buttons keep working after a restart (the record is looked up in the answers log).
 */
import { type APIActionRowComponent, type APIButtonComponent, type APIEmbed, ButtonStyle, ComponentType, hideLinkEmbed } from 'discord.js';
import type { AnswerRecord } from '../feedback.js';
import { comparisonEmbeds } from './compare.js';
import { fitEmbed, joinLinesWithin } from './embed.js';
import { splitMessage } from './split.js';
import { sanitizeModelText } from '../../answer/safe-text.js';
import { LIMITS, escapeMarkdownText, mdLink, neutralizeMentions, oneLine, plainLine, safeUrl, truncate, unmaskLinks } from './text.js';

export interface OutgoingMessage {
  content: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIButtonComponent>[];
  files?: Array<{ name: string; data: Buffer }>;
}

/** Messages one answer may post; what does not fit goes into an attached Markdown file. */
export const MAX_ANSWER_MESSAGES = 4;

export const COLOR = { answer: 0x5865f2, abstain: 0x99aab5, warn: 0xfee75c, error: 0xed4245, ok: 0x57f287 } as const;

// ---------------------------------------------------------------------------------------------
// custom_ids
// ---------------------------------------------------------------------------------------------

export type ButtonAction = { kind: 'feedback'; vote: 'up' | 'down'; answerId: string } | { kind: 'sources'; answerId: string };

export const ANSWER_ID = /^[A-Za-z0-9_-]{4,40}$/;

export function feedbackId(vote: 'up' | 'down', answerId: string): string {
  return `fb:${vote}:${answerId}`;
}

export function sourcesId(answerId: string): string {
  return `src:${answerId}`;
}

export function parseCustomId(customId: string): ButtonAction | undefined {
  const fb = /^fb:(up|down):(.+)$/.exec(customId);
  if (fb && ANSWER_ID.test(fb[2])) return { kind: 'feedback', vote: fb[1] as 'up' | 'down', answerId: fb[2] };
  const src = /^src:(.+)$/.exec(customId);
  if (src && ANSWER_ID.test(src[1])) return { kind: 'sources', answerId: src[1] };
  return undefined;
}

/** The answer id a bot message's buttons point at, if any. */
export function answerIdFromComponents(components: ReadonlyArray<{ components?: ReadonlyArray<unknown> }> | undefined): string | undefined {
  for (const row of components ?? []) {
    for (const c of (row.components ?? []) as Array<{ customId?: string | null; custom_id?: string; data?: { custom_id?: string } }>) {
      const id = c.customId ?? c.custom_id ?? c.data?.custom_id;
      const action = id ? parseCustomId(id) : undefined;
      if (action) return action.answerId;
    }
  }
  return undefined;
}

export function answerButtons(answerId: string): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Secondary, emoji: { name: '👍' }, custom_id: feedbackId('up', answerId) },
      { type: ComponentType.Button, style: ButtonStyle.Secondary, emoji: { name: '👎' }, custom_id: feedbackId('down', answerId) },
      { type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Sources', custom_id: sourcesId(answerId) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Answer
// ---------------------------------------------------------------------------------------------

function footerText(r: AnswerRecord): string {
  const bits: string[] = [];
  if (r.kind === 'recap') bits.push('Recap of the answers in this thread');
  else if (r.abstained)
    bits.push(
      r.mode === 'llm'
        ? `No answer: ${r.chatModel ?? 'the language model'} found the sources insufficient`
        : 'No answer: the corpus does not cover this',
    );
  else if (r.mode === 'llm' && !r.fallbackReason)
    bits.push(`Answer by ${r.chatModel ?? 'the language model'}, checked against the sources`);
  else bits.push('Extractive digest: sentences quoted from the abstracts');
  if (r.truncated) bits.push('cut off: complete sentences only');
  if (r.retrievalMode) bits.push(`${r.retrievalMode} retrieval${r.retrievalFallback ? ' (embeddings unavailable)' : ''}`);
  if (r.droppedCitations > 0) bits.push(`${r.droppedCitations} invalid citation${r.droppedCitations === 1 ? '' : 's'} removed`);
  bits.push(`id ${r.answerId}`);
  return bits.join(' · ');
}

function sourceLine(s: { marker: number; title: string; url: string; date?: string }): string {
  const title = truncate(s.title, 180);
  return `**[${s.marker}]** ${mdLink(title, s.url)}${s.date ? ` · ${s.date}` : ''}`;
}

export function sourcesEmbed(r: AnswerRecord): APIEmbed {
  // The embed lists what the answer cites; abstentions list what was close.
  const cited = new Set(r.citations.map((c) => c.marker));
  const list = r.abstained || !cited.size ? r.sources : r.sources.filter((s) => cited.has(s.marker));
  const shown = list.length ? list : r.citations;
  const lines = shown.map(sourceLine);
  const description = lines.length
    ? joinLinesWithin(lines, LIMITS.embedDescription, (n) => `…and ${n} more (press **Sources**)`)
    : '_No sources._';
  return fitEmbed({
    title: r.abstained ? 'Possibly related papers' : r.kind === 'recap' ? 'Sources cited in this thread' : 'Sources',
    description,
    color: r.abstained ? COLOR.abstain : COLOR.answer,
    footer: { text: footerText(r) },
  });
}

function header(r: AnswerRecord): string {
  // As one plain line: a question's bold or code block would otherwise show as escaped marks.
  const q = escapeMarkdownText(truncate(plainLine(r.question) || oneLine(r.question), 300));
  switch (r.kind) {
    case 'ask':
      return `**Q:** ${q}\n\n`;
    case 'summarize':
      return `**Summary:** ${q}\n\n`;
    case 'recap':
      return `**Thread recap**\n\n`;
    default:
      return '';
  }
}

/** The whole answer as one Markdown document, sources listed, for the attachment. */
function answerDocument(r: AnswerRecord): string {
  const lines = [header(r) + r.answer, '', '## Sources', ''];
  for (const s of r.sources) lines.push(`[${s.marker}] ${s.title}${s.date ? ` (${s.date})` : ''}  `, `<${safeUrl(s.url)}>`, '');
  return lines.join('\n');
}

/**
 * The answer as at most MAX_ANSWER_MESSAGES messages; the last one carries the sources embed and
 * the buttons, and, when the text needed more messages, the whole answer as an attached file.
 */
export function renderAnswer(r: AnswerRecord): OutgoingMessage[] {
  // Records written before answers were sanitised at the source are still shown: clean them here too.
  const text = neutralizeMentions(header(r) + unmaskLinks(sanitizeModelText(r.answer)));
  const parts = splitMessage(text, LIMITS.content);
  if (!parts.length) parts.push('_(empty answer)_');
  let files: OutgoingMessage['files'];
  if (parts.length > MAX_ANSWER_MESSAGES) {
    const name = `answer-${r.answerId}.md`;
    const shown = parts.slice(0, MAX_ANSWER_MESSAGES - 1);
    const left = text.length - shown.reduce((n, p) => n + p.length, 0);
    parts.splice(
      0,
      parts.length,
      ...shown,
      `_The answer continues (about ${left} more characters): the whole answer is in **${name}** below._`,
    );
    files = [{ name, data: Buffer.from(answerDocument(r), 'utf8') }];
  }
  const messages: OutgoingMessage[] = parts.map((content) => ({ content }));
  const last = messages[messages.length - 1];
  if (files) last.files = files;
  last.embeds = [...comparisonEmbeds(r), sourcesEmbed(r)];
  last.components = [answerButtons(r.answerId)];
  return messages;
}

/** Full source list for the ephemeral "Sources" reply. */
export function renderSourcesList(r: AnswerRecord): string[] {
  const lines: string[] = [`**Sources for:** ${escapeMarkdownText(truncate(r.question.replace(/\s+/g, ' '), 200))}`, ''];
  const cited = new Set(r.citations.map((c) => c.marker));
  const all = r.sources.length ? r.sources : r.citations.map((c) => ({ ...c, score: 0, date: undefined as string | undefined }));
  for (const s of all) {
    const meta = [
      s.date,
      cited.has(s.marker) ? 'cited' : r.abstained ? undefined : 'retrieved, not cited',
      'score' in s && s.score ? `score ${s.score}` : undefined,
    ]
      .filter(Boolean)
      .join(' · ');
    lines.push(`**[${s.marker}]** ${escapeMarkdownText(truncate(s.title, 250))}`);
    lines.push(`${hideLinkEmbed(safeUrl(s.url))}${meta ? ` · ${meta}` : ''}`);
    const links = s.links.filter((l) => /^https?:\/\//.test(l)).slice(0, 4);
    // Links from the abstract are corpus text: labelled as such, apart from the paper's own link above.
    if (links.length) lines.push(`Mentioned in the abstract: ${links.map((l) => hideLinkEmbed(safeUrl(l))).join(' ')}`);
    lines.push('');
  }
  if (!all.length) lines.push('_This answer has no sources._');
  return splitMessage(neutralizeMentions(lines.join('\n')), LIMITS.content);
}
