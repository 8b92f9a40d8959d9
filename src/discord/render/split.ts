/**
 * Split long Markdown into Discord-sized messages (≤ 2000 chars each) at the most natural break
 * that fits: paragraph, line, sentence, word. A cut never lands inside a citation marker like
 * [3] or [1, 2], a link, inline code or bold text, nor inside a ``` block; a block that cannot
 * fit in one message on its own is closed at the cut and reopened (same language) in the next.
 */
import { LIMITS } from './text.js';

interface Span {
  start: number;
  end: number;
}

interface Fence extends Span {
  /** The opening fence line, e.g. "```py". */
  opener: string;
  /** True when no closing fence follows (the block runs to the end of the text). */
  unclosed?: boolean;
}

const PROTECTED: RegExp[] = [
  // Citation markers, consecutive ones kept together: [1] [1, 2] [2-4] [1][3]
  /(?:\[\s*\d{1,3}\s*(?:[-–,]\s*\d{1,3}\s*)*\])+/g,
  // Markdown links [text](url)
  /\[[^\]\n]{0,300}\]\([^)\s]{0,600}\)/g,
  // Inline code and bold/italic runs on one line
  /`[^`\n]{1,300}`/g,
  /\*\*[^*\n]{1,300}\*\*/g,
  /__[^_\n]{1,300}__/g,
];

const CLOSE_FENCE = '\n```';

function findFences(s: string): Fence[] {
  const fences: Fence[] = [];
  const re = /^[ \t]*```[^\n]*$/gm;
  let open: { start: number; opener: string } | null = null;
  for (const m of s.matchAll(re)) {
    const at = m.index ?? 0;
    if (!open) {
      open = { start: at, opener: (m[0].trim().match(/^```[^\s`]*/) ?? ['```'])[0] };
    } else {
      fences.push({ start: open.start, end: at + m[0].length, opener: open.opener });
      open = null;
    }
  }
  if (open) fences.push({ start: open.start, end: s.length, opener: open.opener, unclosed: true });
  return fences;
}

