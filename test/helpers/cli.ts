/** Running the CLI entry point in-process with an offline, silent environment that each test restores. */
import { afterEach, beforeEach } from 'vitest';
import { main } from '../../src/cli.js';

// Everything loadConfig reads that could leak in from the developer's shell.
const CLI_ENV_KEYS = [
  'INDEX_DIR',
  'CORPUS_DIR',
  'FEEDBACK_DIR',
  'EMBEDDING_MODEL',
  'CHAT_MODEL',
  'OPENAI_BASE_URL',
  'LOG_LEVEL',
  'CHUNK_STRATEGY',
  'MAX_CORPUS_FILE_MB',
  'STORE',
  'DATABASE_URL',
];

/**
 * Before each test: no endpoint, no model, silent logs, the file store, default chunking and limits;
 * then `set` (for the test file's directories). After each test: the environment as it was.
 */
export function useOfflineCliEnv(set: () => void | Promise<void> = () => {}): void {
  let saved: Record<string, string | undefined> = {};
  beforeEach(async () => {
    saved = Object.fromEntries(CLI_ENV_KEYS.map((k) => [k, process.env[k]]));
    for (const k of CLI_ENV_KEYS) delete process.env[k];
    for (const k of ['EMBEDDING_MODEL', 'CHAT_MODEL', 'OPENAI_BASE_URL']) process.env[k] = '';
    process.env.LOG_LEVEL = 'silent';
    await set();
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

/** One CLI run in this process: exit code and everything written to stdout and stderr. */
export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}
