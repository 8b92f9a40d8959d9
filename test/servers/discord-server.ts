/**
 * A Discord-compatible fake (REST API v10 + JSON gateway) on 127.0.0.1 for end-to-end tests
 * with the real discord.js v14 Client:
 *
 *   const server = await startDiscordServer({ heartbeatIntervalMs: 250 });
 *   const client = new Client({ intents, rest: { api: server.restUrl } });
 *   await client.login(server.token);
 *
 * Paths recorded in `calls` are relative to /api/v10 (e.g. `/interactions/{id}/{token}/callback`).
 *
 * Sharding: `startDiscordServer({ shards: N, guilds: M })` creates M guilds (each with its own
 * text channel) and expects every session to IDENTIFY with `shard: [i, N]`. Like Discord, guild
 * `g` belongs to shard `(BigInt(g) >> 22n) % N`: a session's READY lists (and GUILD_CREATE sends)
 * only its guilds, and every guild event reaches only the sessions of the owning shard (DMs go to
 * shard 0). Guild `k` is given an id that lands on shard `k % N`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

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
}

export interface SlashCommandOptions {
  name: string;
  options?: CommandOption[];
  userId?: string;
  channelId?: string;
  /** Member permission bitfield as a decimal string; default: a plain member without admin bits. */
  permissions?: string;
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

// ---------------------------------------------------------------------------------------------
// Constants (values from discord-api-types v10)
// ---------------------------------------------------------------------------------------------

const Op = {
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

const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;
const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;

const ChannelType = { GuildText: 0, DM: 1, PublicThread: 11, PrivateThread: 12, GuildForum: 15 } as const;
const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
const CallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredMessageUpdate: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;
const MessageType = { Default: 0, ThreadCreated: 18, Reply: 19, ChatInputCommand: 20, ThreadStarterMessage: 21 } as const;
const MessageFlag = { HasThread: 1 << 5, Ephemeral: 1 << 6, Loading: 1 << 7, IsComponentsV2: 1 << 15 } as const;

const Perm = {
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
const BOT_ROLE_PERMISSIONS = (Perm.ManageMessages | Perm.ManageThreads).toString();
const BOT_PERMISSIONS = (BigInt(MEMBER_PERMISSIONS) | BigInt(BOT_ROLE_PERMISSIONS)).toString();

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const DISCORD_EPOCH = 1420070400000n;
let snowflakeIncrement = 0n;

/** Real-looking 19-digit snowflakes; @discordjs/rest only buckets ids that are 17-19 digits. */
export function snowflake(at: number = Date.now()): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | snowflakeIncrement).toString();
}

/** A snowflake whose timestamp puts it on `shard` of `shardCount` ((id >> 22) % count), as Discord routes guilds. */
function snowflakeOnShard(shard: number, shardCount: number): string {
  const count = BigInt(shardCount);
  let ms = BigInt(Date.now()) - DISCORD_EPOCH;
  ms += (((BigInt(shard) - ms) % count) + count) % count;
  return snowflake(Number(ms + DISCORD_EPOCH));
}

function isoNow(at: number = Date.now()): string {
  // Discord's format: microsecond precision with an explicit offset.
  return new Date(at).toISOString().replace('Z', '000+00:00');
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

class HttpError {
  constructor(
    readonly status: number,
    readonly body: any,
  ) {}
}

function apiError(status: number, code: number, message: string, errors?: any): HttpError {
  return new HttpError(status, errors ? { message, code, errors } : { message, code });
}

const invalidFormBody = (errors: any) => apiError(400, 50035, 'Invalid Form Body', errors);
const unknownChannel = () => apiError(404, 10003, 'Unknown Channel');
const unknownMessage = () => apiError(404, 10008, 'Unknown Message');
const unknownWebhook = () => apiError(404, 10015, 'Unknown Webhook');
const unknownInteraction = () => apiError(404, 10062, 'Unknown interaction');

function fieldError(code: string, message: string) {
  return { _errors: [{ code, message }] };
}

function maxLen(max: number) {
  return fieldError('BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
}

function setPath(target: any, path: Array<string | number>, value: any): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] ??= {};
  node[path[path.length - 1]] = value;
}

function strLen(v: unknown): number {
  return typeof v === 'string' ? [...v].length : 0;
}

