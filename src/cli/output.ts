/** Output shared by the commands: the `--json` document and the text views of answers. */
import type { AnswerResult, SummaryResult } from '../answer/engine.js';
import type { CliIO } from './types.js';

export function printJson(io: CliIO, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function answerJson(r: AnswerResult | SummaryResult) {
  return {
    answer: r.answer,
    mode: r.mode,
    abstained: r.abstained,
    citations: r.citations.map((c) => ({ marker: c.marker, paperId: c.paperId, title: c.title, url: c.url, links: c.links })),
    sources: r.sources,
    droppedCitations: r.droppedCitations,
    ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
    ...(r.abstainReason ? { abstainReason: r.abstainReason } : {}),
    ...('query' in r && r.query !== r.question ? { query: r.query } : {}),
  };
}

export function renderAnswer(r: AnswerResult | SummaryResult): string {
  const lines = [r.answer, ''];
  // An abstention already names the possibly related papers in its text.
  if (!r.abstained && r.citations.length) {
    lines.push('Sources:');
    for (const c of r.citations) {
      lines.push(`  [${c.marker}] ${c.title}`, `      ${c.url}`);
      for (const l of c.links) lines.push(`      ${l}`);
    }
  }
  lines.push(
    '',
    `(${r.mode === 'llm' ? 'LLM answer' : 'offline extractive digest'}` +
      `${r.droppedCitations ? `; ${r.droppedCitations} invalid citation(s) removed` : ''}; ${r.durationMs} ms)`,
  );
  return `${lines.join('\n')}\n`;
}

export function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}
