/**
 * A chat message's chat clauses: around the question, those that carry none of it ("its 3am and i
 * cant sleep so", "been googling for 20 min and cant find a straight answer"); anywhere, those with no
 * word the corpus knows ("no rush tho, cheers", "ngl been confused abt this —"). Graded, such a clause
 * only adds words no paper uses, which made answers `low` or refused them, so answerability (the
 * words the corpus never uses, and how much of the question the best match covers) leaves them out.
 * Search reads them: a word no paper uses matches nothing.
 */
import { tokenize } from './tokenize.js';

/**
 * One line break for each run of whitespace holding one, one space for every other run: a line
 * break parts a chat line from the question ("{question}\n\ngonna grab food brb"), so it is kept
 * wherever a message is normalised before its clauses are read (cleanQuestion, questionCore).
 */
export function collapseSpacesKeepingLines(text: string): string {
  // Spaces first, so the break pattern starts at its break: a leading `\s*` would retry a long run of
  // spaces from each of its positions (40,000 spaces: 1.8 s).
  return text.replace(/[^\S\n\u2028\u2029]+/g, ' ').replace(/ ?[\n\u2028\u2029]\s*/g, '\n');
}

/**
 * Where a message's clauses part (kept by the split): sentence marks and commas (not inside a word), brackets, line
 * breaks, lone dashes and arrows, emoji; chat interjections ("… have a bet going lol how do …");
 * "so" between clauses ("its 3am and i cant sleep so …"); and a question word starting a new
 * clause ("… this came up in my notes what is …"). A split only matters where a part has no word
 * that carries the question; the question's own parts keep theirs.
 */
const CLAUSE_BREAK = new RegExp(
  `(${[
    // A dot or comma inside a word parts nothing: "torch.compile", "Qwen2.5", "1,000".
    String.raw`(?:[!?;:()[\]{}\u2014\u2013\n]|(?<![\p{L}\p{N}])[.,]|[.,](?![\p{L}\p{N}]))+|\s-+>?\s|\p{Extended_Pictographic}+`,
    String.raw`(?<![\p{L}\p{N}])(?:lol|lmao|lmfao|rofl|haha+|hehe+|ngl|tbh|brb|smh)(?![\p{L}\p{N}])`,
    // A whitespace run is tried from its start only, so a long run costs linear time.
    String.raw`(?<!\s)\s+so\s+`,
    String.raw`(?<!\s)\s+(?=(?:how|what|what's|whats|which|why|when|where|who)\b)`,
  ].join('|')})`,
  'iu',
);

/**
 * The message without its chat clauses, the marks between the clauses kept as typed. Chat
 * surrounds a question: the clauses before the first that `carries` the question and after the
 * last are chat. Between those, only a clause with no word the corpus knows is ("… — no rush tho
 * — …"): "does it matter what year…" and "(tokens, en+zh)" are parts of the question, though no
 * paper is about their words. Without a clause that carries the question, a clause is chat when it
 * has no word the corpus knows. A clause that `namesLackedSubject` is never chat: "how do i file travel
 * reimbursement for neurips, which form" asks about reimbursement, though only "form" is a corpus word.
 */
export function withoutChatClauses(
  text: string,
  known: (t: string) => boolean,
  carries: (t: string) => boolean = known,
  namesLackedSubject: (clause: string) => boolean = () => false,
): string {
  // Odd parts are the marks between clauses.
  const parts = text.split(CLAUSE_BREAK);
  const terms = parts.map((p, i) => (i % 2 === 0 ? tokenize(p) : []));
  // A number ("20 min") says nothing of a clause's subject.
  const has = (ts: string[], test: (t: string) => boolean) => ts.some((t) => !/^\d+$/.test(t) && test(t));
  const carrying = terms.map((ts) => has(ts, carries));
  const first = carrying.indexOf(true);
  const last = carrying.lastIndexOf(true);
  const chat = terms.map(
    (ts, i) => ts.length > 0 && ((first >= 0 && (i < first || i > last)) || !has(ts, known)) && !namesLackedSubject(parts[i]),
  );
  // Rebuilt even when no clause is chat, so that an interjection is dropped ("lol <question>").
  if (!terms.some((ts, i) => ts.length > 0 && !chat[i])) return text;
  let out = '';
  for (let i = 0; i < parts.length; i += 2) {
    // An interjection that parts clauses is no part of the question ("lol").
    if (!chat[i]) out += parts[i] + (/\p{L}/u.test(parts[i + 1] ?? '') ? ' ' : (parts[i + 1] ?? ''));
  }
  return out
    .replace(/[^\S\n]{2,}/g, ' ')
    .replace(/^[\s,;:.!?)\]}\u2014\u2013-]+/, '')
    .replace(/[\s,;:([{\u2014\u2013-]+$/, '')
    .trim();
}
