/** Make an embed fit Discord's limits, whatever the data: per-field caps, 25 fields, 6000 total. */
import { type APIEmbed, type APIEmbedField, embedLength } from 'discord.js';
import { LIMITS, truncate, truncateAtBoundary } from './text.js';

// discord.js counts what Discord counts toward the 6000 total: title, description, field names and values, footer, author.
export { embedLength };

export function fitEmbed(input: APIEmbed): APIEmbed {
  const e: APIEmbed = { ...input };
  if (e.title !== undefined) e.title = truncate(e.title, LIMITS.embedTitle);
  if (e.description !== undefined) e.description = truncateAtBoundary(e.description, LIMITS.embedDescription);
  if (e.footer) e.footer = { ...e.footer, text: truncate(e.footer.text, LIMITS.footer) };
  if (e.author) e.author = { ...e.author, name: truncate(e.author.name, LIMITS.author) };
  if (e.fields) {
    e.fields = e.fields
      .filter((f) => f.name.trim() && f.value.trim())
      .slice(0, LIMITS.embedFields)
      .map(
        (f): APIEmbedField => ({ ...f, name: truncate(f.name, LIMITS.fieldName), value: truncateAtBoundary(f.value, LIMITS.fieldValue) }),
      );
  }
  // Over the total: drop trailing fields first, then shorten the description.
  while (embedLength(e) > LIMITS.embedTotal && e.fields && e.fields.length) e.fields = e.fields.slice(0, -1);
  const over = embedLength(e) - LIMITS.embedTotal;
  if (over > 0 && e.description) e.description = truncateAtBoundary(e.description, Math.max(1, e.description.length - over));
  if (e.fields && !e.fields.length) delete e.fields;
  return e;
}

/**
 * Join lines into a description of at most `max` chars; lines that do not fit are replaced by
 * a closing note ("…and 3 more").
 */
export function joinLinesWithin(lines: string[], max: number, more: (n: number) => string): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const reserve = i < lines.length - 1 ? more(lines.length - i).length + 1 : 0;
    if (used + line.length + 1 + reserve > max) {
      out.push(more(lines.length - i));
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n');
}
