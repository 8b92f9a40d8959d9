/**
 * Find a line of a large newline-separated word list by its text: the list's own string, where each line starts, and
 * an open-addressing table of line numbers, instead of a Set or Map of hundreds of thousands of strings (274,000
 * English words: the 2.5 MB list, 1.1 MB of starts and a 4 MB table, where a Set took 31 MB).
 */
export interface LineTable {
  /** The line number of `word`, or -1 when no line is exactly it. */
  lineOf(word: string): number;
}

/** FNV-1a over a range of UTF-16 code units. */
function hash(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function lineTable(text: string): LineTable {
  // Counted first and written straight into typed arrays: a growing array of 274,000 numbers, copied as it grew and
  // once more into the Int32Array, was about 10 MB of garbage, all of it in the peak memory of the ask that loaded it.
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  // Where each line starts, and past the end where a next line would (so line i ends at lineStart[i + 1] - 1).
  const lineStart = new Int32Array(count + 1);
  let next = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStart[next++] = i + 1;
  lineStart[count] = text.length + 1;
  let size = 1;
  while (size < count * 2 + 2) size *= 2;
  // The line number + 1 hashed to each slot (0: empty).
  const slots = new Int32Array(size);
  const mask = size - 1;
  for (let line = 0; line < count; line++) {
    const start = lineStart[line];
    const end = lineStart[line + 1] - 1;
    if (end === start) continue;
    let slot = hash(text, start, end) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = line + 1;
  }
  return {
    lineOf(word: string): number {
      if (word.length === 0 || word.includes('\n')) return -1;
      for (let slot = hash(word, 0, word.length) & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
        const line = slots[slot] - 1;
        const start = lineStart[line];
        if (lineStart[line + 1] - 1 - start === word.length && text.startsWith(word, start)) return line;
      }
      return -1;
    },
  };
}
