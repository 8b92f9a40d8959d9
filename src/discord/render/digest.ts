/** Digest messages for Discord: one message (≤ 2000 characters), grouped by topic, pinging nobody. */
import { paperUrl } from '../../answer/sources.js';
import type { TopicGroup } from '../../radar/match.js';
import { escapeMarkdownText, LIMITS, mdLink, neutralizeMentions, oneLine, truncate } from './text.js';

/** Angle brackets keep a URL from unfurling into a preview card per paper. */
function paperLine(n: number, title: string, url: string, reason: string): string {
  const link = mdLink(truncate(oneLine(title), 200), url).replace(/\]\((https?:[^)]+)\)$/, '](<$1>)');
  return `${n}. ${link}\n   ${neutralizeMentions(escapeMarkdownText(oneLine(reason)))}`;
}

export function renderDigest(heading: string, groups: readonly TopicGroup[], emptyText: string): string {
  if (!groups.length) return truncate(`${heading}\n${emptyText}`, LIMITS.content);
  const budget = LIMITS.content - 60;
  let text = heading;
  let left = 0;
  for (const g of groups) {
    const lines = [`\n**${neutralizeMentions(escapeMarkdownText(truncate(oneLine(g.topic), 100)))}**`];
    lines.push(...g.matches.map((m, i) => paperLine(i + 1, m.paper.title, paperUrl(m.paper), m.reason)));
    if (g.more) lines.push(`…and ${g.more} more`);
    for (const line of lines) {
      if (left || text.length + line.length + 1 > budget) {
        left++;
        continue;
      }
      text += `\n${line}`;
    }
  }
  if (left) text += `\n…more than fits here: use /digest for the full list.`;
  return text;
}
