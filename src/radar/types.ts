/**
 * The paper radar's durable state, shared by every bot process and shard: the topics channels
 * watch, which papers each index generation brought, and which digests were announced.
 */

export interface Watch {
  id: string;
  guildId: string;
  channelId: string;
  topic: string;
  createdBy: string;
  /** ISO-8601 UTC. A watch only announces generations recorded after it. */
  createdAt: string;
}

export type NewWatch = Omit<Watch, 'id' | 'createdAt'>;

/** What one index generation brought, recorded once (the first process to notice it). */
export interface GenerationRecord {
  generation: string;
  /** ISO-8601 UTC: when the generation was first noticed. */
  time: string;
  previous?: string;
  /** Paper ids in this generation and not in the previously recorded one. */
  newPaperIds: string[];
}

export interface RadarStore {
  readonly kind: 'file' | 'postgres';
  /** Adds the watch, or returns the channel's existing watch of the same topic (case-insensitive). */
  addWatch(watch: NewWatch): Promise<{ watch: Watch; created: boolean }>;
  listWatches(filter?: { guildId?: string; channelId?: string }): Promise<Watch[]>;
  removeWatch(id: string): Promise<boolean>;
  /**
   * Record the live generation (the papers it adds over the last recorded one) unless it already
   * is; returns its record. The first generation ever seen is the baseline: nothing is new in it.
   * Undefined when there is no index.
   */
  noteLiveGeneration(): Promise<GenerationRecord | undefined>;
  /** Records noticed at or after `time` (ISO), oldest first. */
  generationsSince(time: string): Promise<GenerationRecord[]>;
  /**
   * Atomically claim the one digest of `generation` for `channelId`; false when it was already
   * claimed (by this or any other process). A claim is never taken back after a send was tried.
   */
  claimAnnouncement(channelId: string, generation: string): Promise<boolean>;
  /** Undo a claim whose send was refused outright (nothing was posted), so a later check retries. */
  releaseAnnouncement(channelId: string, generation: string): Promise<void>;
  close(): Promise<void>;
}

export const MAX_WATCHES_PER_CHANNEL = 10;
export const MAX_TOPIC_CHARS = 100;

/** The same topic in one channel is one watch, whatever its case or spacing. */
export function topicKey(topic: string): string {
  return topic.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Paper ids in `now` and not in `before`, in `now`'s order. */
export function newIds(before: readonly string[], now: readonly string[]): string[] {
  const had = new Set(before);
  return now.filter((id) => !had.has(id));
}
