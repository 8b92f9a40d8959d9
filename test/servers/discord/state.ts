/**
 * Everything the fake remembers (users, guilds, channels, messages, interactions, commands, gateway
 * sessions, recorded calls) and the lookups over it. Each other module is a factory over this state.
 */
import type { WebSocket } from 'ws';
import {
  BOT_ROLE_PERMISSIONS,
  ChannelType,
  isoNow,
  MEMBER_PERMISSIONS,
  PRIVILEGED_INTENTS,
  snowflake,
  snowflakeOnShard,
} from './protocol.js';
import type { Fault, GatewayEvent, RestCall, StartDiscordServerOptions } from './types.js';

export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

export interface Session {
  id: string;
  /** [shardId, shardCount] from IDENTIFY. */
  shard: [number, number];
  intents: number;
  seq: number;
  log: Array<{ op: 0; t: string; s: number; d: any }>;
  ws: WebSocket | null;
  invalid: boolean;
}

export interface GuildState {
  id: string;
  name: string;
  textChannelId: string;
  botRoleId: string;
  /** A plain role with no permissions (a bot's admin role is configured by id, like ADMIN_ROLE_IDS). */
  staffRoleId: string;
  roles: any[];
}

export interface Conn {
  ws: WebSocket;
  session: Session | null;
}

export interface InteractionState {
  id: string;
  token: string;
  type: number;
  name?: string;
  commandType?: number;
  channelId: string;
  guildId: string | null;
  userId: string;
  sentAt: number;
  acked: boolean;
  callbackType?: number;
  /** Message id that `@original` resolves to. */
  originalId?: string;
  /** Message a component interaction is attached to. */
  sourceMessageId?: string;
  followUpIds: string[];
  autocompleteChoices?: any[];
  /** The modal this interaction was answered with (callback type 9). */
  modal?: any;
  /** True once a user submitted that modal (the client closes it then). */
  modalSubmitted?: boolean;
}

export type FakeState = ReturnType<typeof createState>;

