/** The discord.js client: minimal intents, our API base (tests, proxies) and no pings by default. */
import { Client, GatewayIntentBits, Partials, type ClientOptions, type MessageMentionOptions } from 'discord.js';
import type { Config } from '../config.js';

/** Never ping anyone: not @everyone/@here, not users or roles, not the author of a replied-to message. */
export const NO_MENTIONS: MessageMentionOptions = Object.freeze({ parse: [], repliedUser: false }) as MessageMentionOptions;

/** Do message events matter (thread follow-ups or Q&A channels)? */
export function wantsMessages(config: Config): boolean {
  return config.discord.threadFollowups || config.discord.qaChannelIds.length > 0;
}

export function intentsFor(config: Config): GatewayIntentBits[] {
  // Guild messages are not privileged, and a message that mentions the bot carries its text
  // without Message Content: @research-bot works on every server.
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];
  // DMs are not privileged either, and their text always arrives.
  if (config.discord.directMessages) intents.push(GatewayIntentBits.DirectMessages);
  // Message content is a privileged intent: ask for it only when typed messages are actually read.
  if (wantsMessages(config)) intents.push(GatewayIntentBits.MessageContent);
  return intents;
}

export function createDiscordClient(config: Config, extra: Partial<ClientOptions> = {}): Client {
  return new Client({
    intents: intentsFor(config),
    // A bot's DM channels are never in its cache (READY lists none): without the Channel partial,
    // discord.js drops every MESSAGE_CREATE from a DM it has not seen before.
    partials: [Partials.Channel],
    allowedMentions: { ...NO_MENTIONS, parse: [] },
    failIfNotExists: false,
    ...extra,
    // Only pass `api` when set: an explicit undefined would override discord.js' default.
    rest: { ...(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}), ...(extra.rest ?? {}) },
  });
}
