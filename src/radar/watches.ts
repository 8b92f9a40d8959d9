/** Adding and finding watches, with the checks every caller (slash command, tests) shares. */
import { AppError } from '../errors.js';
import { MAX_TOPIC_CHARS, MAX_WATCHES_PER_CHANNEL, type NewWatch, type RadarStore, topicKey, type Watch } from './types.js';

export async function addWatch(radar: RadarStore, input: NewWatch): Promise<{ watch: Watch; created: boolean }> {
  const topic = input.topic.replace(/\s+/g, ' ').trim();
  if (!topic) throw new AppError('USAGE', 'Please give a topic, like "diffusion models".');
  if (topic.length > MAX_TOPIC_CHARS) throw new AppError('USAGE', `A topic is at most ${MAX_TOPIC_CHARS} characters.`);
  const existing = await radar.listWatches({ channelId: input.channelId });
  const same = existing.find((w) => topicKey(w.topic) === topicKey(topic));
  if (same) return { watch: same, created: false };
  if (existing.length >= MAX_WATCHES_PER_CHANNEL)
    throw new AppError('USAGE', `A channel can watch at most ${MAX_WATCHES_PER_CHANNEL} topics; remove one with /watch remove first.`);
  return radar.addWatch({ ...input, topic });
}

/** A watch in the guild by id, else by topic in the channel. */
export async function findWatch(
  radar: RadarStore,
  where: { guildId: string; channelId: string },
  idOrTopic: string,
): Promise<Watch | undefined> {
  const q = idOrTopic.trim();
  const inGuild = await radar.listWatches({ guildId: where.guildId });
  return inGuild.find((w) => w.id === q) ?? inGuild.find((w) => w.channelId === where.channelId && topicKey(w.topic) === topicKey(q));
}
