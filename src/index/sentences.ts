// Abbreviations that end in a period without ending a sentence.
const ABBREV = /(?:\b(?:e\.g|i\.e|et al|etc|vs|Fig|Figs|Eq|Eqs|Sec|No|approx|cf|resp|Dr|Mr|Ms|Prof|al)|\b[A-Z])\.$/;

/** Split prose into sentences, keeping each sentence's text verbatim (numbers, symbols). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    let buf = '';
    const pieces = para.split(/(?<=[.!?])\s+(?=["'([]?[\p{Lu}\p{N}])/u);
    for (const piece of pieces) {
      buf = buf ? `${buf} ${piece}` : piece;
      if (!ABBREV.test(buf)) {
        out.push(buf.trim());
        buf = '';
      }
    }
    if (buf.trim()) out.push(buf.trim());
  }
  return out.filter(Boolean);
}
