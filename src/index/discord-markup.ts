/**
 * Discord's markup in a message, read twice: as a reader sees it (`asReaderSees`: what the model and retrieval both
 * get) and without what is no part of the question (`withoutMarkup`: what retrieval reads). Tokens from
 * discord.com/developers/docs/reference#message-formatting. Each was measured on the eval tuning halves' questions
 * with the token added (docs/answer-quality-rounds.md, twenty-third round): a custom emoji ("<:thonk:1069…>") was
 * searched as the word "thonk", a typed ":thinking:" found papers on reasoning, a link's "discord", "channels" and
 * "arxiv" were searched as the question's words, "cc <@…>" left "cc" (Common Crawl) behind, and a message in
 * italics opened with a mark the chat frame did not read.
 */

/** A user, role or channel mention, with a "cc", "ping" or "fyi" that only addresses it ("cc <@80351110224678912>"). */
const MENTION = /(?:(?<![\p{L}\p{N}])(?:cc|ping|fyi)[\s:,]*)?<(?:@[!&]?|#)\d+>/giu;
/** A custom emoji, still or animated: "<:mmLol:216154654256398347>", "<a:b1nzy:392938283556143104>". */
const CUSTOM_EMOJI = /<a?:(\w{2,32}):\d+>/g;

/** Discord's inline tokens as a reader sees them: a custom emoji as its name (":mmLol:"), mentions not at all. */
export function asReaderSees(text: string): string {
  return text
    .replace(CUSTOM_EMOJI, ' :$1: ')
    .replace(MENTION, ' ')
    .replace(/@(everyone|here)\b/g, ' ');
}

/** Bold, underline, strike-through and spoiler marks. */
const DOUBLE_MARKS = /\*\*|__|~~|\|\|/g;
/** Italics ("*…*", "_…_") and what is left of a mark: never a word's part to the tokenizer, but "_how do i…" opens with no frame word. */
const SINGLE_MARKS = /[*_]+/g;
/** A masked link, "[the paper](https://…)": its words are the writer's, its address is not. */
const MASKED_LINK = /\[([^\]\n]{1,200})\]\(<?https?:\/\/[^\s)>]+>?\)/g;
/** A link, bare or in angle brackets (which stop its preview). */
const LINK = /<?\bhttps?:\/\/[^\s>]+>?/g;
/**
 * An emoji typed by its name (":thinking:", or a custom emoji read so), with a letter in it: "12:30:45" is a time.
 * Read as a pictograph is (chat-frame.ts): it parts clauses.
 */
const SHORTCODE = /(?<![\p{L}\p{N}_:]):(?=[\w+-]*\p{L})[\w+-]{2,40}:(?![\p{L}\p{N}_:])/gu;

/**
 * The message without Discord markup that is no part of what is asked: markdown's marks, links' addresses, emoji
 * names, and what `asReaderSees` leaves out. (The model reads the message as the reader sees it, marks and links included.)
 */
export function withoutMarkup(text: string): string {
  // The search reads a query not cleaned as a question is (cleanQuestion): its mentions and emoji are read here too.
  return asReaderSees(text)
    .replace(MASKED_LINK, '$1')
    .replace(LINK, ' ')
    .replace(SHORTCODE, ' - ')
    .replace(DOUBLE_MARKS, '')
    .replace(SINGLE_MARKS, ' ');
}
