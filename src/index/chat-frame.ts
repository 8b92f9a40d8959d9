/**
 * The chat frame around a question: "tldr:", "can someone explain", "quick q:", "eli5", "thx".
 * It tells the writer how to answer, not what to look for. Searched as words, the frame matched at
 * random ("define perplexity" found "Learning to Define and Solve…"; "explain DPO" opened with
 * "These observations collectively explain…"), and words no paper uses ("eli5", "quick question")
 * graded answers low: on the tuning half, "{question} eli5" hedged all 184 answerable questions and
 * "tldr: {question}" 57 (12 unwrapped). Retrieval, answerability and the offline digest read the
 * question without it; a chat model still reads the whole message, style requests included.
 *
 * Only a frame's own words are removed: request verbs and "question" count as frame at the start
 * of a message, where "explain"/"question" are not the subject ("question answering…" keeps its
 * word), and chat abbreviations anywhere. A message that is nothing but frame is left as typed.
 */
import { collapseSpacesKeepingLines } from './chat-clauses.js';
import { READING_REQUEST } from './reading-request.js';
import { tokenize } from './tokenize.js';

/** Where a frame word ends: a space, punctuation or the end (not a hyphen: "well-calibrated" stays). */
const END = String.raw`(?=[\s,:;.!?)]|$)`;
/** A mark that closes a frame ("question:", "help!"); never a hyphen ("Q-learning"). */
const MARK = String.raw`\s*[:;,!]`;
const SEP = String.raw`[\s,:;.!?-]*`;
/**
 * Punctuation a message opens with, and the marks of a Discord heading ("# ", "-# "), quote ("> ") or list item
 * ("- ", "1. "): "1. MVPCorpus was built from how many datasets?" searched "1".
 */
