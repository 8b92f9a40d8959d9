/**
 * A message of separate questions (index/question-parts.ts) answered as each would be alone: each part's
 * papers are searched and graded on their own, and cited in turn, each part's best first. The message is
 * `high` only when every part is, and `none` only when every part is: a part nothing answers makes the
 * answer `low`, and the note says which part.
 */
import { isKnownTerm } from '../index/bm25f.js';
import { questionCore } from '../index/chat-frame.js';
import { carriesContent, type PartReader } from '../index/question-parts.js';
import type { PaperHit, Retriever } from '../index/search.js';
import type { TermStats } from '../index/search-store.js';
import { tokenize, WORD_RE } from '../index/tokenize.js';
import type { SplitSettings } from './settings.js';
import { wordsNamingNoSubject } from './word-class.js';
import type { ConfidenceDecision } from './abstain.js';
import { quoteCorpusText } from './digest.js';
import { type Evidence, type GatherOptions, type GatheredSources, gatherSources, measureEvidence, type Source } from './sources.js';

/**
 * How a message's sentences are read for its parts: about something when, without its chat frame, it has a content
 * word of the corpus; naming a subject when it has a word in at most ~3% of the papers that is no verb, adjective
 * or adverb where it stands ("DAPO", "MLPerf", not "breaks").
 */
export function partReader(lexical: TermStats, split: SplitSettings): PartReader {
  const about = carriesContent(lexical, split.contentIdf);
  const rare = (w: string) => tokenize(w).some((t) => isKnownTerm(lexical, t) && lexical.idf(t) >= split.subjectIdf);
  return {
    about: (sentence) => about(questionCore(sentence)),
    names: (sentence) => {
      const words = (sentence.match(WORD_RE) ?? []).filter(rare);
      if (!words.length) return false;
      const notSubject = wordsNamingNoSubject(sentence);
      return words.some((w) => !notSubject.has(w.toLowerCase()));
    },
  };
}

/** The longest quote of a part in a note; longer parts end with "…". */
const MAX_PART_CHARS = 70;

export interface GradedParts extends GatheredSources {
  decision: ConfidenceDecision;
  /** Per part, whether anything here is close to it (its grade is not `none`). */
  answered: boolean[];
}

/**
 * Every part searched with the same options, its sources cited in turn (the first of each part, then the second
 * of each…, each paper once) up to `opts.max`, and graded by `grade` on its own hits. Undefined when the parts
 * ask about the same paper ("can u get X by Y? does the knowledge come from pretraining?"): one question in two
 * sentences, which its later part alone does not say.
 */
export async function gatherParts(
  retriever: Retriever,
  parts: string[],
  query: string,
  opts: GatherOptions,
  grade: (part: string, hits: PaperHit[], evidence: Evidence) => ConfidenceDecision,
): Promise<GradedParts | undefined> {
  const each = [];
  for (const part of parts) each.push(await gatherSources(retriever, part, opts));
  if (sharesPaper(each.map((g) => g.sources))) return undefined;
  const decisions = each.map((g, i) => grade(parts[i], g.hits, g.evidence));
  const answered = decisions.map((d) => d.confidence !== 'none');
  // A part nothing answers cites nothing: its closest papers are about something else (unless no part is answered,
  // and the refusal lists them as possibly related).
  const citing = answered.some(Boolean) ? each.filter((_, i) => answered[i]) : each;
  const picked: Source[] = [];
  const seen = new Set<string>();
  const longest = Math.max(...citing.map((g) => g.sources.length));
  for (let rank = 0; rank < longest && picked.length < opts.max; rank++) {
    for (const g of citing) {
      const s = g.sources[rank];
      if (!s || seen.has(s.paper.id) || picked.length >= opts.max) continue;
      seen.add(s.paper.id);
      picked.push({ ...s, marker: picked.length + 1 });
    }
  }
  const hits = uniqueHits(citing.flatMap((g) => g.hits));
  const degraded = each.find((g) => g.degraded)?.degraded;
  return {
    sources: picked,
    hits,
    evidence: measureEvidence(retriever.corpus.termStats, query, hits),
    retrieval: each.some((g) => g.retrieval === 'lexical') ? 'lexical' : each[0].retrieval,
    ...(degraded ? { degraded } : {}),
    decision: combine(parts, decisions),
    answered,
  };
}

/** Papers of a part's that say it is about what another part asks: its best, and the two after it. */
const SAME_SUBJECT_RANKS = 3;

/** One part's best paper is among another's first few. */
function sharesPaper(sources: Source[][]): boolean {
  return sources.some((a, i) =>
    sources.some((b, j) => i !== j && a[0] !== undefined && b.slice(0, SAME_SUBJECT_RANKS).some((s) => s.paper.id === a[0].paper.id)),
  );
}

function uniqueHits(hits: PaperHit[]): PaperHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => !seen.has(h.paper.id) && seen.add(h.paper.id));
}

/** What no paper covers, as a clause of the low-confidence note ("no paper here mentions X"). */
export function describeGap(decision: ConfidenceDecision): string {
  const named = decision.missing.map((m) => quoteCorpusText(m)).join(', ');
  if (!decision.missing.length) return decision.reason ?? 'the papers here cover only part of the question';
  if (!decision.apart) return `no paper here mentions ${named}`;
  return `no paper here joins ${named} with ${decision.fromThread ? 'what this thread asked before' : 'the rest of the question'}`;
}

/** A part of the message, quoted in a note: flattened, cut at a word after MAX_PART_CHARS. */
export function quotePart(part: string): string {
  const flat = part.replace(/\s+/g, ' ').trim();
  const cut = flat.length > MAX_PART_CHARS ? `${flat.slice(0, MAX_PART_CHARS).replace(/\s+\S*$/, '')}…` : flat;
  return `"${quoteCorpusText(cut)}"`;
}

function combine(parts: string[], decisions: ConfidenceDecision[]): ConfidenceDecision {
  if (decisions.every((d) => d.confidence === 'high')) return { confidence: 'high', missing: [] };
  if (decisions.every((d) => d.confidence === 'none')) return { ...decisions[0], missing: [] };
  const gaps = decisions.flatMap((d, i) => {
    if (d.confidence === 'high') return [];
    if (d.confidence === 'none') return [`nothing here answers ${quotePart(parts[i])}`];
    return [`on ${quotePart(parts[i])}, ${describeGap(d)}`];
  });
  return { confidence: 'low', reason: gaps.join('; '), missing: [] };
}
