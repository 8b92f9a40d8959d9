import { stemmer } from 'stemmer';
import { americanSpelling } from './british-spelling.js';

// Standard English function words plus the conversational filler people type into a research
// bot ("is there a paper that...", "I remember someone..."), which would otherwise match at random.
const STOPWORDS = new Set(
  `a about above after again against all also am an and any are aren as at be because been before being below
  between both but by can cannot could couldn did didn do does doesn doing don down during each either else
  ever every few for from further had hadn has hasn have haven having he her here hers herself him himself his
  how however i if in into is isn it its itself just let ll me might more most much must mustn my myself no nor
  not now of off on once only or other ought our ours ourselves out over own re s same shall shan she should
  shouldn so some such t than that the their theirs them themselves then there these they this those through
  thus to too under until up upon us ve very via was wasn we were weren what whats when where whether which while
  who whom whose why will with within without won would wouldn yet you your yours yourself yourselves
  anyone anybody someone somebody something anything thing things stuff kind sort really actually basically
  remember recall think thought believe guess wonder wondering know knew seen saw heard mention mentioned
  paper papers work works link links looking look find found tell say says said claim claims claimed
  please thanks thank hi hello hey ok okay like e g eg ie etc vs one ones`
    .split(/\s+/)
    .filter(Boolean),
);
// Negations typed without the apostrophe ("hadnt", "dont", "cant") are the same function words as "hadn't".
for (const w of 'aren couldn didn doesn don hadn hasn haven isn mustn shan shouldn wasn weren won wouldn can ain'.split(' '))
  STOPWORDS.add(`${w}t`);

/**
 * Which tokenizer built an index. Raised when tokenize() gives some text other terms than before, so
 * the next ingest rebuilds an index built with the old terms (it still loads and searches meanwhile).
 * 2: a run of an unspaced script is a word apart from the Latin letters next to it.
 * 3: negations typed without the apostrophe ("hadnt", "dont") are stop words, as "hadn't" was.
 * 4: British spellings are stemmed as American ones ("optimisation" as "optimization"; british-spelling.ts), and
 *    typeset hyphens join a word as "-" does (`plainHyphens`).
 */
export const TOKENIZER_VERSION = 4;

/** A word's term, not cached: for one-off strings (spelling variants) that would fill the cache below. */
export function stemOnce(word: string): string {
  return /^[a-z]+$/.test(word) && word.length > 3 ? stemmer(americanSpelling(word)) : word;
}

const stemCache = new Map<string, string>();
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stemOnce(word);
    if (stemCache.size < 200_000) stemCache.set(word, s);
  }
  return s;
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

/**
 * Scripts written without spaces between words (Chinese, Japanese, Thai), or with particles joined to
 * the word before (Korean): "什么是LoRA", "LoRA는", "LoRAとは" hold an ML term that is a word of its own.
 */
const UNSPACED_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]+/gu;

/** The text with each run of an unspaced script set apart by spaces ("什么是LoRA" -> " 什么是 LoRA"). */
export function spaceUnspacedScripts(text: string): string {
  return text.replace(UNSPACED_RUN, ' $& ');
}

/** A term in no Latin letter or digit ("什么是", "что"): in an English corpus, the asker's language rather than a subject. */
export function isOtherScript(term: string): boolean {
  return !/[\p{Script=Latin}\p{N}]/u.test(term);
}

/**
 * Hyphens as typeset or pasted from a PDF, inside a word, written as "-": the hyphen and non-breaking hyphen
 * ("pre‐training") and the en dash that joins a compound ("vision–language", "Kullback–Leibler"); a soft hyphen
 * ("pre\u00adtraining") is dropped. An em dash parts clauses and is left alone.
 */
export function plainHyphens(text: string): string {
  return text.replace(/\u00ad/g, '').replace(/(?<=[\p{L}\p{N}])[\u2010\u2011\u2013](?=[\p{L}\p{N}])/gu, '-');
}

/**
 * A word as the tokenizer sees it: letters and digits, hyphenated and slashed compounds and contractions kept
 * whole ("pre-training", "en/zh", "doesn't"). Global: read it with matchAll or String#match.
 */
export const WORD_RE = /[\p{L}\p{N}]+(?:[-'’/][\p{L}\p{N}]+)*/gu;

/**
 * Lowercased, stemmed terms. Hyphenated and slashed compounds also yield their joined form so
 * "pre-training" meets "pretraining" and "chain-of-thought" meets "chainofthought". A run of an
 * unspaced script is a word of its own, apart from the Latin letters or digits next to it.
 */
export function tokenize(text: string, opts: { keepStopwords?: boolean } = {}): string[] {
  const out: string[] = [];
  const lower = spaceUnspacedScripts(plainHyphens(text.normalize('NFKC')).toLowerCase());
  for (const m of lower.matchAll(WORD_RE)) {
    const raw = m[0].replace(/['’]s$/, '');
    // Contractions ("doesn't", "you're") are split but never joined into a new word.
    const parts = raw.split(/[-'’/]/).filter(Boolean);
    const joinable = !/['’]/.test(raw);
    for (const p of parts) {
      if (!opts.keepStopwords && STOPWORDS.has(p)) continue;
      if (p.length === 1 && !/\d/.test(p)) continue;
      out.push(stem(p));
    }
    if (parts.length > 1 && joinable) {
      const joined = parts.join('');
      if (joined.length <= 40) out.push(stem(joined));
    }
  }
  return out;
}