export function createState(opts: StartDiscordServerOptions) {
  const heartbeatInterval = opts.heartbeatIntervalMs ?? 41250;
  const token = opts.token ?? 'fake-token';
  const callbackDeadlineMs = opts.callbackDeadlineMs ?? 3000;
  const allowedPrivileged = opts.allowedPrivilegedIntents ?? PRIVILEGED_INTENTS;

  const shardCount = opts.shards ?? 1;
  const guildCount = opts.guilds ?? 1;
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new Error('fake discord: shards must be a whole number >= 1');
  if (!Number.isInteger(guildCount) || guildCount < 1) throw new Error('fake discord: guilds must be a whole number >= 1');

  const applicationId = snowflake();
  const botUserId = applicationId; // Like most modern apps, the bot user shares the application's id.
  // Guild k lands on shard k % shardCount.
  const guildList: GuildState[] = Array.from({ length: guildCount }, (_, k) => ({
    id: snowflakeOnShard(k % shardCount, shardCount),
    name: k === 0 ? 'Fake Research Guild' : `Fake Research Guild ${k + 1}`,
    textChannelId: snowflake(),
    botRoleId: snowflake(),
    staffRoleId: snowflake(),
    roles: [],
  }));
  const guildsById = new Map(guildList.map((g) => [g.id, g]));
  const guildId = guildList[0].id;
  const textChannelId = guildList[0].textChannelId;
  const forumChannelId = opts.forum === false ? undefined : snowflake();
  const userId = snowflake();
  const guildJoinedAt = isoNow();

  const users = new Map<string, any>();
  const members = new Map<string, any>();
  const channels = new Map<string, any>();
  const history = new Map<string, any[]>();
  const messagesById = new Map<string, any>();
  /** Uploaded bytes by attachment id, served at the attachment's url like Discord's CDN. */
  const attachmentData = new Map<string, { data: Buffer; contentType: string }>();
  const interactions = new Map<string, InteractionState>();
  const interactionsByToken = new Map<string, InteractionState>();
  const globalCommands: any[] = [];
  const guildCommands = new Map<string, any[]>();
  const commandIds = new Map<string, string>();
  const createdThreads: string[] = [];
  const dmChannels = new Map<string, string>();
  const calls: RestCall[] = [];
  const faults: Array<{ method?: string; pathIncludes: string; fault: Fault; remaining: number }> = [];
  const sessions = new Map<string, Session>();
  const conns = new Set<Conn>();
  const gatewayEvents: GatewayEvent[] = [];
  const gatewayConnections: Array<{ path: string; query: Record<string, string>; at: number }> = [];

  const botUser = {
    id: botUserId,
    username: 'research-bot',
    global_name: null,
    discriminator: '0000',
    avatar: null,
    bot: true,
    system: false,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    primary_guild: null,
  };
  users.set(botUserId, botUser);

  function ensureUser(id: string, extra: { username?: string; bot?: boolean } = {}): any {
    let user = users.get(id);
    if (!user) {
      user = {
        id,
        username: extra.username ?? `user${id.slice(-4)}`,
        global_name: extra.username ?? `User ${id.slice(-4)}`,
        discriminator: '0',
        avatar: null,
        public_flags: 0,
        flags: 0,
        banner: null,
        accent_color: null,
        avatar_decoration_data: null,
        primary_guild: null,
        ...(extra.bot ? { bot: true } : {}),
      };
      users.set(id, user);
    }
    return user;
  }

  function ensureMember(id: string): any {
    let member = members.get(id);
    if (!member) {
      member = {
        user: ensureUser(id),
        nick: null,
        avatar: null,
        banner: null,
        roles: [],
        joined_at: guildJoinedAt,
        premium_since: null,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        communication_disabled_until: null,
        unusual_dm_activity_until: null,
      };
      members.set(id, member);
    }
    return member;
  }
  ensureUser(userId, { username: 'tester' });
  ensureMember(botUserId);

  /** A member as seen in one guild (the bot carries that guild's managed role). */
  function memberOf(gid: string | null | undefined, id: string): any {
    const member = clone(ensureMember(id));
    const guild = gid ? guildsById.get(gid) : undefined;
    if (guild && id === botUserId) member.roles = [guild.botRoleId];
    return member;
  }

  function requireGuild(gid: string): GuildState {
    const guild = guildsById.get(gid);
    if (!guild) throw new Error(`fake discord: unknown guild ${gid}`);
    return guild;
  }

  function shardOf(gid: string): number {
    return Number((BigInt(gid) >> 22n) % BigInt(shardCount));
  }

  for (const guild of guildList)
    guild.roles = [
      {
        id: guild.id,
        name: '@everyone',
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: MEMBER_PERMISSIONS,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      {
        id: guild.botRoleId,
        name: 'research-bot',
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 1,
        permissions: BOT_ROLE_PERMISSIONS,
        managed: true,
        mentionable: false,
        flags: 0,
        tags: { bot_id: botUserId },
      },
      {
        id: guild.staffRoleId,
        name: 'research-staff',
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 2,
        permissions: '0',
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ];

  for (const guild of guildList)
    channels.set(guild.textChannelId, {
      id: guild.textChannelId,
      type: ChannelType.GuildText,
      guild_id: guild.id,
      name: 'general',
      position: 0,
      permission_overwrites: [],
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
      last_pin_timestamp: null,
      default_auto_archive_duration: 1440,
      flags: 0,
    });
  if (forumChannelId) {
    channels.set(forumChannelId, {
      id: forumChannelId,
      type: ChannelType.GuildForum,
      guild_id: guildId,
      name: 'papers',
      position: 1,
      permission_overwrites: [],
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
      default_auto_archive_duration: 1440,
      default_thread_rate_limit_per_user: 0,
      available_tags: [{ id: snowflake(), name: 'question', moderated: false, emoji_id: null, emoji_name: null }],
      default_reaction_emoji: null,
      default_sort_order: null,
      default_forum_layout: 0,
      flags: 0,
    });
  }

  function guildObject(guild: GuildState): any {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: userId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 1,
      explicit_content_filter: 0,
      roles: clone(guild.roles),
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.textChannelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  function guildCreatePayload(guild: GuildState): any {
    const guildChannels = [...channels.values()].filter(
      (c) => c.guild_id === guild.id && c.type !== ChannelType.PublicThread && c.type !== ChannelType.PrivateThread,
    );
    const activeThreads = [...channels.values()].filter(
      (c) =>
        c.guild_id === guild.id &&
        (c.type === ChannelType.PublicThread || c.type === ChannelType.PrivateThread) &&
        !c.thread_metadata?.archived,
    );
    return {
      ...guildObject(guild),
      joined_at: guildJoinedAt,
      large: false,
      unavailable: false,
      member_count: members.size + 1,
      voice_states: [],
      members: [memberOf(guild.id, botUserId)],
      channels: clone(guildChannels).map((c: any) => {
        delete c.guild_id;
        return c;
      }),
      threads: clone(activeThreads),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      lazy: true,
    };
  }

  function isThread(ch: any): boolean {
    return ch?.type === ChannelType.PublicThread || ch?.type === ChannelType.PrivateThread;
  }

  function channelGuildId(ch: any): string | null {
    return ch?.guild_id ?? null;
  }

  function historyOf(channelId: string): any[] {
    let list = history.get(channelId);
    if (!list) history.set(channelId, (list = []));
    return list;
  }

  function dmChannelFor(uid: string): any {
    let id = dmChannels.get(uid);
    if (!id) {
      id = snowflake();
      dmChannels.set(uid, id);
      channels.set(id, {
        id,
        type: ChannelType.DM,
        last_message_id: null,
        flags: 0,
        recipients: [clone(ensureUser(uid))],
      });
    }
    return channels.get(id);
  }

  function requireKnownChannel(id: string): any {
    const ch = channels.get(id);
    if (!ch) throw new Error(`fake discord: unknown channel ${id}`);
    return ch;
  }

  return {
    heartbeatInterval,
    token,
    callbackDeadlineMs,
    allowedPrivileged,
    shardCount,
    guildCount,
    applicationId,
    botUserId,
    guildList,
    guildsById,
    guildId,
    textChannelId,
    forumChannelId,
    userId,
    users,
    members,
    channels,
    history,
    messagesById,
    attachmentData,
    interactions,
    interactionsByToken,
    globalCommands,
    guildCommands,
    commandIds,
    createdThreads,
    calls,
    faults,
    sessions,
    conns,
    gatewayEvents,
    gatewayConnections,
    botUser,
    ensureUser,
    ensureMember,
    memberOf,
    requireGuild,
    shardOf,
    guildObject,
    guildCreatePayload,
    isThread,
    channelGuildId,
    historyOf,
    dmChannelFor,
    requireKnownChannel,
    /** Set once the HTTP server listens (attachment URLs and resume_gateway_url carry it). */
    port: 0,
    gatewayUrl: '',
    /** Set by close(); deferred dispatches check it. */
    closed: false,
  };
}
