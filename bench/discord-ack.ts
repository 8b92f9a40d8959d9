/**
 * Discord ack latency: N /ask interactions sent at once through the test Discord server to the
 * real bot (discord.js over loopback); latency is from the server sending INTERACTION_CREATE to
 * the interaction callback arriving. A warm-up burst runs first; both bursts are reported.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { runBot } from '../src/discord/bot.js';
import { silentLogger } from '../src/logger.js';
import { startDiscordServer } from '../test/servers/discord-server.js';
import { stats, type LatencyStats } from './stats.js';

const QUESTIONS = [
  'What is dataset decomposition?',
  'How can long-context pretraining be made cheaper?',
  'what does DropPos pretrain ViTs to do?',
  'are there scaling laws for the data mixture ratio in continual pretraining?',
  'post-training quantization with a small calibration set',
];

export interface AckResult {
  concurrency: number;
  cold: LatencyStats;
  ack: LatencyStats;
  maxMs: number;
  deferred: number;
  allAnswered: boolean;
}

export async function measureAckLatency(opts: { concurrency: number; indexDir: string; corpusDir: string }): Promise<AckResult> {
  const server = await startDiscordServer({ heartbeatIntervalMs: 5000 });
  const feedbackDir = await mkdtemp(join(tmpdir(), 'rb-bench-feedback-'));
  const config = loadConfig({
    CORPUS_DIR: opts.corpusDir,
    INDEX_DIR: opts.indexDir,
    FEEDBACK_DIR: feedbackDir,
    DISCORD_TOKEN: server.token,
    DISCORD_APPLICATION_ID: server.applicationId,
    DISCORD_API_URL: server.restUrl,
    USER_COOLDOWN_SECONDS: '0',
  });
  const bot = await runBot(config, silentLogger);
  let user = 0;
  const burst = async () => {
    const handles = Array.from({ length: opts.concurrency }, (_, k) =>
      server.sendSlashCommand({
        name: 'ask',
        userId: String(200000000000000000n + BigInt(user++)),
        options: [{ name: 'question', type: 3, value: `${QUESTIONS[k % QUESTIONS.length]} (${k})` }],
      }),
    );
    await server.waitFor(() => handles.every((h) => server.callbacks(h.interactionId).length > 0), 30_000);
    const latencies = handles.map((h) => server.callbacks(h.interactionId)[0].at - h.sentAt);
    const deferred = handles.filter((h) => server.callbacks(h.interactionId)[0].body?.type === 5).length;
    let allAnswered = true;
    try {
      await server.waitFor(
        () =>
          handles.every((h) => {
            const m = server.originalMessage(h.token);
            return m && !(m.flags & 128) ? true : undefined;
          }),
        60_000,
      );
    } catch {
      allAnswered = false;
    }
    return { latencies, deferred, allAnswered };
  };
  try {
    const cold = await burst();
    const warm = await burst();
    return {
      concurrency: opts.concurrency,
      cold: stats(cold.latencies),
      ack: stats(warm.latencies),
      maxMs: Math.max(...warm.latencies),
      deferred: warm.deferred,
      allAnswered: warm.allAnswered && cold.allAnswered,
    };
  } finally {
    await bot.stop({ timeoutMs: 5000 });
    await server.close();
    await rm(feedbackDir, { recursive: true, force: true });
  }
}
