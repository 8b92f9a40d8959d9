/**
 * Whether retrieval evidence is strong enough to answer. Two offline signals, calibrated on the
 * dev set: the question names something (a method, model or dataset) the corpus never mentions,
 * or the best paper matches almost none of the question's informative terms. With an LLM, the
 * model additionally judges sufficiency (INSUFFICIENT_EVIDENCE), as PaperQA2 does.
 */
import { tokenize } from '../index/tokenize.js';
import type { PaperHit, Retriever } from '../index/search.js';
import type { Evidence } from './sources.js';

export const DEFAULT_ABSTAIN_COVERAGE = 0.12;

// Acronyms (KV, NER), CamelCase (DreamBooth), names with digits (H100, Phi-2), Capitalised words.
// Matches must be whole words, so "LLaMA" is one name rather than the fragments "LLa" and "MA".
const ENTITY_RE = /(?<![A-Za-z0-9])(?:[A-Z]{2,}[a-z]*s?|[A-Za-z]*[a-z][A-Z][A-Za-z]*|[A-Za-z]+-?\d+[A-Za-z0-9-]*|[A-Z][a-z]+(?:-[A-Za-z]+)*)(?![A-Za-z0-9])/g;
/** One plain capitalised word ("Stable", "Diffusion"): often an ordinary word inside a product name. */
const PLAIN_WORD = /^[A-Z][a-z]+$/;

/** Named things in a question, skipping a capital that only starts a sentence. */
export function namedEntities(question: string): string[] {
  const out: string[] = [];
  for (const m of question.matchAll(ENTITY_RE)) {
    const before = question.slice(0, m.index).trimEnd();
    const sentenceStart = before === '' || /[.!?:]$/.test(before);
    if (sentenceStart && /^[A-Z][a-z]+$/.test(m[0])) continue;
    if (/^(?:I|I'm|LLMs?|LMs?|AI|ML|NLP)$/.test(m[0])) continue;
    if (!out.includes(m[0])) out.push(m[0]);
  }
  return out;
}

export interface AbstainDecision {
  abstain: boolean;
  reason?: string;
}

export function decideAbstain(retriever: Retriever, question: string, hits: PaperHit[], evidence: Evidence, threshold = DEFAULT_ABSTAIN_COVERAGE): AbstainDecision {
  if (hits.length === 0) return { abstain: true, reason: 'no paper in the corpus matches the question' };
  const lexical = retriever.store.lexical;
  const top = new Set(tokenize(`${hits[0].paper.title} ${hits[0].paper.abstract}`));
  const entities = namedEntities(question).map((e) => ({ name: e, terms: tokenize(e.replace(/-/g, ' ')) }));
  const unknown = entities.filter((e) => e.terms.length > 0 && e.terms.every((t) => lexical.idf(t) >= maxIdf(lexical.size) - 1e-9));
  // A distinctive unknown name (DreamBooth) is not excused by the top paper matching a plain
  // capitalised word of the question ("Diffusion" of "Stable Diffusion"); another name must match.
  const distinctiveUnknown = unknown.some((u) => !PLAIN_WORD.test(u.name));
  const matchedByTop = entities.filter(
    (e) => e.terms.length > 0 && e.terms.some((t) => top.has(t) && lexical.idf(t) >= 2) && !(distinctiveUnknown && PLAIN_WORD.test(e.name)),
  );
  if (unknown.length > 0 && matchedByTop.length === 0) {
    return { abstain: true, reason: `the corpus never mentions ${unknown.map((u) => u.name).join(', ')}` };
  }
  if (evidence.coverage < threshold) {
    return { abstain: true, reason: `the best match covers only ${(evidence.coverage * 100).toFixed(0)}% of the question` };
  }
  return { abstain: false };
}

function maxIdf(n: number): number {
  return Math.log(1 + (n + 0.5) / 0.5);
}
