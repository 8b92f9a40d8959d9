/** Public types of the fake Discord server (what tests see). */

export interface RestCall {
  method: string;
  /** Path below /api/v10 with percent-escapes decoded, e.g. `/webhooks/{app}/{token}/messages/@original`. */
  path: string;
  /** The path exactly as it arrived (discord.js sends `@original` as `%40original`). */
  rawPath: string;
  query: Record<string, string>;
  body: any;
  /** Number of uploaded files (multipart/form-data requests only). */
  files?: number;
  fileNames?: string[];
  /** Arrival time (ms epoch). */
  at: number;
  status: number;
  /** True when the response was produced by `failNext`. */
  injected?: boolean;
  /** Whether an `Authorization: Bot <token>` header was present. */
  authorized: boolean;
}

export interface CommandOption {
  name: string;
  type: number;
  value?: unknown;
  focused?: boolean;
  /** Nested options for SUB_COMMAND (1) / SUB_COMMAND_GROUP (2). */
  options?: CommandOption[];
  /**
   * For an ATTACHMENT option (type 11): the uploaded file. The fake gives it an id (the option's
   * value), lists it in `resolved.attachments` and serves its bytes at its `url` on 127.0.0.1,
   * unless `url` (or `size`) is given here to stand in for what Discord would send.
   */
  attachment?: { filename: string; data: Buffer | string; contentType?: string; url?: string; size?: number };
}

export interface SlashCommandOptions {
  name: string;
  options?: CommandOption[];
  userId?: string;
  channelId?: string;
  /** Member permission bitfield as a decimal string; default: a plain member without admin bits. */
  permissions?: string;
  /** Role ids of the invoking member (`member.roles`); default none. */
  roles?: string[];
  /** false = invoked in a DM with the bot (payload carries `user` instead of `member`). */
  guild?: boolean;
  /** Guild to invoke it in (its text channel unless `channelId` is given); default: the first guild. */
  guildId?: string;
  locale?: string;
}

export interface InteractionHandle {
  interactionId: string;
  token: string;
  sentAt: number;
}

export type Fault =
  | { status: 429; retryAfter: number; global?: boolean; scope?: 'user' | 'shared' | 'global' }
  | { status: number; body?: any };

export interface GatewayEvent {
  op: number;
  t?: string | null;
  at: number;
  d?: any;
}

export interface FakeDiscordServer {
  restUrl: string;
  gatewayUrl: string;
  port: number;
  token: string;
  applicationId: string;
  botUserId: string;
  /** The first guild and its text channel. */
  guildId: string;
  textChannelId: string;
  /** Every guild, in creation order, and each one's text channel (same order). */
  guildIds: string[];
  textChannelIds: string[];
  /** The shard count sessions must IDENTIFY with (GET /gateway/bot recommends it). */
  shardCount: number;
  /** The shard that owns a guild: (BigInt(guildId) >> 22n) % shardCount. */
  shardOf(guildId: string): number;
  /** The first guild's "research-staff" role: no permissions of its own (give it with sendSlashCommand's `roles`). */
  staffRoleId: string;
  /** Forum channel of the first guild. */
  forumChannelId?: string;
  /** Default user that interactions and messages come from. */
  userId: string;
  calls: RestCall[];
  gatewayEvents: GatewayEvent[];
  gatewayConnections: Array<{ path: string; query: Record<string, string>; at: number }>;

  sendSlashCommand(opts: SlashCommandOptions): InteractionHandle;
  sendAutocomplete(opts: SlashCommandOptions): InteractionHandle;
  sendButton(opts: { customId: string; messageId?: string; userId?: string; channelId?: string; guildId?: string }): InteractionHandle;
  /**
   * The user fills in and submits the modal that interaction `interactionId` was answered with:
   * INTERACTION_CREATE type 5 (MODAL_SUBMIT) with data `{ custom_id, components }`, each text input
   * as `{ type: 4, custom_id, value }` in an action row (or in a Label, as the modal had it), and
   * `message` when a button opened the modal. Inputs not in `values` are submitted empty. Throws
   * when there is no such modal, it was already submitted, or a value breaks the input's
   * required / min_length / max_length (the Discord client would not let it through).
   */
  submitModal(opts: { interactionId: string; values?: Record<string, string> }): InteractionHandle;
  sendMessage(opts: { channelId: string; content: string; authorId?: string; bot?: boolean; username?: string; replyTo?: string }): {
    messageId: string;
  };

  callbacks(interactionId: string): RestCall[];
  originalMessage(token: string): any | undefined;
  followUps(token: string): any[];
  channelMessages(channelId: string): any[];
  message(messageId: string): any | undefined;
  channel(channelId: string): any | undefined;
  threads(): any[];
  /** Id of the DM channel between the bot and a user (created on first use); for sendMessage / sendSlashCommand in DMs. */
  dmChannelId(userId?: string): string;
  commands(guildId?: string): any[];
  waitFor<T>(fn: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;

  failNext(match: { method?: string; pathIncludes: string }, fault: Fault, times?: number): void;
  /** Close every client websocket: no code = abrupt TCP destroy (client sees 1006); 4000-4009 keep the session resumable. */
  dropGateway(code?: number): void;
  /** Ask connected clients to reconnect and resume (op 7). */
  requestReconnect(): void;
  /** Send op 9; with resumable=false the session is forgotten so the client must re-IDENTIFY. */
  invalidateSession(resumable?: boolean): void;
  /** Number of sessions that are identified and not invalidated. */
  sessionCount(): number;
  /** `[shardId, shardCount]` of each session that is identified and not invalidated. */
  sessionShards(): Array<[number, number]>;
  /** Gateway websockets currently open (identified or not). A session dropped abruptly stays resumable but has none. */
  openConnections(): number;
  close(): Promise<void>;
}

export interface StartDiscordServerOptions {
  heartbeatIntervalMs?: number;
  token?: string;
  /** Create a forum channel (type 15) in the guild; default true. */
  forum?: boolean;
  /** Interactions must be acknowledged within this window or the callback gets 404/10062 (Discord: 3 s). 0 disables. */
  callbackDeadlineMs?: number;
  /** Privileged intents the application is allowed to use; requesting others closes with 4014. Default: all. */
  allowedPrivilegedIntents?: number;
  /** Shard count every session must IDENTIFY with (GET /gateway/bot returns it). Default 1. */
  shards?: number;
  /** Number of guilds the bot is in, each with its own text channel. Default 1. */
  guilds?: number;
}
