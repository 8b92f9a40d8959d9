/**
 * Asking what to read on a topic: "moe reading list pls", "where do i start with llm evaluation?", "must-reads on
 * active learning?", "what should i read to get into continual pretraining?", "key refs on biomedical LMs". It asks
 * for several papers, as "which papers…" does, and its own words name no subject: searched, "reading" found "Well-Read
 * Students Learn Better" and "start" a paper on when to pre-train; graded, "list", "recs" and "reading" were subjects
 * no paper covers. The chat frame (chat-frame.ts) removes these phrases wherever they stand; asking for papers
 * (sources.ts `asksForList`) reads them.
 */

/** Who is to read: "what should i read", "where do we start". */
const READER = String.raw`(?:i|we|one|u|you|a\s+(?:newbie|beginner|newcomer))`;
/** How the papers asked for are described: "key papers", "good intro papers", "the go-to papers". */
const KIND =
  '(?:good|great|solid|key|main|core|essential|foundational|seminal|classic|canonical|important|best|top|' +
  'recommended|go-?to|must-?read|background|intro(?:ductory)?|starter|beginner(?:-friendly)?|accessible|landmark)';
/** "on X", "for X": where the request ends and the topic starts. */
const ON = String.raw`(?:\s+(?:on|for|about|re|regarding|around|in|to|into|covering))`;
/** A noun asking for reading ends the request ("key refs?", "reading list pls"): "some reading comprehension" asks no reading. */
const POLITE = '(?:pls|plz|please|thx|thanks|ty|tho|though|etc|too|then|now)';
const ENDS = String.raw`(?:${ON}|(?![\s-]+(?!${POLITE}(?![\p{L}\p{N}]))[\p{L}\p{N}]))`;
/** A way to say "what to read" that no paper's subject shares. */
const READING_NOUN =
  String.raw`(?:reading\s+(?:lists?|recs|recommendations|suggestions|material|materials|list\s+recs)|must-?reads?|` +
  String.raw`(?:essential|background|required|further|good|some|more|recommended)\s+reading|readings|reading\s+recs|` +
  String.raw`refs|recs|suggestions|pointers|primers?|starting\s+points?|write-?ups?)`;
/** A noun that is a request only when described as reading ("key papers", "intro papers", "classic work"). */
const DESCRIBED_NOUN = '(?:papers?|reads|work|stuff|literature|resources|material|references|refs|works)';

/** Asking for it: "can you recommend some good papers on X", "need refs for X" (chat-frame.ts reads them after these). */
const ASKING =
  String.raw`(?:(?:(?:can|could|would|will)\s+(?:you|u|someone|anyone|any1|y'?all)\s+)?(?:recommend|suggest)(?:\s+(?:me|us))?\s+|` +
  String.raw`(?:i\s+)?need\s+)?`;

const PHRASES = [
  // "reading list", "must-reads", "key refs", "any primers on", "good starting point for".
  String.raw`${ASKING}(?:(?:any|some|a\s+few|a|the|your|ur)\s+)?(?:${KIND}[\s-]+){0,2}${READING_NOUN}${ENDS}`,
  // "key papers on", "good intro papers for", "the go-to papers", "classic work on".
  String.raw`${ASKING}(?:(?:any|some|a\s+few|a|the|your|ur)\s+)?(?:${KIND}[\s-]+){1,2}${DESCRIBED_NOUN}${ENDS}`,
  // "looking for reading on X", "any reading?": "reading" asked for, not "reading comprehension".
  String.raw`(?:any|some|more|good|further)\s+reading(?=\s*[?!])|reading\s+(?:on|about|for|re)`,
  // "is there literature on that?", "what's the literature on X".
  String.raw`(?:(?:is\s+there|any)\s+(?:any\s+)?|what(?:'s|s|\s+is)\s+)?(?:the\s+)?literature\s+(?:on|about|for|re)`,
  // "a good intro to X", "an introduction to X".
  String.raw`(?:(?:a|an|any|good|quick|gentle)\s+){0,2}intro(?:duction)?s?\s+(?:to|on|for)`,
  // "what should i read (first) (to get into / catch up on)", "what to read", "anything i should read first".
  String.raw`(?:what|which|anything|something|stuff|papers?)\s+(?:(?:should|do|would|could|can|must|ought\s+to|need\s+to|to)\s+)?` +
    String.raw`(?:${READER}\s+)?(?:(?:should|must|need\s+to|ought\s+to)\s+)?(?:read|cover|know|look\s+at|start\s+with)` +
    String.raw`(?:\s+(?:first|next|up\s+on|on|about|for))?` +
    String.raw`(?:\s+(?:to|before)\s+(?:catch\s+up|get\s+(?:into|started|up\s+to\s+speed)|learn|understand|ramp\s+up|` +
    String.raw`(?:working|starting|diving)(?:\s+(?:on|into))?)(?:\s+(?:on|with|about))?)?`,
  String.raw`read\s+up\s+on`,
  // "where do i start with X", "a good place to begin", "how do we get started on X".
  String.raw`where\s+(?:do|should|can|could|would|to)\s+(?:${READER}\s+)?(?:start|begin)(?:\s+(?:with|on|for|reading|learning))?`,
  String.raw`(?:(?:a|the)\s+)?(?:good\s+|best\s+)?(?:place|point)\s+to\s+(?:start|begin)(?:\s+(?:with|on|for))?`,
  String.raw`(?:how|where)\s+(?:do|should|can)\s+${READER}\s+get\s+started(?:\s+(?:with|on))?`,
  // "get up to speed on X", "to catch up on X", "ramp up on X", "to get into X".
  String.raw`(?:get(?:ting)?|got|come|coming)\s+up\s+to\s+speed(?:\s+(?:on|with))?|catch(?:ing)?\s+up\s+on|ramp(?:ing)?\s+up\s+on`,
  String.raw`to\s+get\s+into`,
  // "our reading group next week is on X", "i'm giving a reading group talk on X".
  String.raw`(?:(?:our|the|a|my|team)\s+)?reading\s+group(?:\s+(?:talk|session|presentation))?` +
    String.raw`(?:\s+(?:next|this)\s+week|\s+tomorrow)?(?:\s+(?:is|will\s+be))?(?:\s+(?:on|about))?`,
  String.raw`(?:(?:i'?m|i\s+am|we'?re|we\s+are)\s+)?(?:giving|give|doing|prepping|preparing|presenting)\s+a\s+` +
    String.raw`(?:reading\s+group\s+)?(?:talk|presentation|session)\s+(?:on|about)`,
  // "what's been written on it", "what has been done on X".
  String.raw`what(?:'s|s|\s+has|\s+have)\s+been\s+(?:written|published|done)\s+(?:on|about)`,
];

/** The phrases, for the chat frame's "anywhere" list. */
export const READING_REQUEST = PHRASES.join('|');

const ASKS = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${READING_REQUEST})(?![\p{L}\p{N}])`, 'iu');

/** The message asks what to read: several papers, as a list. */
export function asksForReading(text: string): boolean {
  return ASKS.test(text);
}
