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

export function startRadar(ctx: BotContext, client: Client): RadarAnnouncer | undefined {
  const radar = ctx.radar;
  if (!radar) return undefined;
  let stopped = false;
  let chain: Promise<unknown> = Promise.resolve();

  const once = async (): Promise<AnnounceOutcome | undefined> => {
    if (stopped || ctx.stopping) return undefined;
    const record = await radar.noteLiveGeneration();
    if (!record?.newPaperIds.length) return undefined;
    const retriever = await ctx.retriever().pinned();
    // The swap to that generation will call again; matching needs its papers.
    if (retriever.corpus.generation !== record.generation) return undefined;
    return announceGeneration(
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
  };

  const check = (): Promise<AnnounceOutcome | undefined> => {
    const run = chain.then(once).catch((err: unknown) => {
      ctx.logger.warn('radar: announcing the new papers failed', { err });
      return undefined;
    });
    chain = run;
    return ctx.track(run);
  };

  ctx.onSwap = () => {
    void check();
  };
  return {
    check,
    async stop() {
      stopped = true;
      ctx.onSwap = undefined;
      await chain;
    },
  };
}