const LEADING_MARKS = /^(?:[\s,:;.!?#>•-]|\(?\d{1,2}[.)](?=\s))+/;

/** How a question asks when a paper came out ("when was it first published"), shared with paper-facts.ts. */
export const CAME_OUT = String.raw`(?:first\s+)?(?:get\s+)?(?:published|released|posted|come\s+out|came\s+out|out)`;
/** Asking for opinions ("thoughts on X?", "…, any thoughts?"): no paper's subject ("thoughts" found CoT papers). */
const OPINION = String.raw`(?:any\s+)?(?:thoughts|opinions|takes?)`;

/** Emoji (with their joiners and variation selectors): no word, and they hide a closing "thanks". */
const PICTOGRAPHS = /(?:\p{Extended_Pictographic}|\u200D|\uFE0F)+/gu;

/**
 * A span of time counted back from now ("this week", "the past 30 days"): no words to search ("this week" found a
 * paper on "36 weeks" of age). Asked of papers ("papers from this week", "what came out last month"), it is a date
 * filter too (search-filter.ts `timeWindowAsked`).
 */
export const TIME_SPAN = String.raw`(?:this|past|last)\s+(?:week|month|year)|(?:past|last)\s+(\d{1,3})\s+days`;
const TIME_PHRASE = String.raw`(?:(?:from|in|during|over|within|of)\s+)?(?:the\s+)?(?:${TIME_SPAN})(?:'s)?`;

/** Chat abbreviations and style requests: never a research term, wherever they stand. */
const ANYWHERE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:` +
    [
      String.raw`eli5|tl;?dr|thx|tia|pls|plz|btw|fyi|iirc|afaik|tbh|imho|idk|asap`,
      String.raw`in\s+(?:simple|plain|layman'?s?|lay|non-?technical|everyday)\s+(?:terms|english|words)`,
      String.raw`in\s+a\s+nutshell|real\s+quick`,
      // When and how it is talked about: "what's everyone using … these days", "lately …", "is X overrated?"
      // ("anyone" and "someone" are stop words).
      String.raw`these\s+days|lately|overrated|everyone|everybody|latest|newest`,
      TIME_PHRASE,
      // Which side of it is asked about ("what are the downsides of model merging?", "any caveats with X?", "X
      // pitfalls?"): no paper's subject, and words papers do not use ("the corpus never mentions downsides").
      String.raw`(?:up|down)sides?|pitfalls?|caveats?|gotchas?|perks?`,
      // Messaging the bot directly: "ok to DM you", "in your DMs" ("DM" alone may be a diffusion model).
      String.raw`(?:dm|pm)(?:'?d|ed|ing)?\s+(?:you|u|ya|me|y'?all)|(?:in|into|via|over|on)\s+(?:the\s+|your\s+|ur\s+|my\s+)?(?:dms|pms)`,
      // Asking for a table: "if possible put the answer in a table" (not "data in a table").
      String.raw`(?:if\s+possible,?\s+)?(?:put|format|present|give|show)\s+(?:(?:the|your|it|this|that|me)\s+){0,2}` +
        String.raw`(?:answer\s+|response\s+)?(?:in|as)\s+a\s+table`,
      String.raw`like\s+i'?m\s+(?:five|5|a\s+(?:beginner|kid|child|newbie|noob))`,
      String.raw`for\s+a\s+(?:beginner|newbie|noob|non-?expert|layperson|layman)`,
      String.raw`in\s+(?:one|1|two|2|three|3|a\s+few|a|few)\s+(?:sentences?|paragraphs?)`,
      // Who does it, asked of the askers' peers ("how do people compress the KV cache?", "what do folks use for…",
      // "what benchmark do people use…", "do people still…"): no paper's subject, and "people" matched papers about people.
      String.raw`(?<=(?:^|\b(?:how|why|what|which|when|where)(?:\s+[\p{L}\p{N}'-]+){0,3}\s+)(?:do|did|would|should|can|could|are|r)\s+` +
        String.raw`(?:(?:usually|typically|normally|generally|still|even|actually|really|most|all|other)\s+)?)` +
        String.raw`(?:people|ppl|folks|others|practitioners|researchers|devs|engineers|teams|labs|companies|y'?all|you\s+guys|ml\s+people)` +
        // "what do people think of X" is an opinion asked (below); "do teams of agents…" names its subject.
        String.raw`(?!\s+(?:think|of)\b)`,
      // The asker's people ("speech folks here", "the 1.5-Pints folks", "just joined the eval team"): who asks or
      // did the work, no paper's subject. Not before "think": "what do folks think of X" is an opinion asked (below).
      // A team or lab only after "my", "our" or "the" ("teams of agents" asks).
      String.raw`(?:folks|guys|peeps|teammates|colleagues|co-?workers|labmates|interns?|newbies?|noobs?)(?!\s+think\b)`,
      // Who is asking: "new to the team", "i'm pretty new to RLHF" (the subject is what follows).
      String.raw`(?:(?:i'?m|i\s+am|we'?re|we\s+are)\s+)?(?:(?:pretty|fairly|very|totally|completely|super|kinda|quite)\s+)?new\s+to`,
      String.raw`(?:(?:my|our|your|ur)\s+|(?<=\b(?:my|our|your|ur)\s+[\p{L}\p{N}.-]+\s+))(?:teams?|lab)(?!\s+of\b)`,
      String.raw`(?:the\s+|(?<=\bthe\s+[\p{L}\p{N}.-]+\s+))(?:team|lab)(?!\s+of\b)`,
      // Asking what to read ("moe reading list pls", "where do i start with X", "key refs on X"): reading-request.ts.
      READING_REQUEST,
      // "…, and when was it published?" after a question about a paper: its record answers that (paper-facts.ts).
      String.raw`(?:and\s+)?when\s+(?:was|were|did)\s+(?:it|they|this|that|each)\s+${CAME_OUT}(?:\s+on\s+arxiv)?`,
    ].join('|') +
    String.raw`)(?![\p{L}\p{N}])`,
  'giu',
);

const WHO = String.raw`(?:you|u|ya|someone|somebody|anyone|anybody|any1|one\s+of\s+you|y'?all|the\s+bot)`;
const ASKER = String.raw`(?:a|one|another|my|a\s+(?:very|really|possibly|maybe|probably))`;
/** Kinds of question that only a chat message names ("quick question"). */
const CHAT_KIND = String.raw`(?:quick|quik|noob|dumb|stupid|silly|random|newbie|beginner|naive|obvious)`;
/** Kinds that also start research questions ("simple question answering"): frame only with a mark after. */
const PLAIN_KIND = String.raw`(?:basic|small|general|simple|short)`;
/** Kinds of answer asked for ("an overview of"); "summary" and "explanation" only after a request verb. */
const ANSWER_KIND = String.raw`(?:overview|rundown|run-down|recap|primer)`;
const ANSWER_KIND_ASKED = String.raw`(?:overview|rundown|run-down|recap|primer|summary|breakdown|explanation|intro|introduction|tl;?dr|eli5)`;
/** What a request is for when it names no subject: "help me with one doubt" ("doubt": a question, in Indian English). */
const ASKED_THING = String.raw`(?:(?:a|one|my|this|another|small|quick)\s+){0,2}(?:doubt|question|query|q)`;
const ANSWER_SHAPE = String.raw`(?:(?:a|an|the|some|quick|short|brief|high[- ]level|rough|simple|general)\s+){0,3}`;
const VERB =
  String.raw`(?:explain|describe|summari[sz]e|define|clarify|elaborate(?:\s+on)?|tell?\s+me(?:\s+about)?|give\s+me|show\s+me|` +
  String.raw`walk\s+me\s+through|break\s+down|help\s+me\s+(?:understand|out\s+with|with)|remind\s+me(?:\s+(?:of|about))?|point\s+me\s+to)`;

/** "sorry to ping again", "sorry if this was asked before". */
const SORRY_FOR =
  String.raw`\s+(?:to\s+(?:ping|bother|bug|spam|interrupt)(?:\s+(?:you|u|y'?all|everyone))?(?:\s+again)?|` +
  String.raw`if\s+(?:this|it)\s+(?:was|has\s+been|'?s\s+been)\s+asked\s+(?:before|already))`;
/** "this is the right channel", "that's even the right way to ask it". */
const RIGHT_PLACE =
  String.raw`(?:this\s+is|this'?s|it'?s|thats|that'?s)\s+(?:even\s+)?the\s+right\s+` +
  String.raw`(?:channel|place|thread|spot|server|room|way\s+to\s+(?:ask|phrase|put)(?:\s+(?:it|this))?)(?:\s+(?:to\s+ask|for\s+this))?`;

/** What a message calls itself: "quick q", "dumb qn", "unrelated question". */
export const QUESTION_NOUN = '(?:q|qn|question)';

/**
 * Leaving the thread's subject: "unrelated, but …", "different q: …", "totally separate thing: …", "switching
 * gears, …", "on a different note, …". A word alone needs a mark or "but" after it: "different tokenizers…" asks.
 */
const TOPIC_SWITCH =
  String.raw`(?:(?:(?:totally|completely|slightly|somewhat|kinda)\s+)?(?:unrelated|off[- ]topic)(?:\s+(?:${QUESTION_NOUN}|thing|topic|note))?` +
  String.raw`|(?:(?:totally|completely|slightly|somewhat)\s+)?(?:different|separate|side|new|other|diff|another)` +
  String.raw`\s+(?:${QUESTION_NOUN}|thing|topic|note|subject)` +
  String.raw`|switching\s+(?:gears|topics?|subjects?)|chang(?:e|ing)\s+(?:of\s+)?(?:the\s+)?(?:subject|topic)` +
  String.raw`|on\s+(?:a|an)\s+(?:different|unrelated|separate|other|side)\s+note)(?:\s*[:;,.!\u2014\u2013-]+(?:\s*but${END})?|\s+but${END})`;
const SWITCH_AT_START = new RegExp(`^${TOPIC_SWITCH}`, 'i');

/** What the talk about a subject is called ("what's the scoop on X", "the hot take on X"): no paper's subject. */
const TALK_NOUN = String.raw`consensus|hype|scoop|gist|thinking|lowdown|low-down|tea|buzz|take|scuttlebutt`;

/** Whom a message is addressed to ("dear all,", "team:"). */
const ADDRESSEE = "(?:guys|folks|everyone|team|bot|research[\\s-]?bot|y'?all|people|sir|ma'?am|madam|all)";

/** Frame at the start of a message, removed one piece at a time. */
const LEAD = new RegExp(
  String.raw`^(?:` +
    [
      // A name typed as text (Discord's own mentions are removed with the markup).
      String.raw`@[\w.-]+`,
      TOPIC_SWITCH,
      // Greetings as typed in a hurry: "heyy", "hii", "hye", "helo".
      String.raw`(?:he+y+|hi+|hello+|helo|hallo|hye|heya|hiya|yo+|ok|okay|so|also|oh|ah|um+|uh+|hm+|alright)` +
        String.raw`(?:\s+(?:${ADDRESSEE}|there))?${END}`,
      // "dear colleagues:" reaches here as "dear :", the asker's people read anywhere.
      String.raw`(?:dear(?:\s+${ADDRESSEE})?|${ADDRESSEE})${MARK}`,
      // "wait, …", "wait also …": not "wait times in LLM serving".
      String.raw`wait(?:${MARK}|(?=\s+(?:also|so|but|actually)\s))`,
      String.raw`sorry(?:\s+(?:if|for)\s+(?:this\s+is\s+|it'?s\s+)?(?:${ASKER}\s+)?(?:${CHAT_KIND}|${PLAIN_KIND})\s+(?:question|q)|` +
        String.raw`${SORRY_FOR})?(?:\s+but)?${END}`,
      String.raw`(?:(?:not\s+sure|idk|unsure)\s+)?if\s+${RIGHT_PLACE}(?:\s+but)?${END}`,
      String.raw`(?:gm|good\s+(?:morning|afternoon|evening)|new\s+here(?:\s+so)?|asking\s+for\s+a\s+friend)${END}`,
      String.raw`(?:one\s+more(?:\s+(?:thing|question|q))?|another\s+one|and\s+also|follow[- ]?up)${MARK}`,
      String.raw`(?:${ASKER}\s+)?${CHAT_KIND}\s+${QUESTION_NOUN}(?:\s+(?:here|but|for\s+${WHO}))?${END}`,
      String.raw`(?:${ASKER}\s+)?${PLAIN_KIND}\s+${QUESTION_NOUN}(?:\s+(?:here|for\s+${WHO}))?(?:${MARK}|\s+but${END})`,
      // Bare "question" only with a mark after it: "question answering" is a subject, "q, k, v" are not frame.
      String.raw`(?:question|qn)(?:\s+for\s+${WHO})?${MARK}|q\s*:`,
      String.raw`(?:(?:pls|plz|please)\s+)?help(?:\s+(?:me|pls|plz|please))?${MARK}`,
      String.raw`(?:just\s+|i'?m\s+|i\s+am\s+)?curious(?:\s+about)?${END}`,
      String.raw`in\s+short${MARK}`,
      String.raw`(?:does\s+|do\s+)?${WHO}\s+(?:know|have\s+(?:any\s+)?(?:idea|clue))(?:\s+(?:about|if|whether))?${END}`,
      // "anyone read the X paper?", "thoughts on X?": asking for opinions or experience names no subject ("thoughts" found CoT papers).
      String.raw`(?:has\s+|have\s+|did\s+)?${WHO}\s+(?:here\s+)?(?:(?:already|actually)\s+)?` +
        String.raw`(?:read|seen|see|saw|looked\s+(?:at|into)|come\s+across|tried|used|played\s+with)${END}`,
      String.raw`${OPINION}\s+(?:on|about)${END}`,
      String.raw`what\s+do\s+(?:you|u|people|ppl|folks|y'?all|we|others)\s+think\s+(?:of|about)${END}`,
      // "got any papers on X" ("got" is no paper's word), "pros and cons of X", "the main idea of X", "any follow-up work on X".
      String.raw`(?:(?:you|u|ya|y'?all)\s+)?got(?=\s+(?:any|some)\s)`,
      String.raw`(?:what\s+(?:are|r)\s+)?(?:the\s+)?pros\s+(?:and|&|n|\+)\s+cons\s+(?:of|for|to)${END}`,
      String.raw`(?:what(?:'s|\s+is|\s+are|\s+r)\s+)?(?:the\s+)?(?:main|key|core|big|central)\s+` +
        String.raw`(?:idea|point|takeaway|contribution|insight|message|finding)s?\s+(?:of|in|behind|from)${END}`,
      String.raw`(?:any\s+)?follow[- ]?ups?(?:\s+(?:work|papers?|research|studies))?\s+(?:on|to|for)${END}`,
      // Asking what the talk is: "what's the hype about X", "is there a consensus on whether…", "what's the current
      // thinking on X", "what are people saying about X", "what's trending in X", "what's the go-to method for X".
      String.raw`(?:is\s+there\s+(?:a|any)\s+|what(?:'s|s|\s+is)\s+(?:the\s+)?|give\s+me\s+the\s+)(?:current\s+|hot\s+)?` +
        String.raw`(?:${TALK_NOUN})\s+(?:on|about|around|of|in|behind)(?:\s+whether)?${END}`,
      // "bring me up to speed on X", "catch me up on X", "fill me in on X".
      String.raw`(?:(?:can|could)\s+(?:you|u)\s+)?(?:bring|get|catch|fill)\s+me\s+(?:up\s+to\s+speed|up|in)\s+(?:on|about|with)${END}`,
      String.raw`what(?:'s|\s+is|\s+are)\s+(?:(?:people|ppl|folks|everyone)\s+)?saying\s+(?:about|on)${END}`,
      String.raw`what(?:'s|\s+is|\s+are)\s+trending\s+(?:in|on)${END}`,
      String.raw`(?:what(?:'s|\s+is)\s+)?(?:the\s+|your\s+|a\s+)?go[- ]to${END}`,
      // Asking for a paper's record ("who wrote X?"): the record answers (paper-facts.ts); "wrote" is no paper's subject.
      String.raw`(?:who\s+(?:wrote|authored)|who\s+(?:are|were)\s+the\s+authors\s+(?:of|behind)|(?:the\s+)?authors?\s+(?:of|behind))${END}`,
      // Asking for reading: "recommend a paper on X" (found recommender systems), "where can i read about X", "need refs for X".
      String.raw`(?:(?:can|could|would)\s+${WHO}\s+)?recommend\s+(?:me\s+)?(?:(?:a|some|any)\s+)?(?:good\s+)?` +
        String.raw`(?:papers?|reading|reads|refs|references)\s+(?:on|about|for)${END}`,
      String.raw`where\s+(?:can|do|should|could)\s+(?:i|we|one)\s+(?:read|learn|find\s+out)(?:\s+more)?\s+(?:about|on)${END}`,
      String.raw`(?:i\s+)?need\s+(?:some\s+|a\s+few\s+|good\s+)?(?:refs|references|citations|papers|reading|pointers|sources)\s+(?:for|on|about)${END}`,
      String.raw`i(?:'d|\s+would)?\s+(?:want|need|like|wanna)\s+(?:to\s+)?(?:know|understand|learn|hear)(?:\s+(?:more\s+)?about)?${END}`,
      String.raw`i(?:'d|\s+would)?\s+(?:want|like|wanna)\s+(?:to\s+)?ask(?:\s+(?:that|about|whether|if))?${END}`,
      String.raw`(?:(?:can|could|would|will|cn)\s+${WHO}\s+)?(?:(?:please|pls|plz|kindly|quickly|briefly)\s+)?${VERB}` +
        String.raw`(?:\s+(?:to\s+me|for\s+me|briefly|quickly))?` +
        String.raw`(?:\s+${ANSWER_SHAPE}${ANSWER_KIND_ASKED}(?:\s+(?:of|on|about|for|re))?|\s+${ASKED_THING})?${END}`,
      String.raw`${ANSWER_SHAPE}${ANSWER_KIND}(?:\s+(?:of|on|about|re))?${END}`,
      String.raw`(?:what(?:'s|\s+is)\s+meant\s+by|what\s+do\s+(?:people|they|you|u|folks)\s+mean\s+by|(?:what(?:'s|\s+is)\s+)?the\s+meaning\s+of)${END}`,
    ].join('|') +
    String.raw`)${SEP}`,
  'i',
);

const SOON = String.raw`(?:asap|soon|quickly|at\s+(?:the\s+|your\s+)?earliest)`;

/** Frame at the end of a message (the stop words "thanks", "please", "anyone" need no removing), bracketed or not. */
const TAIL = new RegExp(
  String.raw`(?:^|[\s,;:.!?-])\(?\s*(?:` +
    [
      String.raw`ty|tysm|thank\s+u|lol|haha+|lmao|cheers|no\s+rush(?:\s+(?:tho|though))?|any\s+ideas?|asking\s+for\s+a\s+friend`,
      String.raw`if\s+(?:that|this)\s+makes\s+sense|(?:thanks\s+)?in\s+advance|(?:(?:idk|not\s+sure)\s+)?if\s+${RIGHT_PLACE}`,
      String.raw`(?:i\s+)?(?:would|'d)?\s*(?:really\s+)?appreciate\s+(?:a|any|some)\s+(?:(?:short|quick|brief)\s+)?(?:answer|reply|help|pointers)`,
      String.raw`keep\s+it\s+(?:brief|short)|(?:in\s+)?bullet\s+points|(?:a\s+)?short\s+answer(?:\s+is\s+fine)?`,
      String.raw`explained(?:\s+(?:simply|briefly|please|pls|plz))?`,
      // Asked for a reply, not about replies ("how fast do LLMs respond" keeps its word).
      String.raw`(?:please|pls|plz|kindly)\s+(?:reply|respond|revert)(?:\s+${SOON})?|(?:reply|respond|revert)\s+${SOON}`,
      String.raw`(?:or\s+)?am\s+i\s+overthinking(?:\s+(?:this|it))?`,
      String.raw`(?:is\s+it\s+)?worth\s+(?:reading|a\s+read|the\s+read|it|the\s+time)`,
      // "— is it a big deal?", "X is kind of a nothingburger, right?": how much it matters, asked.
      String.raw`(?:(?:is|it's|its)\s+(?:(?:it|this|that)\s+)?)?(?:(?:kind|sort)\s+of\s+)?(?:a\s+)?(?:big\s+deal|nothingburger)(?:,?\s*right)?`,
      // After a mark only: "chain of thoughts?" keeps its word.
      String.raw`(?<=[,;:.!?\u2014-]\s*)${OPINION}(?:\s+(?:on|about)\s+(?:this|it|that))?`,
      // A signature on the last line: "-- jonas (ml infra)", "— sam".
      String.raw`(?<=\n\s*)(?:--|\u2014|\u2013)\s*\p{L}[\p{L}'.]*(?:\s+\p{L}[\p{L}'.]*){0,3}(?:\s*\([^()\n?]{1,40}\))?`,
    ].join('|') +
    String.raw`)\s*\)?[\s?!.-]*$`,
  'iu',
);

/** "what does GQA stand for / mean": the subject is GQA ("mean" would search for averages). */
const WHAT_DOES = /^(what\s+(?:does|do)\s.+?)\s+(?:stands?\s+for|mean|means|refers?\s+to)[\s?!.]*$/i;
/** "when was X published": the subject is X ("published" would search for the word). */
const WHEN_OUT = new RegExp(String.raw`^when\s+(?:was|were|did|is)\s+(.+?)\s+${CAME_OUT}(?:\s+on\s+arxiv)?[\s?!.]*$`, 'i');
/** "what problem does X solve": the subject is X ("problem" and "solve" found an optimization-problem paper). */
const WHAT_PROBLEM =
  /^what\s+(?:problems?|issues?|gaps?|challenges?)\s+(?:does|do|did|is|are)\s+(.+?)\s+(?:solve|address|tackle|fix|(?:trying|try)\s+to\s+solve)[\s?!.]*$/i;

const SHORT_FORM = String.raw`["“']?([A-Za-z][A-Za-z0-9-]{1,9})["”']?`;
/** "what does MoE stand for?", "what's GQA short for", "full form of RLHF", "KD meaning?": the abbreviation asked about. */
const ASKS_EXPANSION = [
  new RegExp(String.raw`\bwhat(?:'s|\s+does|\s+do|\s+is)\s+${SHORT_FORM}\s+(?:stands?\s+for|short\s+for|mean|means)\b`, 'i'),
  new RegExp(String.raw`\b(?:full\s+form|expansion|long\s+form)\s+of\s+${SHORT_FORM}(?![\p{L}\p{N}])`, 'iu'),
  new RegExp(String.raw`^\s*${SHORT_FORM}\s+(?:stands\s+for|meaning|full\s+form)\s*\??\s*$`, 'i'),
];

export function expansionAsked(question: string): string | undefined {
  for (const re of ASKS_EXPANSION) {
    const short = re.exec(question)?.[1];
    if (short) return short;
  }
  return undefined;
}

/** The whole message asks only that ("what's GQA short for", "full form of KD?"; "what does X mean" is WHAT_DOES). */
const EXPANSION_ONLY = [
  new RegExp(String.raw`^what(?:'s|\s+is)\s+${SHORT_FORM}\s+(?:stands?\s+for|short\s+for)$`, 'i'),
  new RegExp(String.raw`^(?:what(?:'s|\s+is)\s+)?(?:the\s+)?(?:full\s+form|expansion|long\s+form)\s+of\s+${SHORT_FORM}$`, 'i'),
];
const BARE_EXPANSION = new RegExp(String.raw`^${SHORT_FORM}\s+(?:stands\s+for|meaning|full\s+form)$`, 'i');

/**
 * The abbreviation a message asks the long form of, when that is all it asks: its subject ("meaning" and "short"
 * are no paper's). A bare "X meaning?" only when X is written as an abbreviation (two capitals or a digit):
 * "word meaning?" asks about word meaning.
 */
function expansionOnly(text: string): string | undefined {
  const body = text.replace(/[\s?!.]+$/, '').trim();
  for (const re of EXPANSION_ONLY) {
    const short = re.exec(body)?.[1];
    if (short) return short;
  }
  const short = BARE_EXPANSION.exec(body)?.[1];
  return short && ((short.match(/[A-Z]/g)?.length ?? 0) >= 2 || /\d/.test(short)) ? short : undefined;
}

/** How many frame pieces one end may carry ("hey all, quick q, can someone explain …"). */
const MAX_PIECES = 6;

/** Readings of a message at most: each one may bare a frame the one before could not see. */
const MAX_READS = 3;

/**
 * A question relayed from someone else ("someone in #general asked \"…\" and nobody answered, can you take a shot?",
 * "my advisor wants to know: “…”", "our intern DM'd me this: `…`", "Question from a client meeting:" then a "> " line):
 * the quoted words are the question; who asked, where, and the request around them are frame. Read as words,
 * "asked" was a subject only other papers discuss, and the quote marks parted the message into questions of its own.
 * A quote counts as relayed after a verb of asking or passing on, after a colon whose sentence names a question or
 * its passing on, or standing on lines of its own (a "> " line: after such a colon, or when the message names its
 * passing on, as "{q}\n> users literally send 'hello?'" does not); only as the message's one quote of three words or
 * more (fewer is a name), not given as an example ("they ask stuff like '…'"), and only when it holds more of the
 * words the corpus knows than any sentence of the rest does. An unquoted question after "asked me:" is left to the
 * frame: a question may hold a colon of its own ("I want to ask that early-exit LLMs: how …").
 */
const QUOTE_SPAN = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}])(?:"([^"\n]+)"|\u201C([^\u201C\u201D\n]+)\u201D|\u2018([^\u2018\u2019\n]+)\u2019)`,
    String.raw`(?<![\p{L}\p{N}])'((?:[^'\n]|'(?=\p{L}))+)'(?![\p{L}\p{N}])|\x60([^\x60\n]+)\x60`,
    // Discord's quote lines.
    String.raw`(?<=^|\n)[ \t]*>[ \t]?([^\n]+(?:\n[ \t]*>[ \t]?[^\n]+)*)`,
  ].join('|'),
  'gu',
);
const RELAYING_VERB =
  String.raw`\b(?:ask(?:s|ed|ing)?|wants?\s+to\s+know|wanted\s+to\s+know|wonder(?:s|ed|ing)?|post(?:s|ed)|wr(?:ote|ites)|` +
  String.raw`brought\s+up|came\s+up|raised|ping(?:s|ed)|relay(?:s|ed|ing)|forward(?:s|ed|ing)|dm'?e?d|messaged|texted|emailed|` +
  'shared|sent|sa(?:ys|id)|threw|challenged|commented|replied|tagged|quizzed|grilled|' +
  String.raw`put\s+(?:this|it|that)\s+to\s+(?:me|us))\b`;
