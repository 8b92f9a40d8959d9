/**
 * Digests after an ingest: every channel watching a topic that the generation's new papers match
 * gets one message, exactly once across processes and restarts.
 *
 * Order per channel: match, claim (an exclusive create / unique row), send. A process that dies
 * between claim and send loses that channel's digest rather than risking a second copy: at most
 * once, and with the claim taken just before the send the window is one HTTP request. A send
 * that Discord refused outright (nothing was posted) releases the claim, so a later check of
 * the same generation (a restart) tries again.
 */
import type { Retriever } from '../index/search.js';
import type { Logger } from '../logger.js';
import { matchTopics, type TopicGroup } from './match.js';
import type { GenerationRecord, RadarStore, Watch } from './types.js';

export interface ChannelDigest {
  guildId: string;
  channelId: string;
  generation: string;
  newPapers: number;
  groups: TopicGroup[];
}

export interface AnnounceDeps {
  radar: RadarStore;
  /** Pinned to the record's generation. */
  retriever: Retriever;
  /** Whether this process announces for the guild (the shard that owns it). */
  ownsGuild(guildId: string): boolean;
  /** Post the digest; resolves once posted. */
  send(digest: ChannelDigest): Promise<void>;
  /** True when a send failure means nothing was posted (safe to retry later). */
  isRefusal(err: unknown): boolean;
  logger: Logger;
}

export interface AnnounceOutcome {
  sent: string[];
  /** Channels whose topics matched nothing new. */
  quiet: string[];
  /** Channels already announced (by this or another process). */
  already: string[];
  failed: string[];
}

function byChannel(watches: Watch[]): Map<string, Watch[]> {
  const out = new Map<string, Watch[]>();
  for (const w of watches) out.set(w.channelId, [...(out.get(w.channelId) ?? []), w]);
  return out;
}

export async function announceGeneration(deps: AnnounceDeps, record: GenerationRecord): Promise<AnnounceOutcome> {
  const outcome: AnnounceOutcome = { sent: [], quiet: [], already: [], failed: [] };
  if (!record.newPaperIds.length) return outcome;
  // A watch hears about generations noticed after it was made, not about older ones.
  const watches = (await deps.radar.listWatches()).filter((w) => deps.ownsGuild(w.guildId) && w.createdAt < record.time);
  for (const [channelId, list] of byChannel(watches)) {
    const groups = await matchTopics(
      deps.retriever,
      list.map((w) => w.topic),
      record.newPaperIds,
    );
    if (!groups.length) {
      outcome.quiet.push(channelId);
      continue;
    }
    if (!(await deps.radar.claimAnnouncement(channelId, record.generation))) {
      outcome.already.push(channelId);
      continue;
    }
    const digest: ChannelDigest = {
      guildId: list[0].guildId,
      channelId,
      generation: record.generation,
      newPapers: record.newPaperIds.length,
      groups,
    };
    try {
      await deps.send(digest);
      outcome.sent.push(channelId);
      deps.logger.info('digest announced', { channelId, generation: record.generation, topics: groups.length });
    } catch (err) {
      outcome.failed.push(channelId);
      const refused = deps.isRefusal(err);
      deps.logger.warn('digest could not be posted', { channelId, generation: record.generation, retryLater: refused, err });
      if (refused) await deps.radar.releaseAnnouncement(channelId, record.generation).catch(() => undefined);
    }
  }
  return outcome;
}
