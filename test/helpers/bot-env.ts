/** The environment of a `research-bot bot` child process pointed at the test Discord server. */
import { join } from 'node:path';

const SHIPPED_CORPUS = join(import.meta.dirname, '..', '..', 'data', 'corpus');

export function botProcessEnv(o: {
  discord: { token: string; applicationId: string; restUrl: string };
  indexDir: string;
  feedbackDir: string;
  home?: string;
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: o.home ?? o.feedbackDir,
    CORPUS_DIR: SHIPPED_CORPUS,
    INDEX_DIR: o.indexDir,
    FEEDBACK_DIR: o.feedbackDir,
    DISCORD_TOKEN: o.discord.token,
    DISCORD_APPLICATION_ID: o.discord.applicationId,
    DISCORD_API_URL: o.discord.restUrl,
    USER_COOLDOWN_SECONDS: '0',
  };
}
