/**
 * Citation validation: every citation marker in a generated answer must name a source that was
 * given. Anything that looks like a marker ([7], [1234], 【7】, ［７］, [^9], [source 3], [2-400],
 * [1-3-5], [1](https://…)) is either rewritten to valid [n] markers or removed and counted.
 * Code (fenced blocks and inline spans) is left byte for byte as the model wrote it, and the only
 * whitespace touched is the whitespace next to a marker.
 */
import { codeRanges } from './code-spans.js';

export interface CitationCheck {
  text: string;
  /** Valid markers in order of first use. */
  cited: number[];
  /** Marker references removed: each out-of-range number, and each malformed range, counts once. */
  dropped: number;
}

const DIGITS = '[0-9\\uFF10-\\uFF19]+';
const DASH = '[-\\u2010-\\u2015\\u2212]';
const ITEM = `${DIGITS}(?:\\s*${DASH}\\s*${DIGITS})*`;
const LIST = `${ITEM}(?:\\s*[,;\\uFF0C\\uFF1B\\u3001]\\s*${ITEM})*`;
// Footnote style [^9], [#9] and labelled forms like [source 3] or [Ref: 3].
const PREFIX = '(?:\\^|#|(?:sources?|src|refs?|references?|docs?|documents?|papers?)\\s*[:#]?\\s*)?';
const OPEN = '[\\[\\uFF3B\\u3010\\u3014\\u3016]';
const CLOSE = '[\\]\\uFF3D\\u3011\\u3015\\u3017]';
// A marker written as a link, [2](https://…), loses the link: citations point at the sources list.
const LINK_TARGET = '(?:\\((?:[a-z][a-z0-9+.-]*:|www\\.|#|/)[^()\\s]*\\))?';
const MARKER = new RegExp(`${OPEN}\\s*${PREFIX}(${LIST})\\s*${CLOSE}${LINK_TARGET}`, 'giu');
/** Ranges longer than this are not a citation style anyone uses: the whole range is invalid. */
const MAX_RANGE = 20;

function toNumber(digits: string): number {
  return Number(digits.replace(/[\uFF10-\uFF19]/g, (d) => String(d.charCodeAt(0) - 0xff10)));
}

/** The valid source numbers a marker names, and how many of its references were invalid. */
function parseMarker(list: string, sourceCount: number): { valid: number[]; invalid: number } {
  const valid: number[] = [];
  let invalid = 0;
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 1 && n <= sourceCount;
  for (const item of list.split(/[,;\uFF0C\uFF1B\u3001]/)) {
    const ends = item.split(new RegExp(DASH)).map((s) => toNumber(s.trim()));
    if (ends.length === 1) {
      if (ok(ends[0])) valid.push(ends[0]);
      else invalid++;
    } else if (ends.length === 2 && ends[0] >= 1 && ends[1] >= ends[0] && ends[1] - ends[0] < MAX_RANGE) {
      for (let n = ends[0]; n <= ends[1]; n++) {
        if (ok(n)) valid.push(n);
        else invalid++;
      }
    } else invalid++;
  }
  return { valid: [...new Set(valid)], invalid };
}

const CLAUSE_END = /[.,;:!?)]/;

/** Length of the run of spaces and tabs that ends `s`. */
function trailingBlanks(s: string): number {
  let i = s.length;
  while (i > 0 && (s[i - 1] === ' ' || s[i - 1] === '\t')) i--;
  return s.length - i;
}

export function validateCitations(text: string, sourceCount: number): CitationCheck {
  const cited: number[] = [];
  let dropped = 0;
  const code = codeRanges(text);
  let ci = 0;
  let out = '';
  let pos = 0;
  const blanksAfter = /[ \t]*/y;
  for (const m of text.matchAll(MARKER)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    while (ci < code.length && code[ci].end <= start) ci++;
    if (ci < code.length && code[ci].start < end) continue;
    const { valid, invalid } = parseMarker(m[1], sourceCount);
    dropped += invalid;
    for (const n of valid) if (!cited.includes(n)) cited.push(n);
    out += text.slice(pos, start);
    pos = end;
    blanksAfter.lastIndex = end;
    const after = blanksAfter.exec(text)?.[0].length ?? 0;
    const next = text[end + after];
    const punctuation = next !== undefined && CLAUSE_END.test(next);
    if (valid.length) {
      out += valid.map((n) => `[${n}]`).join('');
      // "claim [1] ." reads as "claim [1]."
      if (punctuation) pos = end + after;
      continue;
    }
    // Removing a marker must not leave "claim ." or "claim  next" behind; indentation stays.
    const before = trailingBlanks(out);
    const lineStart = out.length === before || out[out.length - before - 1] === '\n';
    const lineEnd = next === undefined || next === '\n' || next === '\r';
    if (lineStart) pos = end + after;
    else if (punctuation || lineEnd) {
      out = out.slice(0, out.length - before);
      pos = end + after;
    } else if (before > 0) out = out.slice(0, out.length - before);
  }
  out += text.slice(pos);
  return { text: out.trim(), cited, dropped };
}

/**
 * Corpus text quoted as-is (the offline digest) keeps its own reference numbers, but as "(12)":
 * in brackets they would read as citations of the numbered sources.
 */
export function neutralizeMarkers(text: string): string {
  return text.replace(MARKER, (_m, list: string) => `(${list.trim()})`);
}
