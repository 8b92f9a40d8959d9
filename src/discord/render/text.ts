/**
 * Small text helpers for Discord output: truncation that never breaks a surrogate pair,
 * markdown escaping for titles inside links, and neutralising mass mentions in generated text.
 */
import { escapeMarkdown, hyperlink } from 'discord.js';
import { mapOutsideCode } from '../../answer/code-spans.js';
import { withoutMarkup } from '../../index/discord-markup.js';

/** Discord limits, in characters. */
export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedTotal: 6000,
  threadName: 100,
  choiceName: 100,
  choiceValue: 100,
  customId: 100,
  buttonLabel: 80,
} as const;

/** Cut `text` to at most `max` UTF-16 units, ending with `…` when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ellipsis.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end).trimEnd() + ellipsis;
}

/** Like truncate, but prefers to cut at a line break or space in the last 30% of the budget. */
export function truncateAtBoundary(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  const budget = Math.max(0, max - ellipsis.length);
  const head = text.slice(0, budget);
  const floor = Math.floor(budget * 0.7);
  const nl = head.lastIndexOf('\n');
  const sp = head.lastIndexOf(' ');
  const at = nl >= floor ? nl : sp >= floor ? sp : -1;
  return at > 0 ? head.slice(0, at).trimEnd() + ellipsis : truncate(text, max, ellipsis);
}

/**
 * Escape Discord markdown so a paper title renders literally (also inside link text). discord.js
 * leaves square brackets (which would end a link label early) and block quotes alone.
 */
export function escapeMarkdownText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true })
    .replace(/[[\]]/g, (c) => `\\${c}`)
    .replace(/^>/gm, '\\>');
}

/** A URL that is safe inside a markdown link target: no spaces, no unbalanced parentheses. */
export function safeUrl(url: string): string {
  return url.replace(/\s/g, '%20').replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** `[text](url)` with escaped text; plain escaped text when there is no http(s) URL. */
export function mdLink(text: string, url: string | undefined): string {
  const label = escapeMarkdownText(text);
  return url && /^https?:\/\//.test(url) ? hyperlink(label, safeUrl(url)) : label;
}

/**
 * Break @everyone / @here so they never render as a mass mention, whatever allowed_mentions
 * says (defence in depth: generated or quoted text can contain them).
 */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)\b/g, '@\u200b$1');
}

/**
 * Masked links [label](url) in generated or quoted text shown with their real target,
 * "label (<url>)", so a link from an abstract (or invented by the model) cannot pass for the
 * paper's own link next to its title. Code is left alone.
 */
export function unmaskLinks(text: string): string {
  return mapOutsideCode(text, (prose) => prose.replace(/\[([^\]\n]{1,300})\]\(\s*<?([^)\s>]{1,600})>?\s*\)/g, '$1 (<$2>)'));
}

/** One-line version of a text (thread names, choice names). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A question as one plain line: without Discord's markup (markdown, emoji tokens, mentions, code blocks, links'
 * addresses), which a thread's name would show raw and an echo would escape into visible marks; without the dashes
 * emoji names leave at either end (":thinking: does dedup help? :pray:"). Empty when the question is only markup.
 */
export function plainLine(question: string): string {
  return oneLine(withoutMarkup(question)).replace(/^[\s,:;.!?-]+|[\s,:;-]+$/g, '');
}

/** A thread name from a question: one plain line, ≤ 100 chars, never empty. */
export function threadNameFor(question: string): string {
  return truncate(plainLine(question) || 'Question', LIMITS.threadName);
}
