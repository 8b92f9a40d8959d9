/** REST API v10: the route table (users, applications, commands, interactions, webhooks, channels, threads, guilds) and request handling. */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Commands } from './commands.js';
import { parseQuery, type Route, type RouteResult, readBody } from './http.js';
import type { Interactions } from './interactions.js';
import type { Messages } from './messages.js';
import { CallbackType, ChannelType, MessageFlag, MessageType, snowflake } from './protocol.js';
import type { RateLimits } from './rate-limits.js';
import { clone, type FakeState, type GuildState } from './state.js';
import type { RestCall } from './types.js';
import { apiError, fieldError, HttpError, invalidFormBody, validateMessageBody } from './validation.js';

export function createRest(state: FakeState, messages: Messages, interactions: Interactions, commands: Commands, rateLimits: RateLimits) {
  const {
    token,
    shardCount,
    guildCount,
    applicationId,
    botUserId,
    userId,
    users,
    members,
    channels,
    messagesById,
    guildsById,
    calls,
    botUser,
  } = state;
  const { ensureUser, memberOf, guildObject, isThread, dmChannelFor } = state;
  const {
    createMessage,
    storeMessage,
    dispatchMessage,
    deleteMessage,
    editMessage,
    requireChannel,
    requireMessage,
    historyPage,
    createThread,
    dispatchThreadCreate,
  } = messages;
  const { interactionMessage, handleCallback, webhookState, webhookMessage } = interactions;
  const { commandList, checkApp, bulkOverwrite, upsertCommand, deleteCommand } = commands;
  const { bucketHash, takeFault, faultResponse } = rateLimits;

  const routes: Route[] = [];
  const route = (method: string, pattern: string, auth: boolean, handler: Route['handler']) =>
    routes.push({ method, parts: pattern.split('/').filter(Boolean), auth, handler });

  route('GET', '/gateway', false, () => ({ status: 200, body: { url: state.gatewayUrl } }));
  route('GET', '/gateway/bot', true, () => ({
    status: 200,
    body: {
      url: state.gatewayUrl,
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
    const stored = cdn ? state.attachmentData.get(cdn[1]) : undefined;
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

  return { onRequest };
}
