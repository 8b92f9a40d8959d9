/**
 * A chat message's chat clauses: those with no word the corpus knows ("no rush tho, cheers", "ngl
 * been confused abt this —"). Graded, such a clause only adds words no paper uses, which made
 * answers `low` or refused them, so answerability (the words the corpus never uses, and how much
 * of the question the best match covers) leaves them out. Search needs no such step: a word no
 * paper uses matches nothing.
 */
import { tokenize } from './tokenize.js';

/** Where a message's clauses part (kept by the split): sentence marks, commas, brackets, lone dashes, emoji. */
const CLAUSE_BREAK = /([.!?;:,()[\]{}\u2014\u2013]+|\s-+\s|\p{Extended_Pictographic}+)/u;

/** The message without its chat clauses, the marks between the clauses kept as typed. */
export function withoutChatClauses(text: string, known: (t: string) => boolean): string {
  // Odd parts are the marks between clauses.
  const parts = text.split(CLAUSE_BREAK);
  const terms = parts.map((p, i) => (i % 2 === 0 ? tokenize(p) : []));
  // A number ("20 min") says nothing of a clause's subject.
  const chat = terms.map((ts) => ts.length > 0 && !ts.some((t) => !/^\d+$/.test(t) && known(t)));
  const asks = terms.some((ts, i) => ts.length > 0 && !chat[i]);
  if (!asks || !chat.includes(true)) return text;
  let out = '';
  for (let i = 0; i < parts.length; i += 2) if (!chat[i]) out += parts[i] + (parts[i + 1] ?? '');
  return out
    .replace(/^[\s,;:.!?)\]}\u2014\u2013-]+/, '')
    .replace(/[\s,;:([{\u2014\u2013-]+$/, '')
    .trim();
}
