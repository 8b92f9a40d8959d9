/**
 * The people a message greets and the writer's own name: "Hi Priya, Tomás —", "Farid here.", "Many thanks,\nHelen",
 * "— Raj", "thanks Ravi!". Such names address people; they are never what the question asks about, yet read as
 * part of it each was a name no paper uses ("the corpus never mentions Priya") and graded an answerable question
 * `low`. They are left out before anything else reads the question. Only a name in the shape of a greeting or a
 * sign-off goes: after a greeting word at the message's start and before a mark, on a line of its own after the
 * first, or after a closing word or a dash that opens a line or follows a sentence's end. Greetings and closings in
 * other languages ("Cześć Katarzyna,", "Takk! Lars") are told by words no paper uses, and so are names that open a
 * message with no greeting ("Sanjay, Deepa —"). A greeting or closing with no name is left to the chat frame
 * (chat-frame.ts), as before.
 */
import { isEnglishWord } from './english-words.js';
import { tokenize } from './tokenize.js';

/**
 * A pattern of small letters made to match either case, letter by letter: the names after it are told by their
 * capital (the `i` flag would let "\p{Lu}" match any letter), and Node 20 has no inline `(?i:…)`.
 */
const anyCase = (source: string) => source.replace(/(?<!\\)[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

/** A greeting that may name whom it greets ("Happy Monday Olumide!" greets too). */
const GREETING = anyCase(
  '(?:he+y+|hi+|hello+|hallo|hiya|heya|howdy|yo+|sup|oi|dear|greetings|hej|hola|ciao|salut|bonjour|aloha|namaste|shalom|' +
    String.raw`sala+m|moi|servus|privet|jambo|kia\s+ora|` +
    String.raw`(?:good\s+)?(?:morning|afternoon|evening)|good\s+day|g['’]?day|gm|happy\s+\S+)`,
);
/** Whom a greeting names that is no person ("hi all, hi Aditi"). */
const GROUP = anyCase("(?:all|everyone|everybody|folks|guys|team|people|y['’]?all|there|again|both)");
/** A title before a name: "Dear Dr. Okafor". */
const TITLE = anyCase(String.raw`(?:(?:dr|prof|professor|mr|mrs|ms|mx|sir|madam)\.?\s+)`);
/**
 * A name as people write it: a capital and then small letters ("Priya", "O'Neill", "Jean-Luc", "McKenzie",
 * "Hiroshi-san"), or an initial ("J. Moreau"). A word in capitals ("SAM", "RLHF") or with digits ("GPT4") is no
 * person's name here. Each repeat opens with a mark or a capital, so a long word is read in linear time.
 */
const NAME = String.raw`(?:\p{Lu}\.\s*)?\p{Lu}\p{Ll}+(?:['’\-]\p{Lu}?\p{Ll}+|\p{Lu}\p{Ll}+)*(?:['’]s)?`;
const PERSON = String.raw`${TITLE}?${NAME}(?:\s+${NAME})?`;
const NAMES = String.raw`${PERSON}(?:\s*(?:,|&|\+|\band\b|\be\b|\by\b|\bund\b|\bet\b)\s*${PERSON})*`;
const EMOJI = String.raw`(?:\p{Extended_Pictographic}|\uFE0F|\u200D)+`;
/**
 * What ends a greeting's names: a mark, a line break, an emoji or the end. Spaces before it are spaces and tabs only,
 * so a run of line breaks is read one way, in linear time.
 */
const AFTER_NAMES = String.raw`[ \t]*(?:[,!.:;\u2014\u2013-]+|\n|${EMOJI}|$)`;
/** Greetings with no name before one that names: "Hello team, hi Aditi". */
const NAMELESS_GREETINGS = String.raw`^[\s,.!-]*(?:${GREETING}(?:\s+${GROUP})?${AFTER_NAMES}\s*)*`;

/** "Hi Priya,", "hey Tomás and Ngozi —", "Dear Dr. Okafor,", "Morning Kenji!", after any greeting without a name. */
const SALUTATION = new RegExp(
  String.raw`${NAMELESS_GREETINGS}${GREETING}\s+(?:${GROUP}\s*(?:,|&|\band\b)\s*)?(?:${GREETING}\s+)?${NAMES}${AFTER_NAMES}\s*`,
  'u',
);
/**
 * A greeting no paper's word spells, or none, then names and a mark: "Cześć Katarzyna,", "Assalamu alaikum Hamid,",
 * "Sanjay, Deepa —". The names are checked against the corpus (`strangers`), as is any such greeting.
 */
const NAMES_OPENING = new RegExp(
  String.raw`${NAMELESS_GREETINGS}((?:[\p{L}'’]+\s+){0,2}?)(${NAMES})(?:\s*[,!:;\u2014\u2013-]+|\s*\n|\s*${EMOJI})\s*`,
  'u',
);
/**
 * "Farid here.", "It's Leilani from the infra team,", "I'm Gulnara,", "My name is Zanele Mokoena and …" at the start,
 * once greetings are gone.
 */
const SELF_INTRODUCTION = new RegExp(
  String.raw`${NAMELESS_GREETINGS}(?:${anyCase(String.raw`(?:it['’]?s|this\s+is|i['’]?m|i\s+am|my\s+name\s+is)`)}\s+${PERSON}` +
    String.raw`(?:\s+${anyCase('(?:from|with|on|in)')}\s+[^,.!?:\n]{1,40})?|${PERSON}\s+here)` +
    String.raw`(?:\s*[,.!:;\u2014\u2013-]+|\s+${anyCase('and')}\b)\s*`,
  'u',
);
/** A closing before the writer's name: "Thanks,", "Kind regards,", "cheers", "Sent from my phone,". */
const CLOSING = anyCase(
  String.raw`(?:(?:with\s+)?(?:many\s+|big\s+)?thanks(?:\s+(?:so\s+much|again|a\s+lot|in\s+advance))?|` +
    String.raw`thank\s+(?:you|u)(?:\s+so\s+much)?|thx|ty|tysm|ta|cheers|best(?:\s+wishes)?|` +
    String.raw`(?:with\s+)?(?:kind|warm|warmest|best|many)\s+regards|regards|love|sincerely|warmly|respectfully|` +
    String.raw`yours(?:\s+(?:truly|sincerely))?|all\s+the\s+best|talk\s+soon|take\s+care|sent\s+from\s+my\s+\w+)`,
);
/**
 * Where a sign-off may start: a line's start, or after a sentence's end, a bracket or an emoji (looked behind by one
 * character only, so a long run of spaces costs linear time).
 */
const SIGN_OFF_START = String.raw`(?:^|(?<=[.!?)]|${EMOJI}))\s*`;
/** "{q} thanks Ravi!", "cheers, Dmitri", "— Rafael", "x Hannah", "Thanks! /Björn". Not within a sentence: "what's the best Llama". */
const SIGN_OFF_AT_END = new RegExp(
  String.raw`${SIGN_OFF_START}(?:${CLOSING}[,!.]*\s*(?:[\u2014\u2013/-]\s*)?|[\u2014\u2013~]+\s*|-{1,2}\s*|${anyCase('x{1,3}')}\s+|\/\s*)` +
    String.raw`${NAMES}\s*(?:\([^()\n?]{1,60}\))?[\s.!]*$`,
  'u',
);
/** A closing of words no paper uses before a name at the message's end: "Takk! Lars", "Grazie mille — Chiara". */
const FOREIGN_SIGN_OFF = new RegExp(
  String.raw`${SIGN_OFF_START}((?:[\p{L}'’]+\s+){0,2}[\p{L}'’]+)(?:\s*[,!.\u2014\u2013-]+|\s*${EMOJI})\s*(${NAMES})[\s.!]*$`,
  'u',
);
/** "thanks Ravi for the talk", "cheers Mo and Ife for the notes": the names thanked. */
const THANKED = new RegExp(String.raw`(${SIGN_OFF_START}${CLOSING})\s+${NAMES}(?=\s+${anyCase('for')}\b)`, 'gu');
/** A line that is only a name, perhaps with a role: "María", "Ana (PhD student, NLP group)". */
const NAME_LINE = new RegExp(String.raw`^\s*${NAMES}\s*(?:\([^()\n?]{1,60}\))?[\s.!]*$`, 'u');
/** A closing among other words: "Thanks bru,". */
const CLOSING_WORDS = new RegExp(String.raw`(?<![\p{L}'’])${CLOSING}(?![\p{L}'’])`, 'gu');
/** A line that is only a closing: "Many thanks,", "Best,". */
const CLOSING_LINE = new RegExp(String.raw`^\s*${CLOSING}[\s,.!]*$`, 'u');
/** One word of letters alone on a line: a name in lower case after a closing ("thanks,\nyemi"). */
const WORD_LINE = /^\s*[\p{L}'’-]+[\s.!]*$/u;
/** The lines of a signature under the name: a role, a group ("Research Assistant, Vision Lab"). */
const SIGNATURE_LINE_WORDS = 6;

/** A list item's mark at a line's start: "- ", "* ", "• ", "1. ", "2) ". */
const LIST_ITEM = /^\s*(?:[-*•]|\d{1,2}[.)])\s/;

const MAX_GREETINGS = 4;
const hasWords = (line: string) => /[\p{L}\p{N}]/u.test(line);

/**
 * The message without the names of the people it greets and of its writer; unchanged when it names none. `known`
 * tells a word the corpus uses: a greeting or closing read by that alone, and the names after it, must be no such word.
 */
export function withoutAddressing(text: string, known: (term: string) => boolean): string {
  // Words no paper uses, and no stop words ("what about Gaudi, …" asks about Gaudi; "Anyway," names no one).
  const stranger = (word: string) => {
    const terms = tokenize(word);
    return terms.length > 0 && !terms.some(known);
  };
  const strangers = (words: string) => words.split(/\s+/).every((w) => !w || stranger(w));
  const foreign = (words: string) => words.split(/\s+/).some((w) => w && !isEnglishWord(w.toLowerCase()));
  // A greeting or closing told only by the corpus has a word that is no English word ("Cześć", "Kia ora", "Takk");
  // with none, every name must be no English word ("Sanjay, Deepa —"; not "Potluck Friday,", "Wait,", "Morning!").
  const addresses = (opening: string, names: string) => {
    // Closing words are no word of a name: "Thanks bru, Lerato" closes with "bru".
    const greeting = opening.replace(CLOSING_WORDS, ' ');
    if (!strangers(`${greeting} ${names}`)) return false;
    if (greeting.trim()) return foreign(greeting);
    return names.split(/[\s,&+]+/).every((w) => !w || foreign(w) || /^(?:and|e|y|und|et)$/.test(w));
  };
  let s = text;
  for (let i = 0; i < MAX_GREETINGS; i++) {
    const next = s
      .replace(SALUTATION, '')
      .replace(SELF_INTRODUCTION, '')
      .replace(NAMES_OPENING, (whole, greeting: string, names: string) => (addresses(greeting, names) ? '' : whole));
    if (next === s) break;
    s = next;
  }
  s = s.replace(THANKED, '$1');
  const lines = s.split('\n');
  const withWords = lines.flatMap((l, i) => (hasWords(l) ? [i] : []));
  const dropped = new Set<number>();
  for (const [at, i] of withWords.entries()) {
    if (at === 0 || dropped.has(i)) continue;
    // A name alone on a line signs the message when it is the last line with words or follows a closing
    // ("Many thanks,\nHiroshi\nP.S. …"), which goes with it; a name under a colon or another name is listed
    // ("compare:\nMedusa\nEagle"). After a closing, a name may be in lower case ("thanks,\nyemi").
    const before = lines[withWords[at - 1]];
    const closing = CLOSING_LINE.test(before);
    const signs = NAME_LINE.test(lines[i]) || (closing && WORD_LINE.test(lines[i]) && strangers(lines[i]));
    if (!signs || NAME_LINE.test(before) || /:\s*$/.test(before)) continue;
    if (!closing && at < withWords.length - 1) continue;
    if (closing) dropped.add(withWords[at - 1]);
    dropped.add(i);
    // The signature's short lines under the name: "Research Assistant, Vision Lab".
    for (const j of withWords.slice(at + 1)) {
      if (lines[j].includes('?') || tokenize(lines[j], { keepStopwords: true }).length > SIGNATURE_LINE_WORDS) break;
      dropped.add(j);
    }
  }
  // A line under a colon, after or before a list item, is listed: "which decodes faster:\n- Medusa\n- Eagle".
  const listed = (at: number) => {
    const [before, after] = [lines[withWords[at - 1]] ?? '', lines[withWords[at + 1]] ?? ''];
    return /:\s*$/.test(before) || LIST_ITEM.test(before) || LIST_ITEM.test(after);
  };
  const kept = lines.map((line, i) => {
    if (dropped.has(i)) return '';
    const signed = line.replace(SIGN_OFF_AT_END, '');
    if (signed !== line) return signed.trim() === '' && listed(withWords.indexOf(i)) ? line : signed;
    const last = i === withWords.at(-1);
    return last ? line.replace(FOREIGN_SIGN_OFF, (whole, words: string, names: string) => (addresses(words, names) ? '' : whole)) : line;
  });
  const result = kept.join('\n').trim();
  // A message that was nothing but names is read as typed.
  return hasWords(result) ? result : text;
}
