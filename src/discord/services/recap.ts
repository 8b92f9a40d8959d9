/** The /summarize recap of a bot thread, and the turns a follow-up sees, from stored answer records. */
import type { Turn } from '../../answer/followup.js';
import { DIGEST_OPENER } from '../../answer/digest.js';
import type { Citation, SourceInfo } from '../../answer/engine.js';
import { ThreadSources, type NumberedPaper } from '../../answer/thread-sources.js';
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
 * A recap of a thread's answered questions in the thread's own numbers: [n] in the recap is the
 * paper [n] of every answer, the Sources buttons and follow-ups ("[2]", "the second one") in that
 * thread, because the list is built here from the same records, in the same order, as for a
 * follow-up (ThreadSources). `records` must be all of the thread's records (threadRecords).
 * The recap cites the papers its lines mention and lists the whole thread list as its sources, so
 * its Sources button shows every number the thread has given out. Pure: the caller stores it.
 */
export function buildThreadRecap(
  records: AnswerRecord[],
  meta: { threadName?: string; userId?: string; guildId?: string; channelId?: string; threadId?: string },
): AnswerRecord {
  const list = new ThreadSources();
  const cited = new Set<number>();
  const blocks: string[] = [];
  for (const r of records) {
    const map = list.take(r);
    if (r.kind === 'recap') continue;
    const q = escapeMarkdownText(truncate(oneLine(r.question), 200));
    let body: string;
    if (r.abstained) body = '_No answer in the corpus._';
    else {
      const cite = (local: number): string => {
        const m = map.get(local);
        if (m === undefined) return '';
        cited.add(m);
        return `[${m}]`;
      };
      body = leadSentences(r.answer).replace(/\[(\d+)\]/g, (_m, n: string) => cite(Number(n)));
      // Answers whose lead sentence carries no marker still credit the papers they cited.
      if (!/\[\d+\]/.test(body) && r.citations.length)
        body += ` ${r.citations
          .slice(0, 3)
          .map((c) => cite(c.marker))
          .join('')}`;
    }
    blocks.push(`**${blocks.length + 1}. ${q}**\n${body}`);
  }
  const n = blocks.length;
  const intro = n ? `This thread has ${n} answered question${n === 1 ? '' : 's'}:` : 'This thread has no answered questions yet.';
  const entry = (p: NumberedPaper): Citation => ({ marker: p.marker, paperId: p.paperId, title: p.title, url: p.url, links: p.links });
  const citations = list
    .all()
    .filter((p) => cited.has(p.marker))
    .map(entry);
  const sources: SourceInfo[] = list.all().map((p) => ({ ...entry(p), score: 0, ...(p.date ? { date: p.date } : {}) }));
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
