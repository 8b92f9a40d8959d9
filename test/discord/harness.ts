/**
 * Shared setup for the Discord end-to-end tests: a built index, a config, a bot with captured logs,
 * and useBotSuite(), the lifecycle (index once per file; bots, fake servers and temp dirs cleaned up).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import { runBot, type BotHandle, type BotOptions } from '../../src/discord/bot.js';
import { createLogger } from '../../src/logger.js';
import { startDiscordServer, type FakeDiscordServer, type StartDiscordServerOptions } from '../servers/discord-server.js';
import { startOpenAIServer, type FakeOpenAIServer, type StartOpenAIServerOptions } from '../servers/openai-server.js';

export const CORPUS_DIR = 'data/corpus';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `rb-${prefix}-`));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** A fresh index built from data/corpus in a temp dir. */
export async function buildIndex(): Promise<string> {
  const dir = await tempDir('index');
  await runIngest(loadConfig({ INDEX_DIR: dir, CORPUS_DIR }), {});
  return dir;
}

export function botConfig(
  server: FakeDiscordServer,
  dirs: { indexDir: string; feedbackDir: string },
  env: Record<string, string> = {},
): Config {
  return loadConfig({
    CORPUS_DIR,
    INDEX_DIR: dirs.indexDir,
    FEEDBACK_DIR: dirs.feedbackDir,
    DISCORD_TOKEN: server.token,
    DISCORD_APPLICATION_ID: server.applicationId,
    DISCORD_API_URL: server.restUrl,
    USER_COOLDOWN_SECONDS: '0',
    STREAM_EDIT_INTERVAL_MS: '250',
    LOG_LEVEL: 'debug',
    ...env,
  });
}

export interface TestBot {
  handle: BotHandle;
  config: Config;
  logs: string[];
}

export async function startBot(
  _server: FakeDiscordServer | undefined,
  config: Config,
  opts: BotOptions = {},
  logs: string[] = [],
): Promise<TestBot> {
  const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  const handle = await runBot(config, logger, opts);
  return { handle, config, logs };
}

export interface BotSuite {
  /** The index built from data/corpus once for the file (set in its beforeAll; '' with `index: false`). */
  readonly indexDir: string;
  /**
   * The test's fake Discord server: started on first use and shared for the rest of the test;
   * `fresh` starts another one (the previous keeps running). Every one is closed after the test.
   */
  discord(opts?: StartDiscordServerOptions & { fresh?: boolean }): Promise<FakeDiscordServer>;
  /** A fake OpenAI server for this test, closed after it. */
  openai(opts?: StartOpenAIServerOptions): Promise<FakeOpenAIServer>;
  /** A temp dir removed after the file's tests. */
  tempDir(prefix: string): Promise<string>;
  /** Another index built from data/corpus (for a test that changes it), removed after the file's tests. */
  buildIndex(): Promise<string>;
  /** A bot on `config`, stopped after the test. */
  startBot(config: Config, opts?: BotOptions, logs?: string[]): Promise<TestBot>;
  /** The usual test: a bot on the test's Discord server, the file's index and a fresh feedback dir. */
  setup(env?: Record<string, string>, opts?: SuiteSetupOptions): Promise<{ s: FakeDiscordServer; bot: TestBot; feedbackDir: string }>;
}

export interface SuiteSetupOptions {
  bot?: BotOptions;
  /** Reuse a feedback dir (a restart on the same FEEDBACK_DIR). */
  feedbackDir?: string;
  indexDir?: string;
  /** The array the bot's log lines go to (its `logs`); a new one by default. */
  logs?: string[];
}

/**
 * The lifecycle every bot test file needs, as hooks registered in the calling file: the index is
 * built once before its tests; bots are stopped (each within `stopTimeoutMs`) and the fake servers
 * closed after each test; temp dirs are removed after the last. `discord` sets the default options
 * of the file's Discord servers (heartbeat 250 ms unless given); `index: false` is for a file whose
 * tests each build their own index from another corpus.
 */
