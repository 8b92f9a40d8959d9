/**
 * Citation validation: every [n] in a generated answer must name a source that was given.
 * Invalid markers are removed and counted; the papers actually cited are listed in order.
 */
export interface CitationCheck {
  text: string;
  /** Valid markers in order of first use. */
  cited: number[];
  dropped: number;
}

// [3], [1, 2], [1,2,3], [2-4], [1][2] (each bracket handled separately)
const MARKER_RE = /\[(\s*\d{1,3}\s*(?:[-–,]\s*\d{1,3}\s*)*)\]/g;

export function validateCitations(text: string, sourceCount: number): CitationCheck {
  const cited: number[] = [];
  let dropped = 0;
  const out = text.replace(MARKER_RE, (_m, inner: string) => {
    const nums: number[] = [];
    for (const part of inner.split(',')) {
      const range = part.split(/[-–]/).map((s) => Number(s.trim()));
      if (range.length === 2 && range[1] >= range[0] && range[1] - range[0] < 20) {
        for (let n = range[0]; n <= range[1]; n++) nums.push(n);
      } else nums.push(range[0]);
    }
    const valid = nums.filter((n) => Number.isInteger(n) && n >= 1 && n <= sourceCount);
    dropped += nums.length - valid.length;
    for (const n of valid) if (!cited.includes(n)) cited.push(n);
    return [...new Set(valid)].map((n) => `[${n}]`).join('');
  });
  // Removing a marker can leave "claim ." or double spaces behind.
  const tidy = out
    .replace(/[ \t]+([.,;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return { text: tidy, cited, dropped };
}
