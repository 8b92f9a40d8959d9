/**
 * Holidays and occasions named in several words: "happy Lunar New Year 🧧", "back from Golden Week", "asking now since
 * Monday is Memorial Day". They say when, as a day or a month does, and are never what a question asks about; read as
 * words, each was a name no paper uses ("the corpus never mentions Lunar", "no paper found names Black Friday"). They
 * are left out of what is searched and graded. A holiday of one word ("Diwali") is a calendar word instead
 * (answer/word-class.ts): alone, a word such as "lunar" or "boxing" may be a subject. Listed from general knowledge,
 * not from any question set.
 */
const OCCASIONS = [
  String.raw`(?:lunar|chinese|jewish|islamic|persian|orthodox)\s+new\s+year(?:['’]?s)?(?:\s+(?:eve|day))?`,
  String.raw`new\s+year['’]?s?\s+(?:eve|day)`,
  String.raw`(?:golden|silver)\s+week`,
  String.raw`(?:boxing|labou?r|may|memorial|independence|canada|australia|anzac|victoria|republic|national|unity|remembrance)\s+day`,
  String.raw`(?:presidents|veterans)['’]?\s+day`,
  String.raw`(?:martin\s+luther\s+king(?:\s+jr\.?)?|mlk)\s+day`,
  String.raw`(?:king|queen)['’]?s\s+(?:day|birthday)`,
  String.raw`(?:st\.?|saint)\s+(?:patrick|andrew|david|george|stephen)['’]?s\s+day`,
  String.raw`(?:valentine|mother|father|new\s+year)['’]?s\s+day`,
  String.raw`(?:good|black)\s+friday|cyber\s+monday|(?:easter|whit)\s+(?:monday|sunday)`,
  String.raw`mid[-\s]autumn(?:\s+festival)?|dragon\s+boat(?:\s+festival)?|lantern\s+festival`,
  String.raw`day\s+of\s+the\s+dead|d[ií]a\s+de\s+(?:los\s+)?muertos|guy\s+fawkes(?:\s+night)?|bonfire\s+night`,
  String.raw`yom\s+kippur|rosh\s+hashana?h`,
  String.raw`spring\s+break|half[-\s]term|reading\s+week|bank\s+holiday(?:\s+(?:weekend|monday))?`,
];
const OCCASION = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${OCCASIONS.join('|')})(?![\p{L}\p{N}])`, 'giu');

/** The message without the holidays and occasions it names in several words; unchanged when it names none. */
export function withoutOccasions(text: string): string {
  const out = text.replace(OCCASION, ' ');
  // A message that was only an occasion is read as typed.
  return /[\p{L}\p{N}]/u.test(out) ? out : text;
}
