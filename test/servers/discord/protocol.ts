/** Discord API v10 constants (values from discord-api-types v10) and wire formats: snowflakes, timestamps. */

export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;
export const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;

export const ChannelType = { GuildText: 0, DM: 1, PublicThread: 11, PrivateThread: 12, GuildForum: 15 } as const;
export const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
export const CallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredMessageUpdate: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;
export const MessageType = { Default: 0, ThreadCreated: 18, Reply: 19, ChatInputCommand: 20, ThreadStarterMessage: 21 } as const;
export const MessageFlag = { HasThread: 1 << 5, Ephemeral: 1 << 6, Loading: 1 << 7, IsComponentsV2: 1 << 15 } as const;

export const Perm = {
  CreateInstantInvite: 1n << 0n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseExternalEmojis: 1n << 18n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Permissions of a regular member (the @everyone role); no Administrator / Manage* bits. */
export const MEMBER_PERMISSIONS = (
  Perm.CreateInstantInvite |
  Perm.AddReactions |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.UseExternalEmojis |
  Perm.Connect |
  Perm.Speak |
  Perm.ChangeNickname |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.CreatePrivateThreads |
  Perm.SendMessagesInThreads
).toString();
export const BOT_ROLE_PERMISSIONS = (Perm.ManageMessages | Perm.ManageThreads).toString();
export const BOT_PERMISSIONS = (BigInt(MEMBER_PERMISSIONS) | BigInt(BOT_ROLE_PERMISSIONS)).toString();

const DISCORD_EPOCH = 1420070400000n;
let snowflakeIncrement = 0n;

/** Real-looking 19-digit snowflakes; @discordjs/rest only buckets ids that are 17-19 digits. */
export function snowflake(at: number = Date.now()): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | snowflakeIncrement).toString();
}

/** A snowflake whose timestamp puts it on `shard` of `shardCount` ((id >> 22) % count), as Discord routes guilds. */
export function snowflakeOnShard(shard: number, shardCount: number): string {
  const count = BigInt(shardCount);
  let ms = BigInt(Date.now()) - DISCORD_EPOCH;
  ms += (((BigInt(shard) - ms) % count) + count) % count;
  return snowflake(Number(ms + DISCORD_EPOCH));
}

export function isoNow(at: number = Date.now()): string {
  // Discord's format: microsecond precision with an explicit offset.
  return new Date(at).toISOString().replace('Z', '000+00:00');
}
