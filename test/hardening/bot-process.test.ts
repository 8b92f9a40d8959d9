/**
 * Process faults on the real binary: `research-bot bot` runs as a child process against the
 * Discord and OpenAI fakes on loopback. SIGTERM mid-answer lets the answer land, flushes the
 * answer log and closes the gateway, exiting 0; SIGINT when idle exits 0 at once. A gateway
 * dropped right after a command does not lose the answer.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordServer, type FakeDiscordServer } from '../servers/discord-server.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../servers/openai-server.js';
import { botProcessEnv } from '../helpers/bot-env.js';
import { spawnChild } from '../helpers/children.js';
import { answerMessages, buildIndex, removeDir, tempDir, userId } from '../discord/harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'research-bot.js');

let discord: FakeDiscordServer;
let openai: FakeOpenAIServer;
let indexDir: string;
const dirs: string[] = [];

beforeAll(async () => {
  indexDir = await buildIndex();
  dirs.push(indexDir);
  discord = await startDiscordServer({ heartbeatIntervalMs: 500 });
  // A slow, well-cited model answer: ~2 s of streaming, so a signal can land mid-answer.
  openai = await startOpenAIServer({
    streamChunkDelayMs: 120,
    chatResponder: () =>
      'Dataset decomposition splits documents into buckets of equal-length sequences and trains with a ' +
      'variable sequence length curriculum [1]. It reaches target accuracy 3x faster than the concat-and-chunk ' +
      'baseline [1].',
  });
});
afterAll(async () => {
  await discord?.close();
  await openai?.close();
  for (const d of dirs) await removeDir(d);
});

interface BotProcess {
  child: ChildProcess;
  logs: Array<Record<string, any>>;
  raw: () => string;
  exited: Promise<number | null>;
}

function botEnv(feedbackDir: string): NodeJS.ProcessEnv {
  return {
    ...botProcessEnv({ discord, indexDir, feedbackDir }),
    OPENAI_BASE_URL: openai.url,
    OPENAI_API_KEY: 'sk-process-test-key-123456',
    CHAT_MODEL: 'fake-chat',
    STREAM_EDIT_INTERVAL_MS: '250',
    LOG_LEVEL: 'debug',
  };
}

async function startBotProcess(feedbackDir: string): Promise<BotProcess> {
  const child = spawnChild(process.execPath, [BIN, 'bot'], { cwd: ROOT, env: botEnv(feedbackDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let raw = '';
  const logs: Array<Record<string, any>> = [];
  let pending = '';
  child.stderr!.on('data', (d: Buffer) => {
    raw += d.toString();
    pending += d.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        // non-JSON output (there should be none); kept in raw for the assertions below
      }
    }
  });
  child.stdout!.on('data', (d: Buffer) => void (raw += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await discord.waitFor(() => logs.find((l) => l.msg === 'bot ready'), 30_000);
  return { child, logs, raw: () => raw, exited };
}

function ask(question: string) {
  return discord.sendSlashCommand({ name: 'ask', userId: userId(), options: [{ name: 'question', type: 3, value: question }] });
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the bot as a process', () => {
  it('SIGTERM mid-answer: the answer lands, the answer log is flushed, the gateway closes, exit code 0', async () => {
    const feedbackDir = await tempDir('proc-feedback');
    dirs.push(feedbackDir);
    const bot = await startBotProcess(feedbackDir);
    const h = ask('What is dataset decomposition?');
    // Wait until the model is streaming (a preview edit has reached Discord), then signal.
    await discord.waitFor(() => discord.calls.some((c) => c.method === 'PATCH' && c.path.includes(h.token)), 15_000);
    bot.child.kill('SIGTERM');
    const code = await withTimeout(bot.exited, 30_000, 'exit after SIGTERM');
    expect(code).toBe(0);
    const messages = answerMessages(discord, h.token);
    expect(messages?.[0].content).toMatch(/3x faster .*\[1\]/s);
    const records = (await readFile(join(feedbackDir, 'answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.some((r) => r.question === 'What is dataset decomposition?')).toBe(true);
    expect(bot.logs.some((l) => l.msg === 'bot stopped')).toBe(true);
    await discord.waitFor(() => discord.sessionCount() === 0 || undefined, 5000);
    expect(bot.raw()).not.toContain(discord.token);
    expect(bot.raw()).not.toContain('sk-process-test-key-123456');
  }, 60_000);

  it('SIGINT when idle exits 0 promptly', async () => {
    const feedbackDir = await tempDir('proc-feedback');
    dirs.push(feedbackDir);
    const bot = await startBotProcess(feedbackDir);
    const started = Date.now();
    bot.child.kill('SIGINT');
    expect(await withTimeout(bot.exited, 15_000, 'exit after SIGINT')).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(bot.logs.some((l) => l.msg === 'bot stopped')).toBe(true);
  }, 40_000);

  it('a gateway dropped right after a command still gets the answer delivered, and the next command after the resume', async () => {
    const feedbackDir = await tempDir('proc-feedback');
    dirs.push(feedbackDir);
    const bot = await startBotProcess(feedbackDir);
    try {
      const resumesBefore = discord.gatewayEvents.filter((e) => e.op === 6).length;
      const h1 = ask('What is dataset decomposition?');
      discord.dropGateway();
      await discord.waitFor(() => answerMessages(discord, h1.token), 20_000);
      await discord.waitFor(() => discord.gatewayEvents.filter((e) => e.op === 6).length > resumesBefore || undefined, 15_000);
      const h2 = ask('How can long-context pretraining be made cheaper?');
      await discord.waitFor(() => answerMessages(discord, h2.token), 20_000);
      expect(answerMessages(discord, h2.token)![0].content).toMatch(/\[1\]/);
    } finally {
      bot.child.kill('SIGTERM');
      expect(await withTimeout(bot.exited, 30_000, 'exit')).toBe(0);
    }
  }, 80_000);

  describe('a start-up that cannot log in exits promptly with code 1 and one error line', () => {
    async function failedStart(env: NodeJS.ProcessEnv) {
      const feedbackDir = await tempDir('proc-feedback');
      dirs.push(feedbackDir);
      const child = spawnChild(process.execPath, [BIN, 'bot'], {
        cwd: ROOT,
        env: { ...botEnv(feedbackDir), LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
      child.stdout!.on('data', (d: Buffer) => void (stdout += d.toString()));
      const started = Date.now();
      const code = await withTimeout(
        new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))),
        20_000,
        'exit after a failed start-up',
      );
      return { code, ms: Date.now() - started, stderr, stdout };
    }

    it('the Discord fake rejects the token', async () => {
      const r = await failedStart({ DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gx7abc.wrong-bot-token-value' });
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(10_000);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('error [CONFIG_INVALID]: Discord rejected DISCORD_TOKEN. Check the bot token.\n');
    }, 30_000);

    it('DISCORD_API_URL points at a closed loopback port', async () => {
      const closed = await closedPort();
      const r = await failedStart({ DISCORD_API_URL: `http://127.0.0.1:${closed}/api` });
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(10_000);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^error \\[UPSTREAM\\]: Could not log in to Discord: the Discord API at 127\\.0\\.0\\.1:${closed} failed \\(ECONNREFUSED\\)\\.\\n$`,
        ),
      );
      expect(r.stderr).not.toContain(discord.token);
    }, 30_000);
  });

  it('register-commands registers, says what it registered, and exits within seconds', async () => {
    const feedbackDir = await tempDir('proc-feedback');
    dirs.push(feedbackDir);
    const child = spawnChild(process.execPath, [BIN, 'register-commands'], {
      cwd: ROOT,
      env: { ...botEnv(feedbackDir), LOG_LEVEL: 'warn', DISCORD_GUILD_ID: discord.guildId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => void (stdout += d.toString()));
    const started = Date.now();
    const code = await withTimeout(new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))), 20_000, 'exit');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stdout).toMatch(new RegExp(`^Registered \\d+ commands in guild ${discord.guildId}\\.`));
    expect(discord.commands(discord.guildId).map((c) => c.name)).toContain('ask');
  }, 30_000);
});

/** A loopback port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
