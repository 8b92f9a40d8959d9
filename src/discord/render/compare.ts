/** A comparison's table as an embed: one field per paper (problem, method, data/scale, headline numbers). */
import type { APIEmbed } from 'discord.js';
import { COMPARE_COLUMNS, type ComparisonRow } from '../../answer/compare.js';
import type { AnswerRecord } from '../feedback.js';
import { COLOR } from './answer.js';
import { fitEmbed } from './embed.js';
import { escapeMarkdownText, truncate } from './text.js';

export function comparisonEmbed(rows: ComparisonRow[]): APIEmbed {
  // Four cells share a field's 1024 characters.
  const cell = Math.floor(1000 / COMPARE_COLUMNS.length) - 24;
  return fitEmbed({
    title: 'Side by side',
    color: COLOR.answer,
    fields: rows.map((r) => ({
      name: truncate(`[${r.marker}] ${r.title}`, 250),
      value: COMPARE_COLUMNS.map(([k, label]) => `**${label}:** ${escapeMarkdownText(truncate(r[k], cell))}`).join('\n'),
    })),
    footer: { text: 'Extracted from the abstracts: each cell quotes a sentence of the paper' },
  });
}

export function comparisonEmbeds(r: AnswerRecord): APIEmbed[] {
  return r.comparison?.length ? [comparisonEmbed(r.comparison)] : [];
}
