/**
 * A question partly in another language than the papers' (English): "LoRA는 뭐야?", "什么是LoRA?",
 * "что такое LoRA?", "was ist der Unterschied zwischen LoRA und QLoRA?". Its words in that language
 * are the asker's, not subjects the corpus lacks: answerability counts neither them as missing nor
 * them in the coverage, and says which words it read.
 */
import { isOtherScript, tokenize } from './tokenize.js';

/**
 * Function words of the languages most often written in Latin letters by ML teams after English,
 * leaving out those English or its chat also writes ("no", "do", "per", "come", "im", "sus", "eu"),
 * except German "was", read only beside another: two of one language in a question, none of them a
 * corpus word and none capitalised inside a sentence, show that the question is in that language
 * ("de Vries", "et al." or "Des Moines" gives at most one).
 */
const FUNCTION_WORDS: Record<string, string> = {
  de: `was der das und ist nicht ein eine einen einem einer wie warum welche welcher welches für auf dem
    des sind gibt ich wir sie zu von bei oder aber auch noch kann können zwischen über nach wenn dass
    zum zur sich mir mich habe haben wird werden kannst bitte unterschied es viel wieviel`,
  fr: `le la les un une des du est et que qui quoi quel quelle quels quelles pour avec dans sur pas ce
    cette ces sont mes je tu vous nous il elle ils au aux pourquoi entre ou où qu peux merci différence ça combien`,
  es: `el la los las un una unos unas es qué que cuál cuáles cómo como por para con del pero entre sobre
    mis su puedes más muy se diferencia cuando dónde gracias y eso esto esta este cuánto cuánta`,
  pt: `os um uma é são que qual quais como por para da dos das na nos nas ou mas entre sobre você meu minha
    pode há mais muito diferença não obrigado isso isto quanto quanta`,
  it: `il gli una è sono che cosa cos quale quali perché della dei delle di da tra fra puoi più molto
    differenza grazie questo quanto quanta`,
};
const LANGUAGES = Object.values(FUNCTION_WORDS).map((words) => new Set(words.trim().split(/\s+/)));

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** Whether the word at `index` starts a sentence (only spaces since the text's start or a sentence mark). */
export function startsSentence(text: string, index: number): boolean {
  let i = index;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  return i === 0 || '.!?¿¡:'.includes(text[i - 1]);
}

/**
 * Which of the question's terms are in the asker's language rather than the papers': terms in
 * another script than Latin that no paper uses, and, when the question is in a language written in
 * Latin letters (by its function words), every term no paper uses.
 */
export function askersLanguage(question: string, known: (t: string) => boolean): (term: string) => boolean {
  const words = [...question.matchAll(WORD)]
    .filter((m) => !/^\p{Lu}/u.test(m[0]) || startsSentence(question, m.index))
    .map((m) => m[0].toLowerCase().split(/['’]/)[0]);
  const unknown = [...new Set(words.filter((w) => tokenize(w).every((t) => !known(t))))];
  const latinLanguage = LANGUAGES.some((list) => unknown.filter((w) => list.has(w)).length >= 2);
  return latinLanguage ? (t) => !known(t) : (t) => !known(t) && isOtherScript(t);
}

/** Whether any of the question's words is in the asker's language rather than the papers' (see askersLanguage). */
export function inAnotherLanguage(question: string, known: (t: string) => boolean): boolean {
  return tokenize(question).some(askersLanguage(question, known));
}
