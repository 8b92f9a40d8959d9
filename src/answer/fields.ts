/**
 * The fields and modalities ML work is taken to: vision, speech, video, code, math, biology, medicine, robotics,
 * finance, music, graphs, multimodal models. A question joining a method with a field ("expert pruning but for vision
 * MoE models", "knowledge distillation for ASR pretraining") asks for a paper doing both; a corpus that has the method
 * for language models and, apart, papers on the field has no such paper, however much of the question each covers.
 * Each field is named in a question by a few words whose sense there is not in doubt ("code" alone is also what a paper
 * releases, so only "code generation", "code LLMs", "for code" name the field), and said by a paper in any of its words.
 * Languages are read as fields too ("japanese ASR", "german radiology reports"): work is taken to a language as it is
 * to a modality.
 */
import { tokenize } from '../index/tokenize.js';

interface Field {
  /** How a question names the field. */
  named: RegExp;
  /** Words a paper says the field in, stemmed as the index stems them (so "images" is "image": each stem written once). */
  said: readonly string[];
}

const word = (alternatives: string, flags = 'iu') => new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${alternatives})(?![\p{L}\p{N}])`, flags);

const FIELDS: Record<string, { named: string; said: string }> = {
  vision: {
    named: 'vision|visual|images?|vits?|pixels?|imagenet|photos?',
    said: 'vision visual image vit pixel imagenet photo',
  },
  video: { named: 'videos?', said: 'video' },
  speech: {
    named: 'speech|audio|asr|spoken|acoustic|voice|wav2vec2?|whisper|tts',
    said: 'speech audio asr spoken acoustic voice wav2vec whisper tts',
  },
  code: {
    named:
      String.raw`coding|programming|software\s+engineering|(?:for|on|to)\s+code|` +
      String.raw`code\s+(?:generation|llms?|models?|completion|pretraining|data|corpora|repositories|tasks?|benchmarks?)`,
    said: 'code programming software',
  },
  math: { named: 'maths?|mathematical|mathematics|theorems?', said: 'math mathematics theorem' },
  biology: {
    named: 'proteins?|molecules?|molecular|dna|rna|genomics?|biology|biological|chemistry|chemical',
    said: 'protein molecule molecular dna rna genomics biology biological chemistry chemical',
  },
  medicine: {
    named: 'medical|clinical|biomedical|health|healthcare|radiology|patients?|medicine',
    said: 'medical clinical biomedical health healthcare radiology patient medicine',
  },
  robotics: { named: 'robots?|robotic|robotics|embodied', said: 'robot embodied' },
  finance: { named: 'finance|financial', said: 'finance financial' },
  music: { named: 'music|musical|songs?', said: 'music song' },
  graphs: { named: String.raw`gnns?|graph\s+neural`, said: 'gnn graph' },
  multimodal: {
    named: 'multimodal|multi-modal|vlms?|mllms?|lmms?|vision-language',
    said: 'multimodal vlm mllm lmm visionlanguage',
  },
};

/** Languages a question takes work to, each named and said by its English name. */
const LANGUAGES =
  'japanese chinese korean german french spanish arabic hindi vietnamese russian portuguese italian turkish indonesian ' +
  'thai swahili dutch polish catalan greek hebrew persian bengali urdu tamil ukrainian czech swedish finnish hungarian ' +
  'romanian malay tagalog';
const LANGUAGE_FIELDS = Object.fromEntries(LANGUAGES.split(' ').map((l) => [l, { named: l, said: l }]));

const READ: ReadonlyArray<{ name: string; anywhere: RegExp } & Field> = Object.entries({ ...FIELDS, ...LANGUAGE_FIELDS }).map(
  ([name, f]) => ({
    name,
    named: word(f.named, 'giu'),
    anywhere: word(f.named),
    said: [...new Set(f.said.split(' ').flatMap((w) => tokenize(w)))],
  }),
);

/** A field a question names: its name, the words as typed, and the terms a paper says it in. */
export interface FieldNamed {
  name: string;
  typed: string;
  /** Where in the text it is named. */
  at: number;
  said: readonly string[];
}

/** The fields `text` names, in the order of FIELDS. */
export function fieldsNamed(text: string): FieldNamed[] {
  return READ.flatMap((f) => {
    for (const m of text.matchAll(f.named)) {
      // "for code": the field is "code".
      const typed = m[0].replace(/^(?:for|on|to)\s+/i, '');
      if (!amongOthers(text, m.index, m[0].length, f.anywhere)) return [{ name: f.name, typed, at: m.index, said: f.said }];
    }
    return [];
  });
}

/** A bullet or numbered line of a list. */
const BULLET = /^\s*(?:[-*•]|\d+[.)])\s+/;

/**
 * Whether a field's word is one item of a list another item of which is no word of that field: alternatives parted by
 * "/" ("molecule/social networks", "images/audio"), a list in parentheses ("domain LLMs (finance, business)"), bullet
 * lines. Those are examples of the thing asked about (networks, outputs, domain LLMs), not a field a method is taken to.
 */
function amongOthers(text: string, at: number, length: number, field: RegExp): boolean {
  const other = (item: string) => /[\p{L}\p{N}]/u.test(item) && !field.test(item);
  const before = /([\p{L}\p{N}-]+)\s*\/\s*$/u.exec(text.slice(0, at))?.[1];
  const after = /^\s*\/\s*([\p{L}\p{N}-]+)/u.exec(text.slice(at + length))?.[1];
  if ([before, after].some((w) => w !== undefined && other(w))) return true;
  const open = text.lastIndexOf('(', at);
  const close = text.indexOf(')', at + length);
  if (open >= 0 && close >= 0 && !text.slice(open, at).includes(')')) {
    const items = text.slice(open + 1, close).split(/\s*[,/;]\s*/);
    if (items.length > 1 && items.some(other)) return true;
  }
  const line = text.slice(text.lastIndexOf('\n', at) + 1).split('\n')[0];
  if (!BULLET.test(line)) return false;
  return text.split('\n').some((l) => l !== line && BULLET.test(l) && other(l.replace(BULLET, '')));
}
