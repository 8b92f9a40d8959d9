/** Shared fixtures for the answer tests: a lexical-only index of a corpus in a temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { openRetriever, runIngest } from '../../src/context.js';
import type { Retriever } from '../../src/index/search.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SHIPPED_CORPUS = join(ROOT, 'data', 'corpus');

export interface BuiltIndex {
  config: Config;
  retriever: Retriever;
  indexDir: string;
  cleanup(): Promise<void>;
}

/** Build a lexical index (no embeddings) of `corpusDir` into a fresh temp dir and open it. */
export async function buildIndex(corpusDir = SHIPPED_CORPUS): Promise<BuiltIndex> {
  const indexDir = await mkdtemp(join(tmpdir(), 'rb-answer-index-'));
  const config = loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }, { cwd: ROOT });
  const summary = await runIngest(config, { embedder: null });
  if (summary.papers === 0) throw new Error(`no papers indexed from ${corpusDir}`);
  const retriever = await openRetriever(config, { embedder: null });
  return { config, retriever, indexDir, cleanup: () => rm(indexDir, { recursive: true, force: true }) };
}

/** Citation markers [n] in text, in order of appearance. */
export function markersIn(text: string): number[] {
  return [...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
}

const CLI_ENV_KEYS = [
  'CORPUS_DIR',
  'INDEX_DIR',
  'FEEDBACK_DIR',
  'CHAT_MODEL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'EMBEDDING_MODEL',
  'LLM_TIMEOUT_MS',
  'LLM_MAX_RETRIES',
  'LLM_TOTAL_BUDGET_MS',
  'ABSTAIN_THRESHOLD',
  'LOG_LEVEL',
];

/** Point the CLI (which reads process.env) at an index; returns a function restoring the env. */
export function setCliEnv(vars: Record<string, string | undefined>): () => void {
  const saved = new Map(CLI_ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of CLI_ENV_KEYS) delete process.env[k];
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) process.env[k] = v;
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Captures what a CLI command writes. */
export function captureIO(): { io: { out: (t: string) => void; err: (t: string) => void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t) }, out: () => out, err: () => err };
}

/**
 * Papers on unrelated subjects to add to a fixture corpus, so that a word in one or two of its
 * papers is as rare as a subject is in a real corpus (idf above answerability's `subjectIdf` and
 * the themes' `minIdf`: in at most ~3% of the papers).
 */
const FILLER_SUBJECTS = [
  'glacier melt',
  'coral bleaching',
  'volcanic ash',
  'tidal energy',
  'bird migration',
  'wheat rust',
  'bee colonies',
  'river deltas',
  'cave acoustics',
  'desert dunes',
  'forest fires',
  'soil erosion',
  'ocean currents',
  'lichen growth',
  'moss spores',
  'fungal networks',
  'whale songs',
  'ant foraging',
  'salmon runs',
  'bat echolocation',
  'frog calls',
  'snow avalanches',
  'peat bogs',
  'mangrove roots',
  'kelp forests',
  'tundra lakes',
  'hail storms',
  'lightning strikes',
  'meteor showers',
  'comet tails',
  'sunspot cycles',
  'aurora curtains',
  'crater rims',
  'basalt columns',
  'amber fossils',
  'pollen counts',
  'seed dispersal',
  'vine climbing',
  'cactus spines',
  'orchid scents',
  'tulip bulbs',
  'olive groves',
  'rice paddies',
  'tea terraces',
  'cocoa pods',
  'barley malting',
];
export const FILLER_PAPERS = FILLER_SUBJECTS.map((s) => ({
  title: `Field Notes on ${s.replace(/\b\w/g, (c) => c.toUpperCase())}`,
  abstract: `We record ${s} across three seasons and describe how ${s} vary with weather and terrain.`,
}));
