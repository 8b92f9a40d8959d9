/** Output shared by the commands: the `--json` document and the text views of answers. */
import { sanitizeModelText } from '../answer/safe-text.js';
import type { AnswerResult, SummaryResult } from '../answer/engine.js';
import { describeFailure } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CliIO } from './types.js';

export function printJson(io: CliIO, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A failed command as one line on stderr (`error [CODE]: text`), or with `--json` as one JSON
 * document on stdout; returns the exit code (2 for a usage error, else 1). A usage error also
 * shows the command's usage line (or the full help for an unknown command). `extra` adds fields to
 * the JSON error (the candidates of an ambiguous paper title).
 */
export function printFailure(
  io: CliIO,
  err: unknown,
  opts: { json: boolean; usage?: string; help?: string; logger?: Logger; command?: string; extra?: Record<string, unknown> },
): number {
  const f = describeFailure(err);
  // A generic text says nothing about what happened: the details go to the log (stderr).
  if (f.visibility === 'log') opts.logger?.error('command failed', { command: opts.command, code: f.code, err });
  const usage = f.code === 'USAGE' ? opts.usage : undefined;
  if (opts.json) printJson(io, { error: { code: f.code, message: f.userText, ...(usage ? { usage } : {}), ...opts.extra } });
  else if (f.code === 'USAGE') io.err(`error [${f.code}]: ${f.userText}\n${usage ? `Usage: ${usage}\n` : `\n${opts.help ?? ''}`}`);
  else io.err(`error [${f.code}]: ${f.userText}\n`);
  return f.exitCode;
}

export function answerJson(r: AnswerResult | SummaryResult) {
  return {
    answer: r.answer,
    mode: r.mode,
    confidence: r.confidence,
    abstained: r.abstained,
    citations: r.citations.map((c) => ({ marker: c.marker, paperId: c.paperId, title: c.title, url: c.url, links: c.links })),
    sources: r.sources,
    droppedCitations: r.droppedCitations,
    ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
    ...(r.truncated ? { truncated: true } : {}),
    ...(r.retrievalFallback ? { retrieval: r.retrieval, retrievalFallback: r.retrievalFallback } : {}),
    ...(r.abstainReason ? { abstainReason: r.abstainReason } : {}),
    ...(r.corrections ? { corrections: r.corrections } : {}),
    ...('query' in r && r.query !== r.question ? { query: r.query } : {}),
  };
}

export function renderAnswer(r: AnswerResult | SummaryResult): string {
  // The engine already cleaned the text; this renderer must be safe for a terminal on its own too.
  const lines = [sanitizeModelText(r.answer), ''];
  // An abstention already names the possibly related papers in its text.
  if (!r.abstained && r.citations.length) {
    lines.push('Sources:');
    for (const c of r.citations) {
      lines.push(`  [${c.marker}] ${c.title}`, `      ${c.url}`);
      for (const l of c.links) lines.push(`      mentioned in the abstract: ${l}`);
    }
  }
  lines.push(
    '',
    `(${r.mode === 'llm' ? 'LLM answer' : 'offline extractive digest'}` +
      `${r.droppedCitations ? `; ${r.droppedCitations} invalid citation(s) removed` : ''}` +
      `${r.retrievalFallback ? `; lexical retrieval only because ${r.retrievalFallback}` : ''}; ${r.durationMs} ms)`,
  );
  return `${lines.join('\n')}\n`;
}

export function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}