function protectedSpans(s: string): Span[] {
  const spans: Span[] = [];
  for (const re of PROTECTED) for (const m of s.matchAll(re)) spans.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  return spans;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** May the text be cut between s[c-1] and s[c]? */
function cuttable(s: string, c: number, spans: Span[]): boolean {
  if (c <= 0 || c >= s.length) return false;
  if (isHighSurrogate(s.charCodeAt(c - 1))) return false;
  for (const sp of spans) if (sp.start < c && c < sp.end) return false;
  return true;
}

type BreakTest = (s: string, c: number) => boolean;
const PARAGRAPH: BreakTest = (s, c) => s[c - 1] === '\n' && s[c - 2] === '\n';
const LINE: BreakTest = (s, c) => s[c - 1] === '\n';
const SENTENCE: BreakTest = (s, c) => /\s/.test(s[c - 1]) && /[.!?;:]/.test(s[c - 2] ?? '');
const WORD: BreakTest = (s, c) => /\s/.test(s[c - 1]);
const ANY: BreakTest = () => true;

/** Best cut position in (lowest, limit]: the most natural break type that exists in range. */
function findCut(s: string, limit: number, spans: Span[], lowest = 1): number {
  const tries: Array<[BreakTest, number]> = [
    [PARAGRAPH, Math.floor(limit * 0.5)],
    [LINE, Math.floor(limit * 0.5)],
    [SENTENCE, Math.floor(limit * 0.5)],
    [WORD, Math.floor(limit * 0.2)],
    [ANY, 1],
  ];
  for (const [test, min] of tries) {
    for (let c = limit; c >= Math.max(min, lowest); c--) if (test(s, c) && cuttable(s, c, spans)) return c;
  }
  // Only reachable when protected spans cover the whole window: cut anyway, but not in a surrogate pair.
  return isHighSurrogate(s.charCodeAt(limit - 1)) ? limit - 1 : limit;
}

export function splitMessage(text: string, max: number = LIMITS.content): string[] {
  if (max < 50) throw new RangeError('max must be at least 50');
  const out: string[] = [];
  let s = text.replace(/\s+$/, '');
  for (let guard = 0; s.length > 0 && guard < 10_000; guard++) {
    if (s.length <= max) {
      out.push(s);
      break;
    }
    const fences = findFences(s);
    const spans = protectedSpans(s);
    let cut = findCut(s, max, spans);
    const fence = fences.find((f) => f.start < cut && cut < f.end);
    let chunk: string;
    let rest: string;
    if (fence && s.slice(0, fence.start).trim().length > 0) {
      // Keep the block whole: end this message just before it.
      cut = fence.start;
      chunk = s.slice(0, cut);
      rest = s.slice(cut);
    } else if (fence) {
      // The block starts this message and is too long for one: close it here, reopen in the next.
      const openerEnd = s.indexOf('\n', fence.start);
      const lowest = openerEnd < 0 ? fence.start + 1 : openerEnd + 2;
      const limit = max - CLOSE_FENCE.length;
      let c = -1;
      for (let i = limit; i >= lowest; i--)
        if (LINE(s, i)) {
          c = i;
          break;
        }
      if (c < 0) c = findCut(s, limit, [], lowest);
      chunk = s.slice(0, c).replace(/\n$/, '') + CLOSE_FENCE;
      rest = `${fence.opener}\n${s.slice(c).replace(/^\n/, '')}`;
      out.push(chunk);
      s = rest;
      continue;
    } else {
      chunk = s.slice(0, cut);
      rest = s.slice(cut);
    }
    chunk = chunk.replace(/\s+$/, '');
    if (chunk) out.push(chunk);
    s = rest.replace(/^\s+/, '');
  }
  return out;
}

const PARTIAL_MARKER = /\[[\d,\s–-]*$/;

/**
 * The messages a growing, streamed answer is shown in (as llmcord does): once the text outgrows
 * one message, that message is finished and never changes again, and streaming continues in the
 * next. The visible text never shrinks: a message is finished no earlier than what it already
 * showed. A cut never falls inside a citation marker, and a code block cut in two is closed at
 * the end of one message and reopened in the next.
 */
export class StreamLayout {
  private readonly done: string[] = [];
  /** Characters of the text that finished messages hold. */
  private consumed = 0;
  /** Length (in the text) of what the live message showed last time. */
  private liveShown = 0;

  constructor(private readonly max = 1900) {}

  /** Contents of every message for the text so far: finished ones, then the live one (ending " …"). */
  layout(textSoFar: string): string[] {
    const text = textSoFar.replace(PARTIAL_MARKER, '').trimEnd();
    const limit = this.max - 8; // room to close and reopen a code block
    for (let guard = 0; text.length - this.consumed > this.max - 2 && guard < 1000; guard++) {
      const rest = text.slice(this.consumed);
      let cut = bestCut(rest, limit);
      cut = Math.max(cut, Math.min(this.liveShown, this.max - 2));
      const opened = inFence(text.slice(0, this.consumed));
      const body = rest.slice(0, cut).trimEnd();
      const closes = inFence(text.slice(0, this.consumed + cut)) ? '\n```' : '';
      this.done.push((opened ? '```\n' : '') + body + closes);
      this.consumed += cut;
      while (this.consumed < text.length && /\s/.test(text[this.consumed])) this.consumed++;
      this.liveShown = 0;
    }
    const live = text.slice(this.consumed);
    this.liveShown = Math.max(this.liveShown, live.length);
    const lead = inFence(text.slice(0, this.consumed)) ? '```\n' : '';
    return [...this.done, live ? `${lead}${live} …` : '…'];
  }
}

/** Where to end a message of at most `limit` characters: a paragraph, line or word boundary, outside a marker. */
function bestCut(s: string, limit: number): number {
  for (const sep of ['\n\n', '\n', ' ']) {
    const at = s.lastIndexOf(sep, limit);
    if (at >= limit / 2) return at;
  }
  const m = PARTIAL_MARKER.exec(s.slice(0, limit));
  return m ? m.index : limit;
}

/** True when `s` ends inside a fenced code block. */
function inFence(s: string): boolean {
  return findFences(s).at(-1)?.unclosed === true;
}
