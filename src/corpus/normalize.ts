import { createHash } from 'node:crypto';

/** Key used to recognise the same paper across files: case, punctuation and spacing folded. */
export function titleKey(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function paperIdFor(title: string): string {
  return createHash('sha1').update(titleKey(title)).digest('hex').slice(0, 10);
}

// Braces and backslashes are never part of a URL; they do appear around one in LaTeX remnants (\url{...}).
const URL_RE = /\bhttps?:\/\/[^\s<>"'`{}\\]+/gi;

/** URLs found in free text, trailing punctuation trimmed, de-duplicated in order. */
export function extractLinks(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // Trailing sentence punctuation and unbalanced closing brackets are not part of the URL.
    for (;;) {
      const last = url.at(-1)!;
      if ('.,;:!?'.includes(last)) url = url.slice(0, -1);
      else if (last === ')' && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) url = url.slice(0, -1);
      else if (last === ']' || last === '}') url = url.slice(0, -1);
      else break;
    }
    if (url.length > 10 && !out.includes(url)) out.push(url);
  }
  return out;
}

/** Clean a line of text: NFC, no control characters, collapsed spaces. */
export function cleanText(text: string): string {
  return (
    text
      .normalize('NFC')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
      .replace(/[ \t\u00A0]+/g, ' ')
      .trim()
  );
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** "Sep 11, 2023" / "2023-09-11" / "11 September 2023" -> "2023-09-11"; undefined if not a date. */
export function toIsoDate(text: string): string | undefined {
  const t = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(t);
  if (m) return fmt(+m[1], +m[2], +m[3]);
  m = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$/.exec(t);
  if (m && MONTHS[m[1].slice(0, 3).toLowerCase()]) return fmt(+m[3], MONTHS[m[1].slice(0, 3).toLowerCase()], +m[2]);
  m = /^(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})$/.exec(t);
  if (m && MONTHS[m[2].slice(0, 3).toLowerCase()]) return fmt(+m[3], MONTHS[m[2].slice(0, 3).toLowerCase()], +m[1]);
  return undefined;
}

function fmt(y: number, mo: number, d: number): string | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1900 || y > 2200) return undefined;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
