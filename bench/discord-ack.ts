/** Placeholder until the bot exists: replaced by a real measurement through the test Discord server. */
export async function measureAckLatency(_opts: { concurrency: number; indexDir: string; corpusDir: string }): Promise<Record<string, unknown>> {
  throw new Error('the Discord bot is not built yet');
}
