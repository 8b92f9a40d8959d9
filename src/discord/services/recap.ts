/** The /summarize recap of a bot thread, and the turns a follow-up sees, from stored answer records. */
import type { Turn } from '../../answer/followup.js';
import { DIGEST_OPENER } from '../../answer/digest.js';
import type { Citation, SourceInfo } from '../../answer/engine.js';
import { newAnswerId, type AnswerRecord } from '../feedback.js';
import { escapeMarkdownText, oneLine, truncate } from '../render/text.js';

const DIGEST_NOTE = /^_Showing an extractive digest because[^\n]*_\s*/;

/** The first sentence or two of an answer (markers kept), at most ~`max` chars. */
export function leadSentences(text: string, max = 320): string {
  // Digests stored by earlier versions open with "Found N relevant papers…": the lead is what the papers say.
  const body = text.replace(DIGEST_NOTE, '').replace(DIGEST_OPENER, '').replace(/\s+/g, ' ').trim();
  const sentences = body.match(/[^.!?]+[.!?]+(?:\s*\[\d+\])*|[^.!?]+$/g) ?? [body];
  let out = '';
  for (const s of sentences) {
    if (out && out.length + s.length > max) break;
    out += s;
    if (out.length >= max * 0.6) break;
  }
  return truncate(out.trim(), max + 40);
}

/**
 * A recap of a thread's answered questions, each with its citations renumbered into one shared
 * source list. Pure: the caller stores the returned record.
 */
export function buildThreadRecap(
  records: AnswerRecord[],
  meta: { threadName?: string; userId?: string; guildId?: string; channelId?: string; threadId?: string },
): AnswerRecord {
  const turns = records.filter((r) => r.kind !== 'recap');
  const byPaper = new Map<string, number>();
  const citations: Citation[] = [];
  const sources: SourceInfo[] = [];
  const globalMarker = (c: Citation | SourceInfo): number => {
    let m = byPaper.get(c.paperId);
    if (!m) {
      m = byPaper.size + 1;
      byPaper.set(c.paperId, m);
      const source = { ...c, marker: m };
      citations.push({ marker: m, paperId: c.paperId, title: c.title, url: c.url, links: c.links });
      sources.push({ score: 0, ...source } as SourceInfo);
    }
    return m;
  };
  const blocks: string[] = [];
  turns.forEach((r, i) => {
    const local = new Map<number, Citation | SourceInfo>();
    for (const s of r.sources) local.set(s.marker, s);
    for (const c of r.citations) local.set(c.marker, c);
    const q = escapeMarkdownText(truncate(oneLine(r.question), 200));
    let body: string;
    if (r.abstained) body = '_No answer in the corpus._';
    else {
      body = leadSentences(r.answer).replace(/\[(\d+)\]/g, (_m, n: string) => {
        const c = local.get(Number(n));
        return c ? `[${globalMarker(c)}]` : '';
      });
      // Answers whose lead sentence carries no marker still credit the papers they cited.
      if (!/\[\d+\]/.test(body) && r.citations.length)
        body +=
          ' ' +
          r.citations
            .slice(0, 3)
            .map((c) => `[${globalMarker(c)}]`)
            .join('');
    }
    blocks.push(`**${i + 1}. ${q}**\n${body}`);
  });
  const n = turns.length;
  const intro = n ? `This thread has ${n} answered question${n === 1 ? '' : 's'}:` : 'This thread has no answered questions yet.';
  return {
    type: 'answer',
    answerId: newAnswerId(),
    time: new Date().toISOString(),
    kind: 'recap',
    question: meta.threadName ? `Recap of "${meta.threadName}"` : 'Thread recap',
    answer: [intro, ...blocks].join('\n\n'),
    mode: 'extractive',
    abstained: n === 0,
    citations,
    sources,
    droppedCitations: 0,
    ...(meta.userId ? { userId: meta.userId } : {}),
    ...(meta.guildId ? { guildId: meta.guildId } : {}),
    ...(meta.channelId ? { channelId: meta.channelId } : {}),
    ...(meta.threadId ? { threadId: meta.threadId } : {}),
  };
}

/** Turns for the engine's follow-up handling, from stored answer records (oldest first). */
export function turnsFromRecords(records: AnswerRecord[], max = 6): Turn[] {
  return records
    .filter((r) => r.kind !== 'recap')
    .slice(-max)
    .map((r) => ({ question: r.question, answer: r.answer, citedTitles: r.citations.map((c) => c.title) }));
}
