/**
 * Model output is untrusted text: before anyone sees it (terminal, Discord, JSON) it loses
 * terminal control sequences (ANSI colours, OSC titles and hyperlinks, cursor moves) and goes
 * through the same redactor as the logs, since an endpoint can echo a key back inside an answer.
 */
import { redact } from '../logger.js';

// ESC-introduced sequences: CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC
// strings (ESC P|X|^|_ … ESC \), the short two- and three-byte forms, and the 8-bit C1 forms
// (U+009B CSI, U+009D OSC, …). A string sequence's payload is capped: an introducer whose end never
// comes loses only itself, so an answer after a stray ESC ] is not swallowed.
const PAYLOAD = '{0,4096}';
const DONE = [
  '\\u001B\\[[0-?]*[ -/]*[@-~]',
  '\\u009B[0-?]*[ -/]*[@-~]',
  `(?:\\u001B\\]|\\u009D)[^\\u0007\\u001B\\u009C]${PAYLOAD}(?:\\u0007|\\u001B\\\\|\\u009C)`,
  `(?:\\u001B[PX^_]|[\\u0090\\u0098\\u009E\\u009F])[^\\u001B\\u009C]${PAYLOAD}(?:\\u001B\\\\|\\u009C)`,
  '\\u001B[ -/]*[0-~]?',
];
// The same sequences still being written at the end of a streamed text.
const OPEN = [
  '(?:\\u001B\\[|\\u009B)[0-?]*[ -/]*$',
  `(?:\\u001B\\]|\\u009D)[^\\u0007\\u001B\\u009C]${PAYLOAD}$`,
  `(?:\\u001B[PX^_]|[\\u0090\\u0098\\u009E\\u009F])[^\\u001B\\u009C]${PAYLOAD}$`,
  '\\u001B[ -/]*$',
];
const ESCAPE_SEQUENCE = new RegExp(DONE.join('|'), 'g');
const STREAMED_SEQUENCE = new RegExp([...DONE.slice(0, -1), ...OPEN, DONE[DONE.length - 1]].join('|'), 'g');
// What is left after the sequences: C0 controls other than tab and newline, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Text without terminal control sequences or control characters; CRLF becomes LF, tab and LF stay. */
export function stripControlSequences(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** Model text as it may be shown: control sequences stripped, secrets and URL credentials redacted. */
export function sanitizeModelText(text: string): string {
  return redact(stripControlSequences(text));
}

/**
 * The part of a streamed text that can be shown now. A trailing word is held back (it may be the
 * first half of a key, a URL's user:password@ or "Bearer <token>"), and so is an escape sequence
 * that has not ended yet; so every later prefix extends this one, and a streamed secret is never
 * shown half-way before the redactor can recognise it.
 */
export function stableStreamText(raw: string): string {
  let cut = raw.length;
  const word = /\S+$/.exec(raw);
  if (word) cut = word.index;
  for (const m of raw.matchAll(STREAMED_SEQUENCE)) {
    const start = m.index ?? 0;
    if (start >= cut) break;
    if (start + m[0].length > cut || start + m[0].length === raw.length) {
      cut = start;
      break;
    }
  }
  return sanitizeModelText(raw.slice(0, cut));
}

/**
 * Wraps a token callback so it only ever sees sanitised text. `finish(raw)` sends whatever was
 * held back once the stream is complete.
 */
export function sanitizedStream(onToken: ((delta: string, textSoFar: string) => void) | undefined): {
  onToken: ((delta: string, textSoFar: string) => void) | undefined;
  finish: (raw: string) => void;
} {
  if (!onToken) return { onToken: undefined, finish: () => {} };
  let sent = '';
  const emit = (safe: string) => {
    if (safe.length <= sent.length || !safe.startsWith(sent)) return;
    const delta = safe.slice(sent.length);
    sent = safe;
    onToken(delta, safe);
  };
  return {
    onToken: (_delta, textSoFar) => emit(stableStreamText(textSoFar)),
    finish: (raw) => emit(sanitizeModelText(raw)),
  };
}