export function useBotSuite(opts: { stopTimeoutMs?: number; discord?: StartDiscordServerOptions; index?: boolean } = {}): BotSuite {
  let indexDir = '';
  let bots: TestBot[] = [];
  let discords: FakeDiscordServer[] = [];
  let openais: FakeOpenAIServer[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    if (opts.index !== false) indexDir = await suite.buildIndex();
  });
  afterEach(async () => {
    for (const b of bots) await b.handle.stop({ timeoutMs: opts.stopTimeoutMs ?? 3000 });
    for (const d of discords) await d.close();
    for (const o of openais) await o.close();
    bots = [];
    discords = [];
    openais = [];
  });
  afterAll(async () => {
    for (const d of dirs) await removeDir(d);
  });

  const suite: BotSuite = {
    get indexDir() {
      return indexDir;
    },
    async discord({ fresh, ...given } = {}) {
      const current = discords.at(-1);
      if (current && !fresh) return current;
      const server = await startDiscordServer({ heartbeatIntervalMs: 250, ...opts.discord, ...given });
      discords.push(server);
      return server;
    },
    async openai(given = {}) {
      const server = await startOpenAIServer(given);
      openais.push(server);
      return server;
    },
    async tempDir(prefix) {
      const dir = await tempDir(prefix);
      dirs.push(dir);
      return dir;
    },
    async buildIndex() {
      const dir = await buildIndex();
      dirs.push(dir);
      return dir;
    },
    async startBot(config, botOpts = {}, logs = []) {
      const bot = await startBot(discords.at(-1), config, botOpts, logs);
      bots.push(bot);
      return bot;
    },
    async setup(env = {}, o = {}) {
      const s = await suite.discord();
      const feedbackDir = o.feedbackDir ?? (await suite.tempDir('feedback'));
      const bot = await suite.startBot(botConfig(s, { indexDir: o.indexDir ?? indexDir, feedbackDir }, env), o.bot, o.logs);
      return { s, bot, feedbackDir };
    },
  };
  return suite;
}

/** The lines of a JSONL file (none when it does not exist yet). */
export async function readJsonl(path: string): Promise<any[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The answer records a bot stored in its feedback dir, oldest first. */
export async function storedAnswers(feedbackDir: string): Promise<any[]> {
  return (await readJsonl(join(feedbackDir, 'answers.jsonl'))).filter((r) => r.type === 'answer');
}

export function parsedLogs(logs: string[]): Array<Record<string, any>> {
  return logs.map((l) => JSON.parse(l));
}

/** Every REST call that carries a message body (content / embeds / components). */
export function messageBodies(server: FakeDiscordServer): Array<{ method: string; path: string; body: any }> {
  const out: Array<{ method: string; path: string; body: any }> = [];
  for (const c of server.calls) {
    if (!c.body || typeof c.body !== 'object') continue;
    if (c.path.endsWith('/callback')) {
      if ((c.body.type === 4 || c.body.type === 7) && c.body.data) out.push({ method: c.method, path: c.path, body: c.body.data });
      continue;
    }
    const isMessage =
      (c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path)) ||
      (c.method === 'PATCH' && /^\/channels\/\d+\/messages\/\d+$/.test(c.path)) ||
      (/^\/webhooks\//.test(c.path) && (c.method === 'POST' || c.method === 'PATCH'));
    if (isMessage) out.push({ method: c.method, path: c.path, body: c.body });
  }
  return out;
}

/** The final answer message of an interaction: original + follow-ups, once it is no longer loading. */
export function answerMessages(server: FakeDiscordServer, token: string): any[] | undefined {
  const original = server.originalMessage(token);
  if (!original || original.flags & (1 << 7)) return undefined;
  if (!original.components?.length && !server.followUps(token).some((m) => m.components?.length)) return undefined;
  return [original, ...server.followUps(token).filter((m) => m.id !== original.id)];
}

export function customIds(message: any): string[] {
  return (message?.components ?? []).flatMap((row: any) => (row.components ?? []).map((c: any) => c.custom_id)).filter(Boolean);
}

export const MANAGE_GUILD = 1n << 5n;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

let userSeq = 0;
/** Distinct snowflake-looking user ids. */
export function userId(): string {
  userSeq++;
  return `9${String(Date.now()).slice(-10)}${String(userSeq).padStart(7, '0')}`;
}
