/**
 * Prompt templates live in prompts/*.md and are rendered with @langchain/core prompt templates.
 * Sources are wrapped in <source> tags and any tag-like text inside them is neutralised, so a
 * document cannot close its own block and pose as instructions.
 */
import { namedAuthors } from './paper-facts.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatMessage } from './llm.js';
import type { Source } from './sources.js';

const here = dirname(fileURLToPath(import.meta.url));
// src/answer -> project root, and dist/src/answer -> project root.
const ROOT_CANDIDATES = [join(here, '..', '..'), join(here, '..', '..', '..')];

export type PromptName = 'answer' | 'summarize' | 'rewrite' | 'compare';

const cache = new Map<string, string>();
export function loadPromptFile(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    const root = ROOT_CANDIDATES.find((r) => {
      try {
        readFileSync(join(r, 'prompts', file));
        return true;
      } catch {
        return false;
      }
    });
    if (!root) throw new Error(`prompt template prompts/${file} not found`);
    text = readFileSync(join(root, 'prompts', file), 'utf8');
    cache.set(file, text);
  }
  return text;
}

// Chat-template control tokens of common model families: ChatML and friends (<|im_end|>, <|system|>,
// <|eot_id|>), DeepSeek's fullwidth form (<｜User｜>), Llama 2 ([INST], <<SYS>>), Gemma
// (<start_of_turn>), Mistral ([SYSTEM_PROMPT], [TOOL_CALLS]) and sentence markers (<s>, </s>).
// A server that tokenises prompt text may turn these into real turn boundaries.
const CHAT_TOKENS = new RegExp(
  [
    '<\\s*\\|[^|<>\\n]{1,40}\\|\\s*>',
    '<\\s*\\uFF5C[^\\uFF5C<>\\n]{1,40}\\uFF5C\\s*>',
    '\\[\\s*\\/?\\s*(?:INST|SYS|SYSTEM_PROMPT|TOOL_CALLS|AVAILABLE_TOOLS|TOOL_RESULTS)\\s*\\]',
    '<<\\s*\\/?\\s*SYS\\s*>>',
    '<\\s*\\/?\\s*(?:start_of_turn|end_of_turn|s|bos|eos|eot|endoftext)\\s*>',
  ].join('|'),
  'gi',
);

/**
 * Text from outside (documents, the question, earlier answers), made unable to pose as prompt
 * structure: no <source> tags and no chat-template tokens.
 */
export function neutralizePromptMarkup(text: string): string {
  return text.replace(/<\s*\/?\s*source[^>]*>/gi, '[tag removed]').replace(CHAT_TOKENS, '[token removed]');
}

/** Text from a document, made safe to place inside a <source> block. */
export function sanitizeSourceText(text: string): string {
  return neutralizePromptMarkup(text).replace(/[{}]/g, (c) => (c === '{' ? '(' : ')'));
}

export function formatSources(sources: Source[]): string {
  return sources
    .map((s) => {
      const meta = [`id="${s.marker}"`, `title="${sanitizeSourceText(s.paper.title).replace(/"/g, "'")}"`];
      if (s.paper.date) meta.push(`date="${s.paper.date}"`);
      if (s.paper.authors?.length) meta.push(`authors="${sanitizeSourceText(namedAuthors(s.paper.authors)).replace(/"/g, "'")}"`);
      return `<source ${meta.join(' ')}>\n${sanitizeSourceText(s.passages.join('\n…\n') || s.paper.abstract)}\n</source>`;
    })
    .join('\n\n');
}

/** Render a system+user template pair into chat messages. */
export async function renderPrompt(name: PromptName, vars: Record<string, string>): Promise<ChatMessage[]> {
  const { ChatPromptTemplate } = await import('@langchain/core/prompts');
  const template = ChatPromptTemplate.fromMessages([
    ['system', loadPromptFile(`${name}-system.md`)],
    ['human', loadPromptFile(`${name}-user.md`)],
  ]);
  // Values are substituted, never parsed as templates, so braces in user text are harmless;
  // they are still stripped from the template inputs that come from documents above.
  // `sources` is built by formatSources (its own <source> tags must stay); every other value is outside text.
  const safe = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, k === 'sources' ? v : neutralizePromptMarkup(v)]));
  const messages = await template.formatMessages(safe);
  return messages.map((m) => ({ role: m.type === 'system' ? 'system' : 'user', content: String(m.content) }));
}