const RELAYING = new RegExp(String.raw`${RELAYING_VERB}[^"'\x60\u201C\u2018\n]{0,40}$`, 'i');
const RELAYING_ANYWHERE = new RegExp(RELAYING_VERB, 'i');
/** What a relayed question comes in: "a question from my manager:", "dm from a student", "q:". */
const RELAY_NOUN = String.raw`(?:questions?|q|dms?|messages?|comments?)`;
const RELAY_CUE = new RegExp(String.raw`${RELAYING_VERB}|\b${RELAY_NOUN}\b`, 'i');
const RELAYED_WORDS = 3;
/** Runs of letters and digits: "early-exit" is two, as the three-word floor counts them. */
const wordsIn = (s: string) => s.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
/** A quote given as an example of what people type ("customers ask stuff like 'are you open on sunday?'"). */
const EXAMPLE_BEFORE_QUOTE = /\b(?:like|such\s+as|e\.g\.|for\s+(?:example|instance))[\s,:]*$/i;

export function relayedQuestion(text: string, known: (term: string) => boolean): string | undefined {
  const found = relayedSpan(text) ?? relayedAfterLine(text);
  if (!found) return undefined;
  // The question is where the corpus's words are: "someone posted 'good morning everyone' and nobody replied. anyway,
  // {q}" quotes chat and asks outside the quote, in a sentence holding more of them than the quote does.
  const count = (s: string) => new Set(tokenize(s).filter(known)).size;
  const outside = `${text.slice(0, found.at)}\n${text.slice(found.end)}`;
  const most = Math.max(0, ...outside.split(CLAUSE_END).map(count));
  return count(found.quoted) > most ? found.quoted : undefined;
}

