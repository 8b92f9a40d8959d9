/**
 * Follow-ups in a conversation ("what about its memory cost?") are rewritten into a standalone
 * query before retrieval: by the LLM when configured, otherwise by carrying over the key terms of
 * the previous question and the paper the previous answer cited first. With an LLM, a question in
 * another language than the papers' ("LoRA는 뭐야?") is rewritten into an English query too.
 */
import { askersLanguage, inAnotherLanguage } from '../index/asker-language.js';
import { isKnownTerm } from '../index/bm25f.js';
import { questionCore } from '../index/chat-frame.js';
import { tokenize } from '../index/tokenize.js';
import type { TermStats } from '../index/search-store.js';
import type { ChatModel } from './llm.js';
import { renderPrompt } from './prompts.js';
import { REFERENCE_WORDS } from './references.js';
import { sanitizeModelText } from './safe-text.js';

export interface Turn {
  question: string;
  answer: string;
  /** Titles of the papers the answer cited, in order. */
  citedTitles?: string[];
  /** The thread's numbers for those papers, in the same order (a thread keeps one numbered list). */
  citedMarkers?: number[];
}

/** An earlier answer, trimmed for a prompt: the digest's note and formatting dropped, cut at a word. */
function trimAnswer(text: string, max: number, keepMarkers: boolean): string {
  const flat = text
    .replace(/^_Showing an extractive digest because[^\n]*_\s*/, '')
    .replace(/\*\*/g, '')
    .replace(keepMarkers ? /(?!)/ : /\s*\[\d{1,3}\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max).replace(/\s+\S*$/, '')} …`;
}

/**
 * The conversation so far, condensed for a prompt: each earlier question, its answer (trimmed)
 * and the papers it cited. `numbered` keeps the thread's [n] numbers (the rewrite step, which has
 * no sources of its own); the answer prompt gets titles only, since its sources are numbered afresh.
 */
export function condensedTranscript(history: Turn[], opts: { numbered: boolean; maxTurns?: number; answerChars?: number }): string {
  return history
    .slice(-(opts.maxTurns ?? 4))
    .map((t) => {
      const cited = (t.citedTitles ?? []).map((title, i) => {
        const n = t.citedMarkers?.[i];
        return opts.numbered && n !== undefined ? `[${n}] ${title}` : title;
      });
      return [
        `User: ${t.question}`,
        // A message replied to on Discord was asked of people, not answered here.
        ...(t.answer ? [`Assistant (trimmed): ${trimAnswer(t.answer, opts.answerChars ?? 500, opts.numbered)}`] : []),
        ...(cited.length ? [`Papers cited: ${cited.join('; ')}`] : []),
      ].join('\n');
    })
    .join('\n\n');
}

const ANAPHORA = new RegExp(
  "\\b(it|its|it's|they|them|their|this|that|these|those" +
    '|the (?:paper|method|model|approach|authors?|first|second|third|last|same)' +
    '|same|above|previous|earlier|also|what about|how about|and|such)\\b',
  'i',
);

/** Does the question lean on earlier turns rather than stand on its own? */
export function looksLikeFollowUp(question: string, lexical?: TermStats): boolean {
  const content = tokenize(question);
  if (ANAPHORA.test(question)) return true;
  if (content.length <= 2) return true;
  // Few informative terms of its own: lean on the thread. Words in the asker's language are none of
  // the papers' terms ("und wie viel Speicher spart es?"): they inform no search.
  if (lexical) {
    const foreign = askersLanguage(question, (t) => isKnownTerm(lexical, t));
    const informative = content.filter((t) => lexical.idf(t) > 3 && !foreign(t)).length;
    return informative === 0;
  }
  return false;
}

/** Words that pointed at the thread's papers ("the second one"): no subject ("second" found second-order methods). */
const REFERENCE_TERMS = new Set(tokenize(REFERENCE_WORDS.join(' ')));

export function lexicalRewrite(question: string, history: Turn[], lexical: TermStats, pinnedTitles: string[] = []): string {
  const last = history.at(-1);
  if (!last || (!pinnedTitles.length && !looksLikeFollowUp(question, lexical))) return question;
  const own = new Set(tokenize(question));
  // What the previous message asked, not its chat frame: "unrelated, but" or "hey bot" would be searched again.
  const earlier = questionCore(last.question);
  const carried = [...new Set(tokenize(earlier))]
    .filter((t) => !own.has(t) && !REFERENCE_TERMS.has(t))
    .sort((a, b) => lexical.idf(b) - lexical.idf(a))
    .slice(0, 6);
  // Carry the words of the previous question as the user wrote them, not stems, for readability.
  const words = earlier
    .split(/\s+/)
    .filter((w) => tokenize(w).some((t) => carried.includes(t)))
    .map((w) => w.replace(/[^\p{L}\p{N}-]+/gu, ''))
    .filter(Boolean);
  // Papers the question points at ("the second one") say what it is about better than the last answer's first.
  const titles = pinnedTitles.length ? pinnedTitles : (last.citedTitles?.slice(0, 1) ?? []);
  return [question, ...new Set(words), ...titles.map((t) => `(${t})`)].filter(Boolean).join(' ');
}

export async function rewriteFollowUp(
  question: string,
  history: Turn[],
  deps: { lexical: TermStats; chat?: ChatModel; budgetMs?: number; pinnedTitles?: string[] },
): Promise<{ query: string; method: 'none' | 'lexical' | 'llm' }> {
  // A question in another language than the papers' is rewritten too, into an English query, when a model can.
  const translate = () => inAnotherLanguage(question, (t) => isKnownTerm(deps.lexical, t));
  if (!history.length && !(deps.chat && translate())) return { query: question, method: 'none' };
  if (deps.chat) {
    try {
      const pinned = deps.pinnedTitles?.length ? `\n\nThe follow-up refers to: ${deps.pinnedTitles.join('; ')}` : '';
      const historyText = (history.length ? condensedTranscript(history, { numbered: true }) : '(none)') + pinned;
      const messages = await renderPrompt('rewrite', { history: historyText, question });
      // The rewritten query is shown back (--json "query"), so it is model text like any answer.
      const reply = await deps.chat.complete(messages, { budgetMs: deps.budgetMs ?? 10_000, maxTokens: 80 });
      const out = sanitizeModelText(reply.text).trim().split('\n')[0].trim();
      // A rewrite cut short is half a query: the offline rewrite is the better one.
      if (out && !reply.cutOff && out.length <= 500 && !/INSUFFICIENT_EVIDENCE/.test(out))
        return { query: out.replace(/^["']|["']$/g, ''), method: 'llm' };
    } catch {
      // Fall through to the offline rewrite: a follow-up must never fail because the model did.
    }
  }
  const rewritten = lexicalRewrite(question, history, deps.lexical, deps.pinnedTitles);
  return { query: rewritten, method: rewritten === question ? 'none' : 'lexical' };
}
