import type { Paper } from '../corpus/types.js';
import { splitSentences } from './sentences.js';

export type ChunkStrategy = 'abstract' | 'sentences';

export interface Chunk {
  id: string;
  paperId: string;
  title: string;
  /** Chunk body without the title; the title travels beside it as context. */
  text: string;
  position: number;
  sources: string[];
}

const WINDOW = 3;
const STRIDE = 2;

/** Every chunk keeps its paper's title so a chunk alone still says what it is about. */
export function chunkPaper(paper: Paper, strategy: ChunkStrategy): Chunk[] {
  const base = { paperId: paper.id, title: paper.title, sources: paper.sources };
  if (strategy === 'abstract') return [{ id: `${paper.id}#0`, ...base, text: paper.abstract, position: 0 }];
  const sentences = splitSentences(paper.abstract);
  if (sentences.length <= WINDOW) return [{ id: `${paper.id}#0`, ...base, text: sentences.join(' '), position: 0 }];
  const chunks: Chunk[] = [];
  for (let start = 0, pos = 0; start < sentences.length; start += STRIDE, pos++) {
    chunks.push({ id: `${paper.id}#${pos}`, ...base, text: sentences.slice(start, start + WINDOW).join(' '), position: pos });
    if (start + WINDOW >= sentences.length) break;
  }
  return chunks;
}

/** The text sent to the embedding model for a chunk. */
export function embeddingText(chunk: Pick<Chunk, 'title' | 'text'>): string {
  return `${chunk.title}\n\n${chunk.text}`;
}