/**
 * Where a sentence of the words around a quote ends: a question the asker adds is one of them, whole. Coarser than
 * question-parts.ts's SENTENCE_BREAK, which parts questions (at "also", at a comma before a question word); this one
 * only needs the marks, and also ends at a dash.
 */
const CLAUSE_END = /[.!?]+(?=\s|$)|[;\n]|\s[\u2013\u2014]\s/;

/**
 * "my boss is asking\n{q}\npls help", "Passing along a question from my manager:\n{q}": unquoted, a question on the
 * lines after one that ends by relaying it. Only that line goes: the lines after it are the question and its chat,
 * as the frame reads them. (Within a line, an unquoted relay is left to the frame: "I want to ask that early-exit
 * LLMs: how …" holds the question's own colon.)
 */
const RELAY_LINE_END = new RegExp(
  String.raw`(?:${RELAYING_VERB}|\b${RELAY_NOUN}\s+(?:from|by|of)\s+[^\n:?]{1,40}?)` +
    String.raw`(?:\s+(?:me|us|you|this|it|that|the\s+following(?:\s+question)?|(?:from|by|in|on|at|after|during|over|via)\s+[^\n:?]{1,40}?))?` +
    String.raw`(?:\s+(?:today|yesterday|earlier|again|too))?\s*[:.,!\u2026-]*\s*$`,
  'i',
);

