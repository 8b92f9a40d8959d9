/** Model text shown to people: terminal control sequences stripped, secrets redacted, also mid-stream. */
import { describe, expect, it } from 'vitest';
import { sanitizedStream, sanitizeModelText, stripControlSequences } from '../../src/answer/safe-text.js';
import { registerSecret } from '../../src/logger.js';

const KEY = 'sk-stream-KEY-42';

describe('stripControlSequences', () => {
  it('removes CSI, OSC (BEL and ST), DCS, 8-bit C1 and bare control characters; keeps tabs, newlines and text', () => {
    const raw =
      '\u001b[31mred\u001b[0m \u001b]0;title\u0007\u001b]8;;https://x.example\u001b\\link\u001b]8;;\u001b\\ ' +
      '\u001bPdcs-payload\u001b\\\u009b2Kc1 a\tb\r\nc\u0000\u0008\u007f\u001bc\u001b7done';
    expect(stripControlSequences(raw)).toBe('red link c1 a\tb\ncdone');
  });

  it('an OSC that never ends loses only its introducer, not the answer after it', () => {
    expect(stripControlSequences('before \u001b]0;the rest of the answer [1].')).toBe('before 0;the rest of the answer [1].');
  });
});

describe('sanitizedStream', () => {
  it('fed one character at a time, never shows a secret, a URL password or an escape sequence, even partly', () => {
    registerSecret(KEY);
    const raw =
      `Answer [1]. \u001b]0;a spaced title\u0007Key ${KEY}, Bearer abcdefghijklmnopqrstu, ` +
      'endpoint https://bot:url-pass-99@llm.example/v1 and \u001b[1;31mcolour\u001b[0m done.';
    const seen: string[] = [];
    const deltas: string[] = [];
    const s = sanitizedStream((d, soFar) => {
      deltas.push(d);
      seen.push(soFar);
    });
    for (let i = 1; i <= raw.length; i++) s.onToken?.(raw[i - 1], raw.slice(0, i));
    s.finish(raw);
    const final = sanitizeModelText(raw);
    expect(final).toBe('Answer [1]. Key [redacted], Bearer [redacted], endpoint https://bot:[redacted]@llm.example/v1 and colour done.');
    expect(deltas.join('')).toBe(final);
    expect(seen[seen.length - 1]).toBe(final);
    for (let i = 1; i < seen.length; i++) expect(seen[i].startsWith(seen[i - 1])).toBe(true);
    for (const text of seen) {
      for (const c of ['\u001b', '\u0007']) expect(text).not.toContain(c);
      expect(text).not.toContain('sk-str');
      expect(text).not.toContain('url-pa');
      expect(text).not.toContain('abcdefgh');
      expect(text).not.toContain('spaced title');
    }
  });
});
