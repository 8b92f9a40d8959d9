/**
 * English words, inflections and British spellings included (npm word-list: 274,000 words), so a
 * word no paper uses is read as a typo only when it is no English word either. Loaded on first use
 * into the list's own text plus a table of where each word starts (line-table.ts).
 */
import { readFileSync } from 'node:fs';
import wordListPath from 'word-list';
import { type LineTable, lineTable } from './line-table.js';

let table: LineTable | undefined;

/** Whether a lower-case word is in the English word list. */
export function isEnglishWord(word: string): boolean {
  table ??= lineTable(readFileSync(wordListPath, 'utf8'));
  return table.lineOf(word) >= 0;
}