/** How many of a message's first lines may relay the question. */
const RELAY_LINES = 3;

function relayedAfterLine(text: string): { quoted: string; at: number; end: number } | undefined {
  let at = 0;
  // The relaying line is the message's first line with words, or one of its first few.
  for (let i = 0; i < RELAY_LINES && at < text.length; i++) {
    const end = text.indexOf('\n', at);
    if (end < 0) return undefined;
    const relaying = text.slice(at, end);
    at = end + 1;
    if (!RELAY_LINE_END.test(relaying) || relaying.includes('?')) continue;
    const quoted = text.slice(at).trim();
    const start = at + (text.slice(at).length - text.slice(at).trimStart().length);
    return wordsIn(quoted) >= RELAYED_WORDS ? { quoted, at: start, end: text.length } : undefined;
  }
  return undefined;
}

function relayedSpan(text: string): { quoted: string; at: number; end: number } | undefined {
  const spans = [...text.matchAll(QUOTE_SPAN)]
    .map((m) => ({
      m,
      line: m[6] !== undefined,
      quoted: (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6].replace(/\n[ \t]*>[ \t]?/g, ' ')).trim(),
    }))
    .filter(({ quoted }) => wordsIn(quoted) >= RELAYED_WORDS);
  // Two quotes are examples set side by side ("asking 'how did people make X' instead of 'how do i make X'").
  if (spans.length !== 1) return undefined;
  const [{ m, line, quoted }] = spans;
  const at = m.index;
  const end = at + m[0].length;
  const before = text.slice(0, at);
  const after = text.slice(end);
  if (EXAMPLE_BEFORE_QUOTE.test(before)) return undefined;
  // A quote line is relayed after a colon, or when the message says so on either side ("pinged me with this", "^ this
  // came up").
  const ownLines = /(?:^|\n)\s*$/.test(before) && /^\s*(?:\n|$)/.test(after);
  // A colon introduces a relayed question when its sentence says so ("Question from a client meeting today:"); else
  // it introduces anything ("headline I saw this morning: '…'").
  const afterColon = /:\s*$/.test(before) && RELAY_CUE.test(before.trimEnd().split(CLAUSE_END).at(-1) ?? '');
  const relayed = line ? afterColon || RELAYING_ANYWHERE.test(`${before}\n${after}`) : ownLines || afterColon || RELAYING.test(before);
  return relayed ? { quoted, at, end } : undefined;
}

