/**
 * The paper radar in the bot: when this process sees a new index generation go live (at start,
 * after /reindex, or when the refresh picks up another process's ingest), it records what the
 * generation brought and posts the digests of the watching channels in the guilds this shard
 * owns. Checks run one at a time; each is bounded by the number of watches.
 */
import { type Client, DiscordAPIError } from 'discord.js';
import { announceGeneration, type AnnounceOutcome, type ChannelDigest } from '../radar/announce.js';
import type { BotContext } from './context.js';
import { NO_MENTIONS } from './client.js';
import { renderDigest } from './render/digest.js';

export interface RadarAnnouncer {
  /** Record and announce the live generation if needed. Never rejects. */
  check(): Promise<AnnounceOutcome | undefined>;
  stop(): Promise<void>;
}

export function digestMessage(d: Pick<ChannelDigest, 'groups' | 'newPapers'>): string {
  const matched = new Set(d.groups.flatMap((g) => g.matches.map((m) => m.paper.id))).size;
  const heading = `📡 **New papers for this channel's topics**: ${matched} of the ${d.newPapers} papers just added match.`;
  return renderDigest(heading, d.groups, '');
}

/**
 * `intervalMs`: how often to look whether the served generation changed without a swap (the
 * Postgres store switches in place on its own); 0 = only at start and after swaps.
 */
export function startRadar(ctx: BotContext, client: Client, intervalMs = 0): RadarAnnouncer | undefined {
  const radar = ctx.radar;
  if (!radar) return undefined;
  let stopped = false;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  /** The generation whose digests this process has dealt with. */
  let handled: string | undefined;
  let failures = 0;

  const once = async (): Promise<AnnounceOutcome | undefined> => {
    if (stopped || ctx.stopping) return undefined;
    const record = await radar.noteLiveGeneration();
    const retriever = await ctx.retriever().pinned();
    // Matching needs that generation's papers: the swap to it (or the next tick) calls again.
    if (!record || retriever.corpus.generation !== record.generation) return undefined;
    // Set only once done: a check that failed half-way is retried on the next tick.
    if (!record.newPaperIds.length) {
      handled = record.generation;
      return undefined;
    }
    const outcome = await announceGeneration(
      {
        radar,
        retriever,
        ownsGuild: (guildId) => client.guilds.cache.has(guildId),
        logger: ctx.logger,
        isRefusal: (err) => err instanceof DiscordAPIError && err.status >= 400 && err.status < 500,
        async send(d) {
          const channel = await client.channels.fetch(d.channelId);
          if (!channel?.isSendable()) throw new Error('the channel cannot be posted in');
          await channel.send({ content: digestMessage(d), allowedMentions: NO_MENTIONS });
        },
      },
      record,
    );
    handled = record.generation;
    return outcome;
  };

  const check = (): Promise<AnnounceOutcome | undefined> => {
    const run = chain.then(once).then(
      (outcome) => {
        failures = 0;
        return outcome;
      },
      (err: unknown) => {
        failures++;
        // A store that stays down is retried every tick: log the first failures, then every tenth.
        if (failures <= 3 || failures % 10 === 0) ctx.logger.warn('radar: announcing the new papers failed', { failures, err });
        return undefined;
      },
    );
    chain = run;
    return ctx.track(run);
  };

  ctx.onSwap = () => {
    void check();
  };
  const tick = () => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      const pending = handled !== ctx.retriever().store.generation ? check() : Promise.resolve(undefined);
      void pending.finally(tick);
    }, intervalMs);
    timer.unref();
  };
  tick();
  return {
    check,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      ctx.onSwap = undefined;
      await chain;
    },
  };
}
