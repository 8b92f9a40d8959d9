export interface Paper {
  /** Stable id derived from the normalised title, so the same paper keeps its id across ingests. */
  id: string;
  title: string;
  abstract: string;
  authorsCount?: number;
  authors?: string[];
  /** ISO date (YYYY-MM-DD) of the paper itself, never the page-header date. */
  date?: string;
  upvotes?: number;
  url?: string;
  links: string[];
  /** Corpus file names this paper was read from (several when merged). */
  sources: string[];
  firstSeen?: string;
}

export interface SkippedItem {
  file: string;
  line?: number;
  reason: string;
}

export interface FileReport {
  file: string;
  format: 'daily-papers-text' | 'jsonl' | 'json' | 'unsupported';
  blocks: number;
  papers: number;
  skipped: SkippedItem[];
  /** Whole file rejected (binary, empty, not UTF-8, too large, unparseable). */
  error?: string;
}

export interface CorpusReport {
  files: FileReport[];
  blocks: number;
  papers: number;
  duplicatesMerged: number;
  skipped: SkippedItem[];
}

export interface ParsedCorpus {
  papers: Paper[];
  report: CorpusReport;
}