/**
 * The question without its chat frame. A message left with no search term once the frame is gone
 * ("explain", "tell me about yourself", a paper's title) is returned as typed. Read again until
 * nothing changes: "hey bot, do people still distill…" starts with "do" only once the greeting is
 * gone, and a second reading (the search's) must find nothing more to leave out.
 */
export function questionCore(text: string): string {
  let s = text;
  for (let i = 0; i < MAX_READS; i++) {
    const next = coreOnce(s);
    if (next === s) break;
    s = next;
  }
  return s;
}

function coreOnce(text: string): string {
  let s = text
    // An emoji parts clauses ("sorry to bother again 😅 i promise …"), as a dash does.
    .replace(PICTOGRAPHS, ' - ')
    .replace(ANYWHERE, ' ');
  s = collapseSpacesKeepingLines(s).trim();
  for (let i = 0; i < MAX_PIECES; i++) {
    const next = s.replace(LEADING_MARKS, '').replace(LEAD, '');
    if (next === s) break;
    s = next;
  }
  for (let i = 0; i < MAX_PIECES; i++) {
    const next = s.replace(TAIL, '').trimEnd();
    if (next === s) break;
    s = next;
  }
  // The dash an emoji left at either end parts nothing, nor one a removed tail leaves ("X — is it a big deal?").
  // (A run of spaces and dashes is tried from its start only: linear however long.)
  s = s.replace(/^[\s-]+/, '').replace(/(?<![\s\u2013\u2014-])\s+[\u2013\u2014-][\s\u2013\u2014-]*$/, '');
  s = expansionOnly(s) ?? s.replace(WHAT_DOES, '$1').replace(WHAT_PROBLEM, '$1').replace(WHEN_OUT, '$1');
  return tokenize(s).length > 0 ? s : text;
}

