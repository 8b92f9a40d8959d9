/** Shared setup for the Discord end-to-end tests: a built index, a config, a bot with captured logs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { runIngest } from '../../src/context.js';
import { runBot, type BotHandle, type BotOptions } from '../../src/discord/bot.js';
import { createLogger } from '../../src/logger.js';
import type { FakeDiscordServer } from '../servers/discord-server.js';

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

export async function startBot(_server: FakeDiscordServer, config: Config, opts: BotOptions = {}, logs: string[] = []): Promise<TestBot> {
  const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  const handle = await runBot(config, logger, opts);
  return { handle, config, logs };
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
