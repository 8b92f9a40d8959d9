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
/** A link, bare or in angle brackets (which stop its preview), not the punctuation after it ("(see https://…)."). */
const LINK = /<?\bhttps?:\/\/[^\s>]*[^\s>).,;:!?'"\]]>?/g;
/**
 * A repository's, model's or dataset's page: its name is the work's ("github.com/pan-x-c/EE-LLM" names EE-LLM,
 * "huggingface.co/datasets/HuggingFaceFW/fineweb" FineWeb). Not a paper's page ("huggingface.co/papers/2402.00838").
 */
const REPOSITORY =
  /^<?https?:\/\/(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co(?:\/datasets|\/spaces)?)\/(?!papers\/)[\w.-]+\/([\w.-]+?)(?:\.git)?(?:[/?#][^\s>]*)?>?$/;

/** A link as retrieval reads it: a repository's name, or nothing (an address's words are no words of the question). */
const linkRead = (link: string) => ` ${REPOSITORY.exec(link)?.[1] ?? ''} `;
/**
 * An emoji typed by its name (":thinking:", or a custom emoji read so), with a letter in it: "12:30:45" is a time.
 * Read as a pictograph is (chat-frame.ts): it parts clauses.
 */
const SHORTCODE = /(?<![\p{L}\p{N}_:]):(?=[\w+-]*\p{L})[\w+-]{2,40}:(?![\p{L}\p{N}_:])/gu;

/** A fenced code block (an unclosed fence runs to the end, as Discord shows it). */
const FENCED = /```[\s\S]*?(?:```|$)/g;
/**
 * A line of code, not prose: an assignment (a value after "=": not "… = ?"), a brace, a semicolon ending it (not
 * "tl;dr"), a call ("trainer.fit(", "from_pretrained(", "f(x, y)", not "LLM(s)"), a "key: value" setting, an indented
 * line, a definition or import, a traceback's line. A line opening
 * "for …" or "if …" is as often a question ("for math LLMs, should worked solutions go…").
 */
const CODE_LINE = new RegExp(
  [
    String.raw`[\w\])]\s*=\s*[\w"'\[({.-]|[{}]|;\s*$`,
    String.raw`[\w\]]\.\w+\(|\b\w+_\w*\(|\w\((?:\)|[^)]*[=,])`,
    String.raw`^\s*[\w.-]+:\s*\S+\s*$`,
    String.raw`^\s{2,}\S`,
    String.raw`^\s*(?:def|class)\s+\w+\s*[(:]|^\s*(?:from\s+[\w.]+\s+)?import\s+[\w.]+\s*$`,
    String.raw`^Traceback\b|^\w*(?:Error|Exception):`,
  ].join('|'),
);

/** Fewest plain words, and their least share of a line's tokens, for a line to read as prose whatever marks it has. */
const PROSE_WORDS = 6;
const PROSE_SHARE = 0.75;

/**
 * A sentence, though it has a mark of code: an abstract's semicolons and "k = 5", a question's "length-100". Its
 * tokens are mostly plain words once their punctuation is trimmed; a traceback's "File "train.py", line 42, in
 * <module>" is not.
 */
function isProse(line: string): boolean {
  const tokens = line.split(/\s+/).filter(Boolean);
  const words = tokens.filter((t) => /^\p{L}+(?:[-'’]\p{L}+)*$/u.test(t.replace(/^[("'“‘[<]+|[)"'”’\]>,.;:!?]+$/gu, ''))).length;
  return words >= PROSE_WORDS && words >= PROSE_SHARE * tokens.length;
}

/**
 * Without a fenced block of code: a question about code ("is this warmup ok?", then a config or a traceback) asks in
 * the words around it, and the code's names ("AutoModelForCausalLM", "trainer") are no subject a paper would use. A
 * block of prose (an abstract pasted so) is read; so is the code of a message with no words outside it.
 */
function withoutCode(text: string): string {
  const out = text.replace(FENCED, (block) => {
    const lines = block
      .replace(/^```[^\n]*\n?|```$/g, '')
      .split('\n')
      .filter((l) => l.trim());
    return lines.filter((l) => CODE_LINE.test(l) && !isProse(l)).length * 2 >= lines.length ? '\n' : block;
  });
  return /[\p{L}\p{N}]/u.test(out) ? out : text;
}

/** An emoticon standing alone, read as the emoji it stands for: ":P" and "xD" are no letters of the question. */
const EMOTICON = /(?<!\S)(?:[:;][-']?[()DPpOo/\\|3\][]|[xX]D|<3|\^\^|:'\()(?!\S)/g;

/**
 * The message without Discord markup that is no part of what is asked: code blocks of code, markdown's marks, links'
 * addresses (but a repository's name), emoji names, and what `asReaderSees` leaves out. (The model reads the message
 * as the reader sees it, marks and links included.)
 */
export function withoutMarkup(text: string): string {
  // The search reads a query not cleaned as a question is (cleanQuestion): its mentions and emoji are read here too.
  return (
    withoutCode(asReaderSees(text))
      // A fence and the language it names ("```python") are no words of the question.
      .replace(/```[\w+-]*(?=\n)|```/g, ' ')
      .replace(MASKED_LINK, '$1')
      .replace(LINK, linkRead)
      .replace(SHORTCODE, ' - ')
      .replace(EMOTICON, ' - ')
      .replace(DOUBLE_MARKS, '')
      .replace(SINGLE_MARKS, ' ')
  );
}
