/**
 * English words, inflections and British spellings included (npm word-list: 274,000 words), so a
 * word no paper uses is read as a typo only when it is no English word either. Loaded on first use
 * into the list's own text plus an open-addressing table of where each word starts: 2.9 MB of heap
 * and 8.4 MB outside it after a GC, where a Set of the words took 31 MB.
 */
import { readFileSync } from 'node:fs';
import wordListPath from 'word-list';

interface WordTable {
  text: string;
  /** Start offset + 1 of the word hashed to each slot (0: empty). */
  slots: Int32Array;
}

let table: WordTable | undefined;

/** FNV-1a over a range of UTF-16 code units. */
function hash(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function build(text: string): WordTable {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  let size = 1;
  while (size < count * 2 + 2) size *= 2;
  const slots = new Int32Array(size);
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      let slot = hash(text, start, end) & (size - 1);
      while (slots[slot] !== 0) slot = (slot + 1) & (size - 1);
      slots[slot] = start + 1;
    }
    start = end + 1;
  }
  return { text, slots };
}

function has(t: WordTable, word: string): boolean {
  const mask = t.slots.length - 1;
  for (let slot = hash(word, 0, word.length) & mask; t.slots[slot] !== 0; slot = (slot + 1) & mask) {
    const start = t.slots[slot] - 1;
    if (t.text.startsWith(word, start) && (start + word.length === t.text.length || t.text[start + word.length] === '\n')) return true;
  }
  return false;
}

/** Whether a lower-case word is in the English word list. */
export function isEnglishWord(word: string): boolean {
  table ??= build(readFileSync(wordListPath, 'utf8'));
  return word.length > 0 && !word.includes('\n') && has(table, word);
}
