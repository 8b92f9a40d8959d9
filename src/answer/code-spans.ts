/**
 * Where the code is in Markdown text: fenced blocks (``` or ~~~, an unclosed one runs to the end)
 * and inline code spans. Text clean-up (citation markers, link rewriting) skips these ranges so
 * code in an answer reaches the reader byte for byte.
 */
export interface Range {
  start: number;
  end: number;
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})[^\n]*$/gm;

function fencedBlocks(text: string): Range[] {
  const out: Range[] = [];
  let open: { start: number; char: string; length: number } | undefined;
  for (const m of text.matchAll(FENCE_LINE)) {
    const at = m.index ?? 0;
    const run = m[1];
    if (!open) {
      // A backtick fence's info string may not contain backticks (CommonMark); such a line is inline code.
      if (run[0] === '`' && m[0].slice(m[0].indexOf(run) + run.length).includes('`')) continue;
      open = { start: at, char: run[0], length: run.length };
    } else if (run[0] === open.char && run.length >= open.length && m[0].trim() === run) {
      out.push({ start: open.start, end: at + m[0].length });
      open = undefined;
    }
  }
  if (open) out.push({ start: open.start, end: text.length });
  return out;
}

/** Inline code: a run of n backticks up to the next run of exactly n, within one paragraph. */
function inlineSpans(text: string, from: number, to: number, out: Range[]): void {
  const re = /`+/g;
  re.lastIndex = from;
  const blank = /\n[ \t]*\n/g;
  let paragraphEnd = -1;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    const run = m[0];
    // The end of this run's paragraph, found once per paragraph (the scan only moves forward).
    if (paragraphEnd < m.index) {
      blank.lastIndex = m.index;
      const b = blank.exec(text);
      paragraphEnd = b ? b.index : text.length;
    }
    const limit = Math.min(to, paragraphEnd);
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
    close.lastIndex = m.index + run.length;
    const c = close.exec(text);
    if (c && c.index + run.length <= limit) {
      out.push({ start: m.index, end: c.index + run.length });
      re.lastIndex = c.index + run.length;
    }
  }
}

/** Code ranges in text, sorted and non-overlapping. */
export function codeRanges(text: string): Range[] {
  const fences = fencedBlocks(text);
  const out: Range[] = [];
  let pos = 0;
  for (const f of [...fences, { start: text.length, end: text.length }]) {
    inlineSpans(text, pos, f.start, out);
    if (f.end > f.start) out.push(f);
    pos = f.end;
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Apply `fn` to each stretch of text outside code; code is copied unchanged. */
export function mapOutsideCode(text: string, fn: (prose: string) => string): string {
  let out = '';
  let pos = 0;
  for (const r of codeRanges(text)) {
    out += fn(text.slice(pos, r.start)) + text.slice(r.start, r.end);
    pos = r.end;
  }
  return out + fn(text.slice(pos));
}