/** Mirrors Discord's message limits closely enough to catch payloads the real API rejects. */
function validateMessageBody(body: any, fileCount: number, prefix: Array<string | number> = []): HttpError | null {
  const errors: any = {};
  const add = (path: Array<string | number>, err: any) => setPath(errors, [...prefix, ...path], err);
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') add(['content'], fieldError('BASE_TYPE_BAD_TYPE', 'Must be a string.'));
    else if (strLen(body.content) > 2000) add(['content'], maxLen(2000));
  }
  const embeds: any[] = Array.isArray(body.embeds) ? body.embeds : [];
  if (embeds.length > 10) add(['embeds'], maxLen(10));
  let embedTotal = 0;
  embeds.forEach((e, i) => {
    if (!e || typeof e !== 'object') return;
    const checks: Array<[Array<string | number>, unknown, number]> = [
      [['title'], e.title, 256],
      [['description'], e.description, 4096],
      [['footer', 'text'], e.footer?.text, 2048],
      [['author', 'name'], e.author?.name, 256],
    ];
    for (const [p, v, max] of checks) {
      embedTotal += strLen(v);
      if (strLen(v) > max) add(['embeds', i, ...p], maxLen(max));
    }
    const fields: any[] = Array.isArray(e.fields) ? e.fields : [];
    if (fields.length > 25) add(['embeds', i, 'fields'], maxLen(25));
    fields.forEach((f, j) => {
      embedTotal += strLen(f?.name) + strLen(f?.value);
      if (!strLen(f?.name)) add(['embeds', i, 'fields', j, 'name'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
      if (strLen(f?.name) > 256) add(['embeds', i, 'fields', j, 'name'], maxLen(256));
      if (!strLen(f?.value)) add(['embeds', i, 'fields', j, 'value'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
      if (strLen(f?.value) > 1024) add(['embeds', i, 'fields', j, 'value'], maxLen(1024));
    });
  });
  if (embedTotal > 6000) add(['embeds'], fieldError('MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000'));
  const components: any[] = Array.isArray(body.components) ? body.components : [];
  const v2 = ((body.flags ?? 0) & MessageFlag.IsComponentsV2) !== 0;
  if (!v2) {
    if (components.length > 5) add(['components'], maxLen(5));
    components.forEach((row, i) => {
      if (row?.type !== 1) {
        add(['components', i, 'type'], fieldError('UNION_TYPE_CHOICES', 'Top-level components must be action rows'));
        return;
      }
      const children: any[] = Array.isArray(row.components) ? row.components : [];
      if (children.length === 0 || children.length > 5)
        add(['components', i, 'components'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.'));
      children.forEach((c, j) => {
        if (c?.type !== 2) return;
        const isLink = c.style === 5;
        if (isLink && !c.url) add(['components', i, 'components', j, 'url'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
        if (!isLink && c.style !== 6 && !c.custom_id)
          add(['components', i, 'components', j, 'custom_id'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
        if (strLen(c.custom_id) > 100) add(['components', i, 'components', j, 'custom_id'], maxLen(100));
        if (strLen(c.label) > 80) add(['components', i, 'components', j, 'label'], maxLen(80));
      });
    });
  }
  if (Object.keys(errors).length) return invalidFormBody(errors);
  const hasContent =
    strLen(body.content) > 0 ||
    embeds.length > 0 ||
    components.length > 0 ||
    fileCount > 0 ||
    (Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0) ||
    body.poll != null;
  if (!hasContent) return apiError(400, 50006, 'Cannot send an empty message');
  return null;
}

function normalizeEmbeds(embeds: any[] | undefined): any[] {
  if (!Array.isArray(embeds)) return [];
  return embeds.map((e) => {
    const out: any = { type: 'rich' };
    for (const [k, v] of Object.entries(e ?? {})) if (v !== null && v !== undefined) out[k] = v;
    if (out.color === undefined) delete out.color;
    for (const media of ['image', 'thumbnail'] as const) {
      if (out[media]?.url) out[media] = { ...out[media], proxy_url: out[media].url, width: 0, height: 0 };
    }
    return out;
  });
}

/** Discord assigns numeric ids to components it stores. */
function normalizeComponents(components: any[] | undefined): any[] {
  if (!Array.isArray(components)) return [];
  let next = 1;
  const walk = (c: any): any => {
    const out = { ...c, id: c.id ?? next++ };
    if (Array.isArray(c.components)) out.components = c.components.map(walk);
    return out;
  };
  return components.map(walk);
}

function parseQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  return out;
}

interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType: string;
  data: Buffer;
}

async function readBody(req: http.IncomingMessage): Promise<{ body: any; files: UploadedFile[] | undefined; error?: HttpError }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = String(req.headers['content-type'] ?? '');
  if (raw.length === 0) return { body: undefined, files: undefined };
  if (type.startsWith('multipart/form-data')) {
    // undici's Response implements a spec-compliant multipart parser.
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const files: UploadedFile[] = [];
    let body: any = {};
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = { ...body, ...JSON.parse(value) };
        else body[field] = value;
      } else {
        files.push({ field, name: value.name, size: value.size, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
      }
    }
    return { body, files };
  }
  const text = raw.toString('utf8');
  if (type.startsWith('application/json')) {
    try {
      return { body: JSON.parse(text), files: undefined };
    } catch {
      return { body: text, files: undefined, error: apiError(400, 50109, 'The request body contains invalid JSON.') };
    }
  }
  return { body: text, files: undefined };
}

// ---------------------------------------------------------------------------------------------
// Server state shapes
// ---------------------------------------------------------------------------------------------

interface Session {
  id: string;
  /** [shardId, shardCount] from IDENTIFY. */
  shard: [number, number];
  intents: number;
  seq: number;
  log: Array<{ op: 0; t: string; s: number; d: any }>;
  ws: WebSocket | null;
  invalid: boolean;
}

interface GuildState {
  id: string;
  name: string;
  textChannelId: string;
  botRoleId: string;
  roles: any[];
}

interface Conn {
  ws: WebSocket;
  session: Session | null;
}

interface InteractionState {
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
  modal?: any;
}

interface Route {
  method: string;
  parts: string[];
  auth: boolean;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

interface RouteContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: any;
  files: UploadedFile[];
  at: number;
}

interface RouteResult {
  status: number;
  body?: any;
  headers?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export async function startDiscordServer(opts: StartDiscordServerOptions = {}): Promise<FakeDiscordServer> {
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
  let closed = false;

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

  // -------------------------------------------------------------------------------------------
  // Gateway
  // -------------------------------------------------------------------------------------------

  function send(ws: WebSocket | null, payload: any): void {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  function liveSessions(): Session[] {
    return [...sessions.values()].filter((s) => !s.invalid);
  }

  function sessionWants(session: Session, t: string, d: any): boolean {
    const has = (bit: number) => (session.intents & bit) !== 0;
    switch (t) {
      case 'GUILD_CREATE':
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE':
      case 'CHANNEL_CREATE':
        return has(Intent.Guilds);
      case 'MESSAGE_CREATE':
      case 'MESSAGE_UPDATE':
      case 'MESSAGE_DELETE':
        return d.guild_id ? has(Intent.GuildMessages) : has(Intent.DirectMessages);
      default:
        return true;
    }
  }

  /** Discord blanks content for apps without the MESSAGE_CONTENT intent unless the bot wrote or was mentioned. */
  function redactForSession(session: Session, t: string, d: any): any {
    if (t !== 'MESSAGE_CREATE' && t !== 'MESSAGE_UPDATE') return d;
    if (session.intents & Intent.MessageContent) return d;
    if (!d.guild_id || d.author?.id === botUserId) return d;
    if ((d.mentions ?? []).some((u: any) => u.id === botUserId)) return d;
    return { ...d, content: '', embeds: [], attachments: [], components: [], poll: undefined };
  }

  /** The shard an event belongs to: its guild's, or 0 for DMs (as Discord routes them). */
  function eventShard(d: any): number {
    const gid = d?.guild_id;
    return typeof gid === 'string' && /^\d+$/.test(gid) ? shardOf(gid) : 0;
  }

  /** Live sessions of the shard that owns an event. */
  function sessionsFor(d: any): Session[] {
    const shard = eventShard(d);
    return liveSessions().filter((s) => s.shard[0] === shard);
  }

  function dispatch(t: string, d: any, { required = false } = {}): void {
    const targets = sessionsFor(d);
    if (required && targets.length === 0) {
      const shard = shardCount > 1 ? ` of shard ${eventShard(d)}` : '';
      throw new Error(`fake discord: no gateway session${shard} to deliver ${t}; is the client logged in?`);
    }
    for (const session of targets) {
      if (!sessionWants(session, t, d)) continue;
      const payload = { op: Op.Dispatch as 0, t, s: ++session.seq, d: redactForSession(session, t, clone(d)) };
      session.log.push(payload);
      if (session.log.length > 5000) session.log.splice(0, session.log.length - 5000);
      send(session.ws, payload);
    }
  }

  function guildsOfShard(shard: number): GuildState[] {
    return guildList.filter((g) => shardOf(g.id) === shard);
  }

  function readyPayload(session: Session): any {
    return {
      v: 10,
      user_settings: {},
      user: { ...clone(botUser), verified: true, mfa_enabled: false, email: null },
      guilds: guildsOfShard(session.shard[0]).map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: `ws://127.0.0.1:${port}/resume-gateway`,
      shard: [...session.shard],
      application: { id: applicationId, flags: 1 << 23 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['fake'],
      auth: {},
      _trace: ['["fake-gateway",{"micros":0}]'],
    };
  }

  function onGatewayConnection(ws: WebSocket, url: URL): void {
    const conn: Conn = { ws, session: null };
    conns.add(conn);
    gatewayConnections.push({ path: url.pathname, query: parseQuery(url), at: Date.now() });

    if (url.searchParams.get('v') !== '10') {
      ws.close(4012, 'Invalid API version');
      return;
    }
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json' || url.searchParams.has('compress')) {
      // Only plain JSON is implemented; zlib-sync isn't installed so discord.js never asks for zlib-stream.
      ws.close(4002, 'Decode error: only encoding=json without transport compression is supported');
      return;
    }

    send(ws, { op: Op.Hello, d: { heartbeat_interval: heartbeatInterval, _trace: ['["fake-gateway",{"micros":0}]'] }, s: null, t: null });

    ws.on('message', (raw, isBinary) => {
      let payload: any;
      try {
        payload = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString('utf8') : raw.toString());
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      gatewayEvents.push({ op: payload.op, t: payload.t ?? null, at: Date.now(), d: payload.d });
      handleGatewayPayload(conn, payload);
    });

    ws.on('close', (code) => {
      conns.delete(conn);
      const session = conn.session;
      if (session && session.ws === ws) {
        session.ws = null;
        // A normal close from the client ends the session, just like Discord.
        if (code === 1000 || code === 1001) {
          session.invalid = true;
          sessions.delete(session.id);
        }
      }
    });
    ws.on('error', () => {
      /* the close handler does the bookkeeping */
    });
  }

  function handleGatewayPayload(conn: Conn, payload: any): void {
    const { ws } = conn;
    switch (payload.op) {
      case Op.Heartbeat:
        send(ws, { op: Op.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Op.Identify: {
        if (conn.session) {
          ws.close(4005, 'Already authenticated.');
          return;
        }
        const d = payload.d ?? {};
        if (d.token !== token) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        // No shard field means [0, 1]; the count must be the one /gateway/bot announces.
        const shard = d.shard ?? [0, 1];
        const validShard =
          Array.isArray(shard) &&
          shard.length === 2 &&
          Number.isInteger(shard[0]) &&
          shard[1] === shardCount &&
          shard[0] >= 0 &&
          shard[0] < shardCount;
        if (!validShard) {
          ws.close(4010, 'Invalid shard.');
          return;
        }
        if (typeof d.intents !== 'number') {
          ws.close(4013, 'Invalid intent(s).');
          return;
        }
        if (d.intents & PRIVILEGED_INTENTS & ~allowedPrivileged) {
          ws.close(4014, 'Disallowed intent(s).');
          return;
        }
        const session: Session = {
          id: randomBytes(16).toString('hex'),
          shard: [shard[0], shard[1]],
          intents: d.intents,
          seq: 0,
          log: [],
          ws,
          invalid: false,
        };
        sessions.set(session.id, session);
        conn.session = session;
        const ready = { op: Op.Dispatch as 0, t: 'READY', s: ++session.seq, d: readyPayload(session) };
        session.log.push(ready);
        send(ws, ready);
        if (session.intents & Intent.Guilds) {
          for (const guild of guildsOfShard(session.shard[0])) {
            const gc = { op: Op.Dispatch as 0, t: 'GUILD_CREATE', s: ++session.seq, d: guildCreatePayload(guild) };
            session.log.push(gc);
            send(ws, gc);
          }
        }
        return;
      }
      case Op.Resume: {
        if (conn.session) {
          ws.close(4005, 'Already authenticated.');
          return;
        }
        const d = payload.d ?? {};
        const session = sessions.get(d.session_id);
        if (!session || session.invalid || d.token !== token) {
          send(ws, { op: Op.InvalidSession, d: false, s: null, t: null });
          return;
        }
        if (session.ws && session.ws !== ws) session.ws.close(4009, 'Session superseded');
        session.ws = ws;
        conn.session = session;
        const from = Number(d.seq ?? 0);
        for (const entry of session.log) if (entry.s > from) send(ws, entry);
        const resumed = { op: Op.Dispatch as 0, t: 'RESUMED', s: ++session.seq, d: { _trace: ['["fake-gateway",{"micros":0}]'] } };
        session.log.push(resumed);
        send(ws, resumed);
        return;
      }
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
        if (!conn.session) ws.close(4003, 'Not authenticated.');
        return;
      case Op.RequestGuildMembers: {
        if (!conn.session) {
          ws.close(4003, 'Not authenticated.');
          return;
        }
        const d = payload.d ?? {};
        const wanted: string[] | undefined = d.user_ids ? [].concat(d.user_ids) : undefined;
        const found = [...members.values()].filter((m) => !wanted || wanted.includes(m.user.id));
        const chunk = {
          guild_id: d.guild_id,
          members: found.map((m) => memberOf(d.guild_id, m.user.id)),
          chunk_index: 0,
          chunk_count: 1,
          not_found: wanted ? wanted.filter((id) => !members.has(id)) : [],
          ...(d.nonce ? { nonce: d.nonce } : {}),
        };
        const session = conn.session;
        const entry = { op: Op.Dispatch as 0, t: 'GUILD_MEMBERS_CHUNK', s: ++session.seq, d: chunk };
        session.log.push(entry);
        send(ws, entry);
        return;
      }
      default:
        ws.close(4001, 'Unknown opcode.');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Messages
  // -------------------------------------------------------------------------------------------

  function computeMentions(content: string, allowed: any): { mentions: any[]; mention_everyone: boolean } {
    const ids = [...new Set([...String(content ?? '').matchAll(/<@!?(\d{17,20})>/g)].map((m) => m[1]))];
    const parse: string[] | undefined = allowed?.parse;
    const allowUser = (id: string) => !allowed || parse?.includes('users') || (allowed.users ?? []).includes(id);
    const mentions = ids.filter((id) => users.has(id) && allowUser(id)).map((id) => clone(users.get(id)));
    const everyone = /@(everyone|here)/.test(String(content ?? '')) && (!allowed || !!parse?.includes('everyone'));
    return { mentions, mention_everyone: everyone };
  }

  /** Uploaded bytes by attachment id, served at the attachment's url like Discord's CDN. */
  const attachmentData = new Map<string, { data: Buffer; contentType: string }>();

  function buildAttachments(body: any, files: UploadedFile[], existing: any[] = []): any[] {
    const described: any[] = Array.isArray(body?.attachments) ? body.attachments : [];
    const kept = body?.attachments === undefined ? existing : existing.filter((a) => described.some((d) => String(d.id) === a.id));
    const added = files.map((f, index) => {
      const meta = described.find((d) => String(d.id) === String(index)) ?? {};
      const id = snowflake();
      const filename = meta.filename ?? f.name;
      const url = `http://127.0.0.1:${port}/attachments/${id}/${encodeURIComponent(filename)}`;
      attachmentData.set(id, { data: f.data, contentType: f.contentType || 'application/octet-stream' });
      return {
        id,
        filename,
        size: f.size,
        url,
        proxy_url: url,
        content_type: f.contentType || 'application/octet-stream',
        ...(meta.description ? { description: meta.description } : {}),
      };
    });
    return [...kept, ...added];
  }

  function createMessage(fields: {
    channelId: string;
    author: any;
    body: any;
    files?: UploadedFile[];
    type?: number;
    webhookId?: string;
    interactionMetadata?: any;
    legacyInteraction?: any;
    flags?: number;
    reference?: any;
    at?: number;
  }): any {
    const { body } = fields;
    const at = fields.at ?? Date.now();
    const { mentions, mention_everyone } = computeMentions(body.content ?? '', body.allowed_mentions);
    const ch = channels.get(fields.channelId);
    const msg: any = {
      id: snowflake(at),
      type: fields.type ?? MessageType.Default,
      channel_id: fields.channelId,
      author: clone(fields.author),
      content: body.content ?? '',
      timestamp: isoNow(at),
      edited_timestamp: null,
      tts: !!body.tts,
      mention_everyone,
      mentions,
      mention_roles: [],
      mention_channels: [],
      attachments: buildAttachments(body, fields.files ?? []),
      embeds: normalizeEmbeds(body.embeds),
      reactions: undefined,
      pinned: false,
      flags: fields.flags ?? body.flags ?? 0,
      components: normalizeComponents(body.components),
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
      ...(body.poll ? { poll: body.poll } : {}),
    };
    delete msg.reactions;
    if (fields.webhookId) {
      msg.webhook_id = fields.webhookId;
      msg.application_id = applicationId;
    }
    if (fields.interactionMetadata) msg.interaction_metadata = fields.interactionMetadata;
    if (fields.legacyInteraction) msg.interaction = fields.legacyInteraction;
    if (fields.reference) {
      msg.message_reference = fields.reference;
      const ref = messagesById.get(fields.reference.message_id);
      if (ref && msg.type === MessageType.Reply) msg.referenced_message = clone(ref);
    }
    if (isThread(ch)) msg.position = historyOf(ch.id).length;
    return msg;
  }

  /** Store a message; ephemeral messages are reachable by id but never appear in channel history. */
  function storeMessage(msg: any): void {
    messagesById.set(msg.id, msg);
    if (msg.flags & MessageFlag.Ephemeral) return;
    historyOf(msg.channel_id).push(msg);
    const ch = channels.get(msg.channel_id);
    if (ch) {
      ch.last_message_id = msg.id;
      if (isThread(ch) && msg.type !== MessageType.ThreadStarterMessage) {
        ch.message_count = (ch.message_count ?? 0) + 1;
        ch.total_message_sent = (ch.total_message_sent ?? 0) + 1;
      }
    }
  }

  function gatewayMessage(msg: any): any {
    const ch = channels.get(msg.channel_id);
    const gid = channelGuildId(ch);
    const out = clone(msg);
    if (gid) {
      out.guild_id = gid;
      const { user: _user, ...member } = memberOf(gid, msg.author.id);
      out.member = member;
    }
    return out;
  }

  function dispatchMessage(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', msg: any): void {
    if (msg.flags & MessageFlag.Ephemeral) return;
    const payload = gatewayMessage(msg);
    setImmediate(() => {
      if (!closed) dispatch(t, payload);
    });
  }

  function dispatchMessageDelete(msg: any): void {
    if (msg.flags & MessageFlag.Ephemeral) return;
    const gid = channelGuildId(channels.get(msg.channel_id));
    setImmediate(() => {
      if (!closed) dispatch('MESSAGE_DELETE', { id: msg.id, channel_id: msg.channel_id, ...(gid ? { guild_id: gid } : {}) });
    });
  }

  function deleteMessage(msg: any): void {
    messagesById.delete(msg.id);
    const list = history.get(msg.channel_id);
    if (list) {
      const i = list.indexOf(msg);
      if (i >= 0) list.splice(i, 1);
    }
    dispatchMessageDelete(msg);
  }

  function editMessage(msg: any, body: any, files: UploadedFile[]): void {
    if ('content' in body) msg.content = body.content ?? '';
    if ('embeds' in body) msg.embeds = normalizeEmbeds(body.embeds ?? []);
    if ('components' in body) msg.components = normalizeComponents(body.components ?? []);
    if ('attachments' in body || files.length) msg.attachments = buildAttachments(body, files, msg.attachments);
    if ('flags' in body && body.flags != null) {
      // Only SUPPRESS_EMBEDS / IS_COMPONENTS_V2 are editable; ephemeral-ness is fixed at creation.
      const editable = (1 << 2) | MessageFlag.IsComponentsV2;
      msg.flags = (msg.flags & ~editable) | (body.flags & editable);
    }
    if ('content' in body) Object.assign(msg, computeMentions(msg.content, body.allowed_mentions));
    msg.flags &= ~MessageFlag.Loading;
    msg.edited_timestamp = isoNow();
  }

  function requireChannel(id: string): any {
    const ch = channels.get(id);
    if (!ch) throw unknownChannel();
    return ch;
  }

  function requireMessage(channelId: string, messageId: string): any {
    requireChannel(channelId);
    const msg = messagesById.get(messageId);
    if (!msg || msg.channel_id !== channelId) throw unknownMessage();
    return msg;
  }

  function historyPage(channelId: string, query: Record<string, string>): any[] {
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw invalidFormBody({ limit: fieldError('NUMBER_TYPE_MAX', 'int value should be between 1 and 100.') });
    }
    const byIdDesc = [...historyOf(channelId)].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    let list = byIdDesc;
    if (query.before) list = list.filter((m) => BigInt(m.id) < BigInt(query.before));
    if (query.after) {
      // Discord returns the oldest `limit` messages after the id, still newest first.
      const after = list.filter((m) => BigInt(m.id) > BigInt(query.after));
      return clone(after.slice(Math.max(0, after.length - limit)));
    }
    if (query.around) {
      const idx = list.findIndex((m) => BigInt(m.id) <= BigInt(query.around));
      const start = Math.max(0, (idx < 0 ? list.length : idx) - Math.floor(limit / 2));
      return clone(list.slice(start, start + limit));
    }
    return clone(list.slice(0, limit));
  }

  // -------------------------------------------------------------------------------------------
  // Threads
  // -------------------------------------------------------------------------------------------

  function createThread(parent: any, body: any, id: string, type: number): any {
    const name = body?.name;
    if (typeof name !== 'string' || strLen(name) < 1 || strLen(name) > 100) {
      throw invalidFormBody({ name: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') });
    }
    const now = isoNow();
    const thread: any = {
      id,
      type,
      guild_id: parent.guild_id,
      parent_id: parent.id,
      owner_id: botUserId,
      name,
      last_message_id: null,
      rate_limit_per_user: body.rate_limit_per_user ?? 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0,
      applied_tags: Array.isArray(body.applied_tags) ? body.applied_tags : [],
      thread_metadata: {
        archived: false,
        auto_archive_duration: body.auto_archive_duration ?? parent.default_auto_archive_duration ?? 4320,
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
        ...(type === ChannelType.PrivateThread ? { invitable: body.invitable ?? true } : {}),
      },
      member: { id, user_id: botUserId, join_timestamp: now, flags: 1 },
    };
    channels.set(id, thread);
    createdThreads.push(id);
    return thread;
  }

  function dispatchThreadCreate(thread: any): void {
    const payload = { ...clone(thread), newly_created: true };
    setImmediate(() => {
      if (!closed) dispatch('THREAD_CREATE', payload);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Interactions
  // -------------------------------------------------------------------------------------------

  function newInteractionToken(id: string): string {
    return Buffer.from(`interaction:${id}:${randomBytes(48).toString('hex')}`).toString('base64url');
  }

  function commandIdFor(name: string, scopeGuildId: string | null): { id: string; guildId?: string } {
    const inGuild = scopeGuildId ? (guildCommands.get(scopeGuildId) ?? []).find((c) => c.name === name) : undefined;
    if (inGuild) return { id: inGuild.id, guildId: scopeGuildId! };
    const global = globalCommands.find((c) => c.name === name);
    if (global) return { id: global.id };
    const key = `unregistered:${name}`;
    let id = commandIds.get(key);
    if (!id) commandIds.set(key, (id = snowflake()));
    return { id };
  }

  function buildResolved(options: CommandOption[] | undefined, gid: string | null): any {
    const inGuild = gid !== null;
    const resolved: any = {};
    const visit = (opts: CommandOption[] | undefined) => {
      for (const o of opts ?? []) {
        if (o.options) visit(o.options);
        const id = typeof o.value === 'string' ? o.value : undefined;
        if (!id || o.focused) continue;
        if (o.type === 6 || o.type === 9) {
          if (users.has(id) || o.type === 6) {
            (resolved.users ??= {})[id] = clone(ensureUser(id));
            if (inGuild) {
              const { user: _u, ...m } = memberOf(gid, id);
              (resolved.members ??= {})[id] = { ...m, permissions: MEMBER_PERMISSIONS };
            }
          }
        } else if (o.type === 7 && channels.has(id)) {
          const ch = channels.get(id);
          (resolved.channels ??= {})[id] = {
            id,
            name: ch.name,
            type: ch.type,
            permissions: MEMBER_PERMISSIONS,
            ...(ch.parent_id ? { parent_id: ch.parent_id } : {}),
          };
        } else if (o.type === 8) {
          const role = guildList.flatMap((g) => g.roles).find((r) => r.id === id);
          if (role) (resolved.roles ??= {})[id] = clone(role);
        }
      }
    };
    visit(options);
    return Object.keys(resolved).length ? resolved : undefined;
  }

  function channelForInteraction(ch: any, permissions: string): any {
    const out = clone(ch);
    if (out.guild_id) out.permissions = permissions;
    return out;
  }

  function baseInteraction(
    type: number,
    o: { userId?: string; channelId?: string; guildId?: string; permissions?: string; guild?: boolean; locale?: string },
  ) {
    const id = snowflake();
    const uid = o.userId ?? userId;
    const user = ensureUser(uid);
    const inGuild = o.guild !== false;
    const ch = inGuild ? requireKnownChannel(o.channelId ?? requireGuild(o.guildId ?? guildId).textChannelId) : dmChannelFor(uid);
    const gid: string | null = inGuild ? (ch.guild_id ?? null) : null;
    if (inGuild && !gid) throw new Error(`fake discord: channel ${ch.id} is not in a guild; pass guild: false for a DM`);
    if (inGuild && o.guildId && gid !== o.guildId) throw new Error(`fake discord: channel ${ch.id} is not in guild ${o.guildId}`);
    const permissions = o.permissions ?? MEMBER_PERMISSIONS;
    const tokenValue = newInteractionToken(id);
    const payload: any = {
      id,
      application_id: applicationId,
      type,
      token: tokenValue,
      version: 1,
      channel: channelForInteraction(ch, permissions),
      channel_id: ch.id,
      app_permissions: inGuild ? BOT_PERMISSIONS : '0',
      locale: o.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': gid ?? '0' },
      context: inGuild ? 0 : 1,
      attachment_size_limit: 10 * 1024 * 1024,
    };
    if (inGuild) {
      const { user: _u, ...member } = memberOf(gid, uid);
      payload.guild_id = gid;
      payload.guild = { id: gid, locale: 'en-US', features: [] };
      payload.guild_locale = 'en-US';
      payload.member = { ...member, user: clone(user), permissions };
    } else {
      payload.user = clone(user);
    }
    const state: InteractionState = {
      id,
      token: tokenValue,
      type,
      channelId: ch.id,
      guildId: gid,
      userId: uid,
      sentAt: 0,
      acked: false,
      followUpIds: [],
    };
    return { payload, state, inGuild, gid };
  }

  function requireKnownChannel(id: string): any {
    const ch = channels.get(id);
    if (!ch) throw new Error(`fake discord: unknown channel ${id}`);
    return ch;
  }

  function deliverInteraction(payload: any, state: InteractionState): InteractionHandle {
    if (sessionsFor(payload).length === 0) {
      const shard = shardCount > 1 ? ` of shard ${eventShard(payload)}` : '';
      throw new Error(`fake discord: no gateway session${shard} to deliver INTERACTION_CREATE; is the client logged in?`);
    }
    interactions.set(state.id, state);
    interactionsByToken.set(state.token, state);
    state.sentAt = Date.now();
    dispatch('INTERACTION_CREATE', payload, { required: true });
    return { interactionId: state.id, token: state.token, sentAt: state.sentAt };
  }

  function commandInteraction(type: number, o: SlashCommandOptions): InteractionHandle {
    const { payload, state, gid } = baseInteraction(type, o);
    const cmd = commandIdFor(o.name, gid);
    const data: any = { id: cmd.id, name: o.name, type: 1 };
    if (cmd.guildId) data.guild_id = cmd.guildId;
    if (o.options?.length)
      data.options = clone(o.options).map(function strip(opt: any): any {
        const out: any = { name: opt.name, type: opt.type };
        if (opt.options) out.options = opt.options.map(strip);
        else if (opt.value !== undefined) out.value = opt.value;
        if (opt.focused) out.focused = true;
        return out;
      });
    const resolved = type === InteractionType.ApplicationCommand ? buildResolved(o.options, gid) : undefined;
    if (resolved) data.resolved = resolved;
    payload.data = data;
    state.name = o.name;
    state.commandType = 1;
    return deliverInteraction(payload, state);
  }

  function hasFocused(options: CommandOption[] | undefined): boolean {
    return (options ?? []).some((o) => o.focused || hasFocused(o.options));
  }

  function interactionMetadataFor(state: InteractionState, extra: any = {}): any {
    const user = clone(ensureUser(state.userId));
    const meta: any = {
      id: state.id,
      type: state.type,
      user,
      authorizing_integration_owners: { '0': state.guildId ?? '0' },
      ...extra,
    };
    if (state.type === InteractionType.ApplicationCommand) {
      meta.name = state.name;
      meta.command_type = state.commandType ?? 1;
    }
    if (state.type === InteractionType.MessageComponent && state.sourceMessageId) meta.interacted_message_id = state.sourceMessageId;
    return meta;
  }

  function interactionMessage(state: InteractionState, body: any, files: UploadedFile[], flags: number, followUpOf?: string): any {
    const isCommand = state.type === InteractionType.ApplicationCommand;
    const msg = createMessage({
      channelId: state.channelId,
      author: botUser,
      body,
      files,
      type: followUpOf ? MessageType.Reply : isCommand ? MessageType.ChatInputCommand : MessageType.Default,
      webhookId: applicationId,
      flags,
      interactionMetadata: interactionMetadataFor(state, followUpOf ? { original_response_message_id: followUpOf } : {}),
      legacyInteraction:
        isCommand && !followUpOf ? { id: state.id, type: state.type, name: state.name, user: clone(ensureUser(state.userId)) } : undefined,
      reference: followUpOf
        ? { type: 0, message_id: followUpOf, channel_id: state.channelId, ...(state.guildId ? { guild_id: state.guildId } : {}) }
        : undefined,
    });
    return msg;
  }

  function handleCallback(ctx: RouteContext): RouteResult {
    const state = interactions.get(ctx.params.id);
    if (!state || state.token !== ctx.params.token) throw unknownInteraction();
    if (state.acked) throw apiError(400, 40060, 'Interaction has already been acknowledged.');
    if (callbackDeadlineMs > 0 && ctx.at - state.sentAt > callbackDeadlineMs) throw unknownInteraction();
    const body = ctx.body ?? {};
    const type = body.type;
    const data = body.data ?? {};
    const allowed: Record<number, number[]> = {
      [InteractionType.ApplicationCommand]: [
        CallbackType.ChannelMessageWithSource,
        CallbackType.DeferredChannelMessageWithSource,
        CallbackType.Modal,
        10,
        12,
      ],
      [InteractionType.MessageComponent]: [
        CallbackType.ChannelMessageWithSource,
        CallbackType.DeferredChannelMessageWithSource,
        CallbackType.DeferredMessageUpdate,
        CallbackType.UpdateMessage,
        CallbackType.Modal,
        10,
        12,
      ],
      [InteractionType.Autocomplete]: [CallbackType.AutocompleteResult],
    };
    if (!(allowed[state.type] ?? []).includes(type)) {
      throw invalidFormBody({
        type: fieldError('INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${type} is not valid for this interaction`),
      });
    }

    let message: any;
    let loading = false;
    switch (type) {
      case CallbackType.ChannelMessageWithSource: {
        const err = validateMessageBody(data, ctx.files.length, ['data']);
        if (err) throw err;
        message = interactionMessage(
          state,
          data,
          ctx.files,
          (data.flags ?? 0) & (MessageFlag.Ephemeral | (1 << 2) | (1 << 12) | MessageFlag.IsComponentsV2),
        );
        storeMessage(message);
        state.originalId = message.id;
        dispatchMessage('MESSAGE_CREATE', message);
        break;
      }
      case CallbackType.DeferredChannelMessageWithSource: {
        message = interactionMessage(state, { content: '' }, [], MessageFlag.Loading | ((data.flags ?? 0) & MessageFlag.Ephemeral));
        storeMessage(message);
        state.originalId = message.id;
        loading = true;
        dispatchMessage('MESSAGE_CREATE', message);
        break;
      }
      case CallbackType.DeferredMessageUpdate:
        state.originalId = state.sourceMessageId;
        break;
      case CallbackType.UpdateMessage: {
        const source = state.sourceMessageId ? messagesById.get(state.sourceMessageId) : undefined;
        if (!source) throw unknownMessage();
        editMessage(source, data, ctx.files);
        state.originalId = source.id;
        message = source;
        dispatchMessage('MESSAGE_UPDATE', source);
        break;
      }
      case CallbackType.AutocompleteResult: {
        const choices: any[] = Array.isArray(data.choices) ? data.choices : [];
        const errors: any = {};
        if (choices.length > 25) setPath(errors, ['data', 'choices'], maxLen(25));
        choices.forEach((c, i) => {
          if (strLen(c?.name) < 1 || strLen(c?.name) > 100)
            setPath(errors, ['data', 'choices', i, 'name'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
          if (typeof c?.value === 'string' && strLen(c.value) > 100) setPath(errors, ['data', 'choices', i, 'value'], maxLen(100));
        });
        if (Object.keys(errors).length) throw invalidFormBody(errors);
        state.autocompleteChoices = clone(choices);
        break;
      }
      case CallbackType.Modal:
        state.modal = clone(data);
        break;
      default:
        break;
    }
    state.acked = true;
    state.callbackType = type;

    if (ctx.query.with_response !== 'true') return { status: 204 };
    const original = state.originalId ? messagesById.get(state.originalId) : undefined;
    const result: any = {
      interaction: {
        id: state.id,
        type: state.type,
        ...(original
          ? {
              response_message_id: original.id,
              response_message_loading: loading,
              response_message_ephemeral: (original.flags & MessageFlag.Ephemeral) !== 0,
            }
          : {}),
      },
      resource: { type },
    };
    if (message && (type === CallbackType.ChannelMessageWithSource || type === CallbackType.UpdateMessage)) {
      result.resource.message = clone(message);
    }
    return { status: 200, body: result };
  }

  function webhookState(ctx: RouteContext): InteractionState {
    if (ctx.params.app !== applicationId) throw unknownWebhook();
    const state = interactionsByToken.get(ctx.params.token);
    // Discord only creates the interaction webhook once the interaction has been acknowledged.
    if (!state?.acked) throw unknownWebhook();
    return state;
  }

  function webhookMessage(state: InteractionState, ref: string): any {
    const id = ref === '@original' ? state.originalId : ref;
    if (!id) throw unknownMessage();
    const msg = messagesById.get(id);
    const belongs = ref === '@original' || state.followUpIds.includes(id) || id === state.originalId;
    if (!msg || !belongs) throw unknownMessage();
    return msg;
  }

  // -------------------------------------------------------------------------------------------
  // Application commands
  // -------------------------------------------------------------------------------------------

  function normalizeCommand(cmd: any, scopeGuildId: string | undefined, index: number, errors: any): any {
    const type = cmd?.type ?? 1;
    const name = cmd?.name;
    if (
      typeof name !== 'string' ||
      !/^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u.test(name) ||
      (type === 1 && name !== name.toLowerCase())
    ) {
      setPath(errors, [index, 'name'], fieldError('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid'));
    }
    if (type === 1 && (strLen(cmd?.description) < 1 || strLen(cmd?.description) > 100)) {
      setPath(errors, [index, 'description'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
    }
    if (Array.isArray(cmd?.options) && cmd.options.length > 25) setPath(errors, [index, 'options'], maxLen(25));
    const key = `${scopeGuildId ?? 'global'}:${type}:${name}`;
    let id = commandIds.get(key);
    if (!id) commandIds.set(key, (id = snowflake()));
    return {
      id,
      application_id: applicationId,
      version: snowflake(),
      default_member_permissions: cmd?.default_member_permissions ?? null,
      type,
      name,
      name_localizations: cmd?.name_localizations ?? null,
      description: cmd?.description ?? '',
      description_localizations: cmd?.description_localizations ?? null,
      ...(scopeGuildId ? { guild_id: scopeGuildId } : { dm_permission: cmd?.dm_permission ?? true }),
      contexts: cmd?.contexts ?? null,
      integration_types: cmd?.integration_types ?? [0],
      nsfw: cmd?.nsfw ?? false,
      ...(Array.isArray(cmd?.options) ? { options: cmd.options } : {}),
    };
  }

  function commandList(scope: string | undefined): any[] {
    if (!scope) return globalCommands;
    let list = guildCommands.get(scope);
    if (!list) guildCommands.set(scope, (list = []));
    return list;
  }

  function checkApp(ctx: RouteContext): void {
    if (ctx.params.app !== applicationId) throw apiError(403, 50001, 'Missing Access');
    if (ctx.params.guild && !guildsById.has(ctx.params.guild)) throw apiError(403, 50001, 'Missing Access');
  }

  function bulkOverwrite(ctx: RouteContext): RouteResult {
    checkApp(ctx);
    if (!Array.isArray(ctx.body)) throw invalidFormBody({ _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }] });
    if (ctx.body.length > 100) throw invalidFormBody({ _errors: [maxLen(100)._errors[0]] });
    const errors: any = {};
    const out = ctx.body.map((c: any, i: number) => normalizeCommand(c, ctx.params.guild, i, errors));
    const seen = new Set<string>();
    out.forEach((c: any, i: number) => {
      const key = `${c.type}:${c.name}`;
      if (seen.has(key))
        setPath(errors, [i, 'name'], fieldError('APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`));
      seen.add(key);
    });
    if (Object.keys(errors).length) throw invalidFormBody(errors);
    const list = commandList(ctx.params.guild);
    list.splice(0, list.length, ...out);
    return { status: 200, body: clone(out) };
  }

  function upsertCommand(ctx: RouteContext): RouteResult {
    checkApp(ctx);
    const errors: any = {};
    const cmd = normalizeCommand(ctx.body, ctx.params.guild, 0, errors);
    if (Object.keys(errors).length) throw invalidFormBody(errors[0]);
    const list = commandList(ctx.params.guild);
    const i = list.findIndex((c) => c.id === cmd.id);
    if (i >= 0) list[i] = cmd;
    else list.push(cmd);
    return { status: i >= 0 ? 200 : 201, body: clone(cmd) };
  }

  function deleteCommand(ctx: RouteContext): RouteResult {
    checkApp(ctx);
    const list = commandList(ctx.params.guild);
    const i = list.findIndex((c) => c.id === ctx.params.cmd);
    if (i < 0) throw apiError(404, 10063, 'Unknown application command');
    list.splice(i, 1);
    return { status: 204 };
  }

  // -------------------------------------------------------------------------------------------
  // Routes
  // -------------------------------------------------------------------------------------------

  const routes: Route[] = [];
  const route = (method: string, pattern: string, auth: boolean, handler: Route['handler']) =>
    routes.push({ method, parts: pattern.split('/').filter(Boolean), auth, handler });

  route('GET', '/gateway', false, () => ({ status: 200, body: { url: gatewayUrl } }));
  route('GET', '/gateway/bot', true, () => ({
    status: 200,
    body: {
      url: gatewayUrl,
      shards: shardCount,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
    },
  }));
  route('GET', '/users/@me', true, () => ({ status: 200, body: clone(botUser) }));
  route('POST', '/users/@me/channels', true, (ctx) => {
    const rid = ctx.body?.recipient_id;
    if (!rid || !users.has(rid)) throw apiError(400, 50007, 'Cannot send messages to this user');
    return { status: 200, body: clone(dmChannelFor(rid)) };
  });
  route('GET', '/users/:id', true, (ctx) => {
    const u = users.get(ctx.params.id);
    if (!u) throw apiError(404, 10013, 'Unknown User');
    return { status: 200, body: clone(u) };
  });
  route('GET', '/applications/@me', true, () => ({
    status: 200,
    body: {
      id: applicationId,
      name: 'research-bot',
      icon: null,
      description: '',
      summary: '',
      type: null,
      bot: clone(botUser),
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: randomBytes(32).toString('hex'),
      flags: 1 << 23,
      hook: true,
      is_monetized: false,
      is_verified: false,
      is_discoverable: false,
      owner: clone(ensureUser(userId)),
      team: null,
      approximate_guild_count: guildCount,
      approximate_user_install_count: 0,
      integration_types_config: { '0': {} },
      redirect_uris: [],
      interactions_endpoint_url: null,
      tags: [],
    },
  }));
  route('GET', '/applications/:app/commands', true, (ctx) => (checkApp(ctx), { status: 200, body: clone(commandList(undefined)) }));
  route('PUT', '/applications/:app/commands', true, bulkOverwrite);
  route('POST', '/applications/:app/commands', true, upsertCommand);
  route('DELETE', '/applications/:app/commands/:cmd', true, deleteCommand);
  route(
    'GET',
    '/applications/:app/guilds/:guild/commands',
    true,
    (ctx) => (checkApp(ctx), { status: 200, body: clone(commandList(ctx.params.guild)) }),
  );
  route('PUT', '/applications/:app/guilds/:guild/commands', true, bulkOverwrite);
  route('POST', '/applications/:app/guilds/:guild/commands', true, upsertCommand);
  route('DELETE', '/applications/:app/guilds/:guild/commands/:cmd', true, deleteCommand);

  route('POST', '/interactions/:id/:token/callback', false, handleCallback);

  route('POST', '/webhooks/:app/:token', false, (ctx) => {
    const state = webhookState(ctx);
    const body = ctx.body ?? {};
    const err = validateMessageBody(body, ctx.files.length);
    if (err) throw err;
    const original = state.originalId ? messagesById.get(state.originalId) : undefined;
    let msg: any;
    let event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' = 'MESSAGE_CREATE';
    if (original && original.flags & MessageFlag.Loading && state.callbackType === CallbackType.DeferredChannelMessageWithSource) {
      // Discord turns the first follow-up after a deferred reply into the reply itself.
      editMessage(original, { ...body, flags: undefined }, ctx.files);
      original.edited_timestamp = null;
      msg = original;
      event = 'MESSAGE_UPDATE';
    } else {
      msg = interactionMessage(
        state,
        body,
        ctx.files,
        (body.flags ?? 0) & (MessageFlag.Ephemeral | (1 << 2) | (1 << 12) | MessageFlag.IsComponentsV2),
        state.originalId,
      );
      storeMessage(msg);
    }
    state.followUpIds.push(msg.id);
    dispatchMessage(event, msg);
    return ctx.query.wait === 'true' ? { status: 200, body: clone(msg) } : { status: 204 };
  });
  route('GET', '/webhooks/:app/:token/messages/:mid', false, (ctx) => {
    const msg = webhookMessage(webhookState(ctx), ctx.params.mid);
    return { status: 200, body: clone(msg) };
  });
  route('PATCH', '/webhooks/:app/:token/messages/:mid', false, (ctx) => {
    const msg = webhookMessage(webhookState(ctx), ctx.params.mid);
    const body = ctx.body ?? {};
    const merged = {
      content: 'content' in body ? body.content : msg.content,
      embeds: 'embeds' in body ? body.embeds : msg.embeds,
      components: 'components' in body ? body.components : msg.components,
      flags: body.flags ?? msg.flags,
    };
    const keptFiles = 'attachments' in body ? (body.attachments ?? []).length : msg.attachments.length;
    const err = validateMessageBody(merged, ctx.files.length + keptFiles);
    if (err) throw err;
    editMessage(msg, body, ctx.files);
    dispatchMessage('MESSAGE_UPDATE', msg);
    return { status: 200, body: clone(msg) };
  });
  route('DELETE', '/webhooks/:app/:token/messages/:mid', false, (ctx) => {
    const state = webhookState(ctx);
    const msg = webhookMessage(state, ctx.params.mid);
    deleteMessage(msg);
    return { status: 204 };
  });

  route('GET', '/channels/:id', true, (ctx) => ({ status: 200, body: clone(requireChannel(ctx.params.id)) }));
  route('GET', '/channels/:id/messages', true, (ctx) => {
    requireChannel(ctx.params.id);
    return { status: 200, body: historyPage(ctx.params.id, ctx.query) };
  });
  route('POST', '/channels/:id/messages', true, (ctx) => {
    const ch = requireChannel(ctx.params.id);
    if (ch.type === ChannelType.GuildForum) throw apiError(400, 50008, 'Cannot send messages in a non-text channel');
    if (isThread(ch) && ch.thread_metadata?.archived) throw apiError(400, 50083, 'Thread is archived');
    const body = ctx.body ?? {};
    const err = validateMessageBody(body, ctx.files.length);
    if (err) throw err;
    let reference: any;
    let type: number = MessageType.Default;
    if (body.message_reference?.message_id) {
      const ref = messagesById.get(body.message_reference.message_id);
      if (!ref && body.message_reference.fail_if_not_exists !== false) {
        throw invalidFormBody({ message_reference: fieldError('REPLIES_UNKNOWN_MESSAGE', 'Unknown message') });
      }
      if (ref) {
        type = MessageType.Reply;
        reference = { type: 0, message_id: ref.id, channel_id: ref.channel_id, ...(ch.guild_id ? { guild_id: ch.guild_id } : {}) };
      }
    }
    const msg = createMessage({
      channelId: ch.id,
      author: botUser,
      body,
      files: ctx.files,
      type,
      reference,
      flags: (body.flags ?? 0) & ((1 << 2) | (1 << 12) | MessageFlag.IsComponentsV2),
    });
    storeMessage(msg);
    dispatchMessage('MESSAGE_CREATE', msg);
    return { status: 200, body: clone(msg) };
  });
  route('GET', '/channels/:id/messages/:mid', true, (ctx) => ({ status: 200, body: clone(requireMessage(ctx.params.id, ctx.params.mid)) }));
  route('PATCH', '/channels/:id/messages/:mid', true, (ctx) => {
    const msg = requireMessage(ctx.params.id, ctx.params.mid);
    if (msg.author.id !== botUserId) throw apiError(403, 50005, 'Cannot edit a message authored by another user');
    editMessage(msg, ctx.body ?? {}, ctx.files);
    dispatchMessage('MESSAGE_UPDATE', msg);
    return { status: 200, body: clone(msg) };
  });
  route('DELETE', '/channels/:id/messages/:mid', true, (ctx) => {
    deleteMessage(requireMessage(ctx.params.id, ctx.params.mid));
    return { status: 204 };
  });
  route('PUT', '/channels/:id/messages/:mid/reactions/:emoji/@me', true, (ctx) => {
    const msg = requireMessage(ctx.params.id, ctx.params.mid);
    const name = ctx.params.emoji;
    msg.reactions ??= [];
    const existing = msg.reactions.find((r: any) => r.emoji.name === name);
    if (existing) {
      if (!existing.me) existing.count++;
      existing.me = true;
    } else {
      msg.reactions.push({
        count: 1,
        count_details: { burst: 0, normal: 1 },
        me: true,
        me_burst: false,
        burst_colors: [],
        emoji: { id: null, name },
      });
    }
    return { status: 204 };
  });
  route('POST', '/channels/:id/typing', true, (ctx) => (requireChannel(ctx.params.id), { status: 204 }));
  route('POST', '/channels/:id/messages/:mid/threads', true, (ctx) => {
    const parent = requireChannel(ctx.params.id);
    if (parent.type !== ChannelType.GuildText) throw apiError(400, 50024, 'Cannot execute action on this channel type');
    const starter = requireMessage(parent.id, ctx.params.mid);
    if (starter.flags & MessageFlag.HasThread) throw apiError(400, 160004, 'A thread has already been created for this message');
    // A thread started from a message shares the message's id.
    const thread = createThread(parent, ctx.body ?? {}, starter.id, ChannelType.PublicThread);
    starter.flags |= MessageFlag.HasThread;
    starter.thread = clone(thread);
    // The thread opens with a THREAD_STARTER_MESSAGE that points back at the parent message.
    const sys = createMessage({
      channelId: thread.id,
      author: starter.author,
      body: { content: '' },
      type: MessageType.ThreadStarterMessage,
      reference: { type: 0, message_id: starter.id, channel_id: parent.id, guild_id: parent.guild_id },
    });
    sys.referenced_message = clone(starter);
    delete sys.referenced_message.thread;
    sys.position = 0;
    storeMessage(sys);
    dispatchThreadCreate(thread);
    dispatchMessage('MESSAGE_UPDATE', starter);
    return { status: 201, body: clone(thread) };
  });
  route('POST', '/channels/:id/threads', true, (ctx) => {
    const parent = requireChannel(ctx.params.id);
    const body = ctx.body ?? {};
    if (parent.type === ChannelType.GuildForum) {
      const err = validateMessageBody(body.message ?? {}, ctx.files.length, ['message']);
      if (err) throw err;
      const id = snowflake();
      const thread = createThread(parent, body, id, ChannelType.PublicThread);
      const starter = createMessage({ channelId: id, author: botUser, body: body.message, files: ctx.files });
      // A forum post's first message shares the thread's id.
      starter.id = id;
      starter.position = 0;
      storeMessage(starter);
      thread.message_count = 0;
      dispatchThreadCreate(thread);
      dispatchMessage('MESSAGE_CREATE', starter);
      return { status: 201, body: { ...clone(thread), message: clone(starter) } };
    }
    if (parent.type !== ChannelType.GuildText) throw apiError(400, 50024, 'Cannot execute action on this channel type');
    const type = body.type === ChannelType.PrivateThread ? ChannelType.PrivateThread : ChannelType.PublicThread;
    const thread = createThread(parent, body, snowflake(), type);
    if (type === ChannelType.PublicThread) {
      const notice = createMessage({
        channelId: parent.id,
        author: botUser,
        body: { content: thread.name },
        type: MessageType.ThreadCreated,
        reference: { type: 0, channel_id: thread.id, guild_id: parent.guild_id },
      });
      storeMessage(notice);
      dispatchMessage('MESSAGE_CREATE', notice);
    }
    dispatchThreadCreate(thread);
    return { status: 201, body: clone(thread) };
  });

  const knownGuild = (gid: string): GuildState => {
    const guild = guildsById.get(gid);
    if (!guild) throw apiError(404, 10004, 'Unknown Guild');
    return guild;
  };
  route('GET', '/guilds/:guild', true, (ctx) => ({ status: 200, body: guildObject(knownGuild(ctx.params.guild)) }));
  route('GET', '/guilds/:guild/channels', true, (ctx) => {
    const guild = knownGuild(ctx.params.guild);
    return { status: 200, body: clone([...channels.values()].filter((c) => c.guild_id === guild.id && !isThread(c))) };
  });
  route('GET', '/guilds/:guild/members/:uid', true, (ctx) => {
    const guild = knownGuild(ctx.params.guild);
    if (!members.has(ctx.params.uid)) throw apiError(404, 10007, 'Unknown Member');
    return { status: 200, body: memberOf(guild.id, ctx.params.uid) };
  });

  function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    const parts = path.split('/').filter(Boolean);
    for (const r of routes) {
      if (r.method !== method || r.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const p = r.parts[i];
        if (p.startsWith(':')) params[p.slice(1)] = parts[i];
        else if (p !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (ok) return { route: r, params };
    }
    return null;
  }

  function bucketHash(method: string, path: string): string {
    const template = path.replace(/\d{17,19}/g, ':id').replace(/\/webhooks\/:id\/[^/]+/, '/webhooks/:id/:token');
    let h = 0;
    for (const ch of `${method}:${template}`) h = (h * 31 + ch.charCodeAt(0)) | 0;
    return `fake${(h >>> 0).toString(16)}`;
  }

  function takeFault(method: string, path: string, rawPath: string): Fault | null {
    const i = faults.findIndex(
      (f) => (!f.method || f.method.toUpperCase() === method) && (path.includes(f.pathIncludes) || rawPath.includes(f.pathIncludes)),
    );
    if (i < 0) return null;
    const f = faults[i];
    if (--f.remaining <= 0) faults.splice(i, 1);
    return f.fault;
  }

  function faultResponse(fault: Fault, method: string, path: string): RouteResult {
    if (fault.status === 429 && 'retryAfter' in fault) {
      const global = fault.global ?? fault.scope === 'global';
      const scope = global ? 'global' : (fault.scope ?? 'user');
      const headers: Record<string, string> = {
        // Exact seconds (Discord rounds the header up); lets tests use sub-second waits.
        'retry-after': String(fault.retryAfter),
        'x-ratelimit-scope': scope,
      };
      if (global) headers['x-ratelimit-global'] = 'true';
      else {
        headers['x-ratelimit-limit'] = '5';
        headers['x-ratelimit-remaining'] = '0';
        headers['x-ratelimit-reset'] = ((Date.now() + fault.retryAfter * 1000) / 1000).toFixed(3);
        headers['x-ratelimit-reset-after'] = String(fault.retryAfter);
        headers['x-ratelimit-bucket'] = bucketHash(method, path);
      }
      return { status: 429, headers, body: { message: 'You are being rate limited.', retry_after: fault.retryAfter, global } };
    }
    const body =
      'body' in fault && fault.body !== undefined
        ? fault.body
        : { message: `${fault.status}: ${http.STATUS_CODES[fault.status] ?? 'Error'}`, code: 0 };
    return { status: fault.status, body };
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = parseQuery(url);
    const authorized = req.headers.authorization === `Bot ${token}`;
    let parsed: Awaited<ReturnType<typeof readBody>>;
    try {
      parsed = await readBody(req);
    } catch {
      parsed = { body: undefined, files: undefined, error: apiError(400, 50109, 'The request body contains invalid JSON.') };
    }
    const cdn = method === 'GET' ? /^\/attachments\/(\d+)\//.exec(url.pathname) : null;
    const stored = cdn ? attachmentData.get(cdn[1]) : undefined;
    if (stored) {
      res.writeHead(200, { 'content-type': stored.contentType, 'content-length': String(stored.data.length) });
      res.end(stored.data);
      return;
    }
    const prefix = '/api/v10';
    const rawPath = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    // discord-api-types' Routes percent-encode segments (`@original` goes out as `%40original`).
    let path = rawPath;
    try {
      path = rawPath.split('/').map(decodeURIComponent).join('/');
    } catch {
      /* keep the raw path */
    }

    let result: RouteResult;
    let injected = false;
    try {
      if (!url.pathname.startsWith(`${prefix}/`)) throw apiError(404, 0, '404: Not Found');
      if (parsed.error) throw parsed.error;
      const fault = takeFault(method, path, rawPath);
      if (fault) {
        injected = true;
        result = faultResponse(fault, method, path);
      } else {
        const m = matchRoute(method, path);
        if (!m) {
          const otherMethod = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].some((x) => matchRoute(x, path));
          throw otherMethod ? apiError(405, 0, '405: Method Not Allowed') : apiError(404, 0, '404: Not Found');
        }
        if (m.route.auth && !authorized) throw apiError(401, 0, '401: Unauthorized');
        result = await m.route.handler({ params: m.params, query, body: parsed.body, files: parsed.files ?? [], at });
      }
    } catch (err) {
      if (err instanceof HttpError) result = { status: err.status, body: err.body };
      else result = { status: 500, body: { message: `fake discord: ${(err as Error).message}`, code: 0 } };
    }

    const headers: Record<string, string> = { via: 'fake-discord', ...result.headers };
    if (!injected && result.status < 400 && !path.startsWith('/interactions/')) {
      headers['x-ratelimit-limit'] = '50';
      headers['x-ratelimit-remaining'] = '49';
      headers['x-ratelimit-reset'] = ((Date.now() + 1000) / 1000).toFixed(3);
      headers['x-ratelimit-reset-after'] = '1.000';
      headers['x-ratelimit-bucket'] = bucketHash(method, path);
    }
    const call: RestCall = {
      method,
      path,
      rawPath,
      query,
      body: parsed.body,
      at,
      status: result.status,
      authorized,
    };
    if (parsed.files) {
      call.files = parsed.files.length;
      call.fileNames = parsed.files.map((f) => f.name);
    }
    if (injected) call.injected = true;
    calls.push(call);

    if (result.body === undefined || result.status === 204) {
      res.writeHead(result.status, headers);
      res.end();
    } else {
      res.writeHead(result.status, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(result.body));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Listen
  // -------------------------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(err), code: 0 }));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/gateway' && url.pathname !== '/resume-gateway') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onGatewayConnection(ws, url));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  // -------------------------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------------------------

  const api: FakeDiscordServer = {
    restUrl: `http://127.0.0.1:${port}/api`,
    gatewayUrl,
    port,
    token,
    applicationId,
    botUserId,
    guildId,
    textChannelId,
    guildIds: guildList.map((g) => g.id),
    textChannelIds: guildList.map((g) => g.textChannelId),
    shardCount,
    shardOf,
    forumChannelId,
    userId,
    calls,
    gatewayEvents,
    gatewayConnections,

    sendSlashCommand(o) {
      return commandInteraction(InteractionType.ApplicationCommand, o);
    },

    sendAutocomplete(o) {
      if (!hasFocused(o.options)) throw new Error('fake discord: sendAutocomplete needs one option with focused: true');
      return commandInteraction(InteractionType.Autocomplete, o);
    },

    sendButton(o) {
      const channelId = o.channelId ?? requireGuild(o.guildId ?? guildId).textChannelId;
      requireKnownChannel(channelId);
      let source = o.messageId ? messagesById.get(o.messageId) : undefined;
      if (o.messageId && !source) throw new Error(`fake discord: unknown message ${o.messageId}`);
      if (!source) {
        // The button has to live on some bot message; make one that already existed.
        source = createMessage({
          channelId,
          author: botUser,
          body: {
            content: 'Pick one',
            components: [{ type: 1, components: [{ type: 2, style: 1, label: o.customId, custom_id: o.customId }] }],
          },
        });
        storeMessage(source);
      }
      const { payload, state } = baseInteraction(InteractionType.MessageComponent, { userId: o.userId, channelId: source.channel_id });
      payload.data = { custom_id: o.customId, component_type: 2 };
      payload.message = clone(source);
      state.sourceMessageId = source.id;
      return deliverInteraction(payload, state);
    },

    sendMessage(o) {
      const ch = requireKnownChannel(o.channelId);
      const authorId = o.authorId ?? userId;
      const author = ensureUser(authorId, { username: o.username, bot: o.bot });
      if (o.bot) author.bot = true;
      if (ch.guild_id) ensureMember(authorId);
      let reference: any;
      if (o.replyTo) {
        const ref = messagesById.get(o.replyTo);
        if (!ref) throw new Error(`fake discord: unknown message ${o.replyTo}`);
        reference = { type: 0, message_id: ref.id, channel_id: ref.channel_id, ...(ch.guild_id ? { guild_id: ch.guild_id } : {}) };
      }
      const msg = createMessage({
        channelId: ch.id,
        author,
        body: { content: o.content, nonce: snowflake() },
        type: reference ? MessageType.Reply : MessageType.Default,
        reference,
      });
      storeMessage(msg);
      // Like Discord, a user's message lands in history even when no bot session is connected.
      dispatch('MESSAGE_CREATE', gatewayMessage(msg));
      return { messageId: msg.id };
    },

    callbacks(interactionId) {
      return calls.filter((c) => c.method === 'POST' && c.path.startsWith(`/interactions/${interactionId}/`));
    },
    originalMessage(tok) {
      const state = interactionsByToken.get(tok);
      return state?.originalId ? clone(messagesById.get(state.originalId)) : undefined;
    },
    followUps(tok) {
      const state = interactionsByToken.get(tok);
      return (state?.followUpIds ?? [])
        .map((id) => messagesById.get(id))
        .filter(Boolean)
        .map(clone);
    },
    channelMessages(channelId) {
      return clone(history.get(channelId) ?? []);
    },
    message(messageId) {
      return clone(messagesById.get(messageId));
    },
    channel(channelId) {
      return clone(channels.get(channelId));
    },
    threads() {
      return createdThreads.map((id) => clone(channels.get(id)));
    },
    dmChannelId(uid = userId) {
      ensureUser(uid);
      return dmChannelFor(uid).id;
    },
    commands(scopeGuildId) {
      return clone(commandList(scopeGuildId));
    },

    async waitFor<T>(fn: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = fn();
        if (value) return value;
        if (Date.now() > deadline) {
          const recent = calls.slice(-5).map((c) => `${c.method} ${c.path} -> ${c.status}`);
          throw new Error(`waitFor timed out after ${timeoutMs} ms; last REST calls: ${recent.join(', ') || 'none'}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },

    failNext(match, fault, times = 1) {
      faults.push({ method: match.method, pathIncludes: match.pathIncludes, fault, remaining: times });
    },

    dropGateway(code) {
      for (const { ws } of conns) {
        if (code === undefined) ws.terminate();
        else ws.close(code, 'fake discord: dropped');
      }
    },
    requestReconnect() {
      for (const { ws, session } of conns) if (session) send(ws, { op: Op.Reconnect, d: null, s: null, t: null });
    },
    invalidateSession(resumable = false) {
      for (const { ws, session } of conns) {
        if (!session) continue;
        if (!resumable) {
          session.invalid = true;
          sessions.delete(session.id);
        }
        send(ws, { op: Op.InvalidSession, d: resumable, s: null, t: null });
      }
    },
    sessionCount() {
      return liveSessions().length;
    },
    sessionShards() {
      return liveSessions().map((s) => [s.shard[0], s.shard[1]] as [number, number]);
    },
    openConnections() {
      return [...conns].filter((c) => c.ws.readyState === WebSocket.OPEN || c.ws.readyState === WebSocket.CONNECTING).length;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const { ws } of conns) ws.terminate();
      conns.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
