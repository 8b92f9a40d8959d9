/**
 * Prompt templates live in prompts/*.md and are rendered with @langchain/core prompt templates.
 * Sources are wrapped in <source> tags and any tag-like text inside them is neutralised, so a
 * document cannot close its own block and pose as instructions.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatMessage } from './llm.js';
import type { Source } from './sources.js';

const here = dirname(fileURLToPath(import.meta.url));
// src/answer -> project root, and dist/src/answer -> project root.
const ROOT_CANDIDATES = [join(here, '..', '..'), join(here, '..', '..', '..')];

export type PromptName = 'answer' | 'summarize' | 'rewrite';

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

/** Text from a document, made safe to place inside a <source> block. */
export function sanitizeSourceText(text: string): string {
  return text.replace(/<\s*\/?\s*source[^>]*>/gi, '[tag removed]').replace(/[{}]/g, (c) => (c === '{' ? '(' : ')'));
}

export function formatSources(sources: Source[]): string {
  return sources
    .map((s) => {
      const meta = [`id="${s.marker}"`, `title="${sanitizeSourceText(s.paper.title).replace(/"/g, "'")}"`];
      if (s.paper.date) meta.push(`date="${s.paper.date}"`);
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
  const messages = await template.formatMessages(vars);
  return messages.map((m) => ({ role: m.type === 'system' ? 'system' : 'user', content: String(m.content) }));
}
