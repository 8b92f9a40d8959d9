/** Messages and threads: creation, storage, edits, deletes, history pages, mentions, attachments, and their gateway events. */
import type { Gateway } from './gateway.js';
import type { UploadedFile } from './http.js';
import { ChannelType, isoNow, MessageFlag, MessageType, snowflake } from './protocol.js';
import { clone, type FakeState } from './state.js';
import { fieldError, invalidFormBody, strLen, unknownChannel, unknownMessage } from './validation.js';

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

export type Messages = ReturnType<typeof createMessages>;

export function createMessages(state: FakeState, gateway: Gateway) {
  const {
    users,
    channels,
    history,
    messagesById,
    attachmentData,
    applicationId,
    botUserId,
    createdThreads,
    memberOf,
    isThread,
    channelGuildId,
    historyOf,
  } = state;
  const { dispatch } = gateway;

  function computeMentions(content: string, allowed: any): { mentions: any[]; mention_everyone: boolean } {
    const ids = [...new Set([...String(content ?? '').matchAll(/<@!?(\d{17,20})>/g)].map((m) => m[1]))];
    const parse: string[] | undefined = allowed?.parse;
    const allowUser = (id: string) => !allowed || parse?.includes('users') || (allowed.users ?? []).includes(id);
    const mentions = ids.filter((id) => users.has(id) && allowUser(id)).map((id) => clone(users.get(id)));
    const everyone = /@(everyone|here)/.test(String(content ?? '')) && (!allowed || !!parse?.includes('everyone'));
    return { mentions, mention_everyone: everyone };
  }

  function buildAttachments(body: any, files: UploadedFile[], existing: any[] = []): any[] {
    const described: any[] = Array.isArray(body?.attachments) ? body.attachments : [];
    const kept = body?.attachments === undefined ? existing : existing.filter((a) => described.some((d) => String(d.id) === a.id));
    const added = files.map((f, index) => {
      const meta = described.find((d) => String(d.id) === String(index)) ?? {};
      const id = snowflake();
      const filename = meta.filename ?? f.name;
      const url = `http://127.0.0.1:${state.port}/attachments/${id}/${encodeURIComponent(filename)}`;
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
    // discord.js builds an uncached DM channel (Partials.Channel) from this field; without it the event is dropped.
    if (ch) out.channel_type = ch.type;
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
      if (!state.closed) dispatch(t, payload);
    });
  }

  function dispatchMessageDelete(msg: any): void {
    if (msg.flags & MessageFlag.Ephemeral) return;
    const gid = channelGuildId(channels.get(msg.channel_id));
    setImmediate(() => {
      if (!state.closed) dispatch('MESSAGE_DELETE', { id: msg.id, channel_id: msg.channel_id, ...(gid ? { guild_id: gid } : {}) });
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
      if (!state.closed) dispatch('THREAD_CREATE', payload);
    });
  }

  return {
    createMessage,
    storeMessage,
    gatewayMessage,
    dispatchMessage,
    deleteMessage,
    editMessage,
    requireChannel,
    requireMessage,
    historyPage,
    createThread,
    dispatchThreadCreate,
  };
}
