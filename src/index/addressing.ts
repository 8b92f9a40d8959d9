/**
 * The people a message greets and the writer's own name: "Hi Priya, Tomás —", "Farid here.", "Many thanks,\nHelen",
 * "— Raj", "thanks Ravi!". Such names address people; they are never what the question asks about, yet read as
 * part of it each was a name no paper uses ("the corpus never mentions Priya") and graded an answerable question
 * `low`. They are left out before anything else reads the question. Only a name in the shape of a greeting or a
 * sign-off goes: after a greeting word at the message's start and before a mark, on a line of its own after the
 * first, or after a closing word or a dash at a line's end. A greeting or closing with no name is left to the chat
 * frame (chat-frame.ts), as before.
 */

/**
 * A pattern of small letters made to match either case, letter by letter: the names after it are told by their
 * capital (the `i` flag would let "\p{Lu}" match any letter), and Node 20 has no inline `(?i:…)`.
 */
const anyCase = (source: string) => source.replace(/(?<!\\)[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

/** A greeting that may name whom it greets. */
const GREETING = anyCase(
  '(?:he+y+|hi+|hello+|hallo|hiya|heya|howdy|yo+|sup|oi|dear|greetings|hej|hola|ciao|salut|bonjour|' +
    String.raw`(?:good\s+)?(?:morning|afternoon|evening)|good\s+day|g['’]?day|gm)`,
);
/** Whom a greeting names that is no person ("hi all, hi Aditi"). */
const GROUP = anyCase("(?:all|everyone|everybody|folks|guys|team|people|y['’]?all|there|again|both)");
/** A title before a name: "Dear Dr. Okafor". */
const TITLE = anyCase(String.raw`(?:(?:dr|prof|mr|mrs|ms|mx|sir|madam)\.?\s+)`);
/**
 * A name as people write it: a capital and then small letters ("Priya", "O'Neill", "Jean-Luc", "McKenzie"), or an
 * initial ("J. Moreau"). A word in capitals ("SAM", "RLHF") or with digits ("GPT4") is no person's name here.
 */
const NAME = String.raw`(?:\p{Lu}\.\s*)?\p{Lu}\p{Ll}+(?:['’\-]?\p{Lu}?\p{Ll}+)*(?:['’]s)?`;
const PERSON = String.raw`${TITLE}?${NAME}(?:\s+${NAME})?`;
const NAMES = String.raw`${PERSON}(?:\s*(?:,|&|\+|\band\b)\s*${PERSON})*`;
/** What ends a greeting's names: a mark, a line break, an emoji or the end. */
const AFTER_NAMES = String.raw`(?:\s*[,!.:;\u2014\u2013-]+|\s*\n|\s*(?:\p{Extended_Pictographic}|\uFE0F|\u200D)+|\s*$)`;

/** "Hi Priya,", "hey Tomás and Ngozi —", "Dear Dr. Okafor,", "Morning Kenji!", after any greeting without a name. */
const SALUTATION = new RegExp(
  String.raw`^[\s,.!-]*(?:${GREETING}(?:\s+${GROUP})?${AFTER_NAMES}\s*)*${GREETING}\s+` +
    String.raw`(?:${GROUP}\s*(?:,|&|\band\b)\s*)?(?:${GREETING}\s+)?${NAMES}${AFTER_NAMES}\s*`,
  'u',
);
/** "Farid here.", "It's Leilani from the infra team,", "this is Ana from NLP:" at the start, once greetings are gone. */
const SELF_INTRODUCTION = new RegExp(
  String.raw`^(?:${anyCase(String.raw`(?:it['’]?s|this\s+is)`)}\s+${PERSON}` +
    String.raw`(?:\s+${anyCase('(?:from|with|on|in)')}\s+[^,.!?:\n]{1,40})?|${PERSON}\s+here)\s*[,.!:;\u2014\u2013-]+\s*`,
  'u',
);
/** A closing before the writer's name: "Thanks,", "Kind regards,", "cheers", "Sent from my phone,". */
const CLOSING = anyCase(
  String.raw`(?:(?:many\s+|big\s+)?thanks(?:\s+(?:so\s+much|again|a\s+lot|in\s+advance))?|thank\s+(?:you|u)(?:\s+so\s+much)?|` +
    String.raw`thx|ty|tysm|ta|cheers|best(?:\s+wishes)?|(?:kind|warm|best|many)\s+regards|regards|love|sincerely|` +
    String.raw`yours(?:\s+(?:truly|sincerely))?|all\s+the\s+best|talk\s+soon|take\s+care|sent\s+from\s+my\s+\w+)`,
);
/**
 * A sign-off that opens a line or follows a sentence's end: "{q} thanks Ravi!", "cheers, Dmitri", "— Rafael",
 * "x Hannah", "Thanks! /Björn". Not within a sentence: "what's the best Llama" keeps its name.
 */
const SIGN_OFF_AT_END = new RegExp(
  String.raw`(?:^|(?<=[.!?]\s*))\s*(?:${CLOSING}[,!.]*\s*(?:[\u2014\u2013/-]\s*)?|[\u2014\u2013~]+\s*|-{1,2}\s*|${anyCase('x{1,3}')}\s+|\/\s*)` +
    String.raw`${NAMES}\s*(?:\([^()\n?]{1,60}\))?[\s.!]*$`,
  'u',
);
/** A line that is only a name, perhaps with a role: "María", "Ana (PhD student, NLP group)". */
const NAME_LINE = new RegExp(String.raw`^\s*${NAMES}\s*(?:\([^()\n?]{1,60}\))?[\s.!]*$`, 'u');
/** A line that is only a closing: "Many thanks,", "Best,". */
const CLOSING_LINE = new RegExp(String.raw`^\s*${CLOSING}[\s,.!]*$`, 'u');

const MAX_GREETINGS = 4;
const hasWords = (line: string) => /[\p{L}\p{N}]/u.test(line);

/** The message without the names of the people it greets and of its writer; unchanged when it names none. */
export function withoutAddressing(text: string): string {
  let s = text;
  for (let i = 0; i < MAX_GREETINGS; i++) {
    const next = s.replace(SALUTATION, '').replace(SELF_INTRODUCTION, '');
    if (next === s) break;
    s = next;
  }
  const lines = s.split('\n');
  const withWords = lines.flatMap((l, i) => (hasWords(l) ? [i] : []));
  const dropped = new Set<number>();
  for (const [at, i] of withWords.entries()) {
    if (at === 0 || !NAME_LINE.test(lines[i])) continue;
    // A name alone on a line signs the message when it is the last line with words or follows a closing
    // ("Many thanks,\nHiroshi\nP.S. …"), which goes with it; a name under a colon or another name is listed
    // ("compare:\nMedusa\nEagle").
    const before = withWords[at - 1];
    if (NAME_LINE.test(lines[before]) || /:\s*$/.test(lines[before])) continue;
    const closing = CLOSING_LINE.test(lines[before]);
    if (closing) dropped.add(before);
    if (closing || at === withWords.length - 1) dropped.add(i);
  }
  const kept = lines.map((line, i) => (dropped.has(i) ? '' : line.replace(SIGN_OFF_AT_END, '')));
  const result = kept.join('\n').trim();
  // A message that was nothing but names is read as typed.
  return hasWords(result) ? result : text;
}