/**
 * The message leaves the thread's subject ("unrelated, but did anyone pretrain a BERT on stackoverflow?"), at its
 * start or after a greeting: a follow-up's earlier words would only pull the search back to the old subject.
 */
export function switchesTopic(text: string): boolean {
  let s = text.trim();
  for (let i = 0; i < MAX_PIECES; i++) {
    if (SWITCH_AT_START.test(s)) return true;
    const next = s.replace(LEADING_MARKS, '').replace(LEAD, '');
    if (next === s) break;
    s = next;
  }
  return false;
}

/** Words that only thank or acknowledge ("thx!", "ok cool", "makes sense, thanks a lot 👍"). */
const ACK_WORDS = new Set(
  (
    'thanks thank thx ty tysm tyvm cheers appreciate appreciated you u ya so very much a lot lots ' +
    'ok okay k kk cool great nice awesome perfect neat super amazing excellent brilliant good ' +
    'got it gotcha makes sense clear understood noted will do lol haha hahaha lmao np no problem ' +
    'sure yep yeah yes yup wow interesting helpful useful that this was is really all again man dude bot'
  ).split(' '),
);
/** Longest acknowledgement read as one ("thank you so much, that was really helpful" is nine words). */
const MAX_ACK_WORDS = 10;

/**
 * A message that only thanks or acknowledges, asking nothing: no question mark, and every word
 * one of ACK_WORDS ("thx!", "ok cool", "great, thanks a lot 👍"). In a thread it is said to the
 * people there, or as a goodbye; "why?", "more?" and "and the second one" still ask.
 */
export function isAcknowledgement(text: string): boolean {
  if (text.includes('?')) return false;
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  return words.length <= MAX_ACK_WORDS && words.every((w) => ACK_WORDS.has(w.replace(/'/g, '')));
}

// Compiled when the module loads (V8 compiles a pattern on its first runs): the first question's
// questionCore took 22 ms without this, 1.1 ms with it.
for (const warm of ['hey all, quick q: can someone explain x? thx', 'what does x stand for']) questionCore(warm);
