/**
 * A message as retrieval reads it: each typo as the corpus word it misses by one edit
 * ("pretarining"), then without its chat frame ("tldr:", "can someone explain"). Typos come first,
 * as "heyy quick questoin -" is a frame once "questoin" is "question". The engine reads a question
 * once and searches what it read; the search reads any other text itself.
 */
import { questionCore } from './chat-frame.js';
import type { TermStats } from './search-store.js';
import { type Correction, correctSpelling } from './spelling.js';

export interface ReadQuestion {
  /** The message with its typos read as corpus words. */
  text: string;
  /** That text without its chat frame: what is searched and graded. */
  core: string;
  corrections: Correction[];
}

export function readQuestion(typed: string, lexical: TermStats): ReadQuestion {
  const { text, corrections } = correctSpelling(typed, lexical);
  return { text, core: questionCore(text), corrections };
}
