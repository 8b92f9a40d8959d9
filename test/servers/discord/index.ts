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
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createCommands } from './commands.js';
import { createGateway } from './gateway.js';
import { createInteractions } from './interactions.js';
import { createMessages } from './messages.js';
import { ChannelType, InteractionType, MessageType, Op, snowflake } from './protocol.js';
import { createRateLimits } from './rate-limits.js';
import { createRest } from './rest.js';
import { clone, createState } from './state.js';
import type { FakeDiscordServer, StartDiscordServerOptions } from './types.js';

export { MEMBER_PERMISSIONS, snowflake } from './protocol.js';
export type * from './types.js';

export async function startDiscordServer(opts: StartDiscordServerOptions = {}): Promise<FakeDiscordServer> {
  const state = createState(opts);
  const gateway = createGateway(state);
  const messages = createMessages(state, gateway);
  const interactions = createInteractions(state, gateway, messages);
  const commands = createCommands(state);
  const { onRequest } = createRest(state, messages, interactions, commands, createRateLimits(state));
  const { onGatewayConnection, send, liveSessions, dispatch } = gateway;
  const { createMessage, storeMessage, gatewayMessage } = messages;
  const { baseInteraction, deliverInteraction, commandInteraction, hasFocused } = interactions;
  const { commandList } = commands;
  const { token, applicationId, botUserId, guildId, textChannelId, guildList, shardCount, forumChannelId, userId } = state;
  const { calls, faults, sessions, conns, gatewayEvents, gatewayConnections, botUser, messagesById, interactionsByToken, history } = state;
  const { channels, createdThreads, shardOf, requireGuild, requireKnownChannel, ensureUser, ensureMember, dmChannelFor } = state;

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
  state.port = port;
  state.gatewayUrl = gatewayUrl;

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
    staffRoleId: guildList[0].staffRoleId,
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
      // A button on a message in a DM is clicked in that DM, by its recipient unless told otherwise.
      const dm = channels.get(source.channel_id)?.type === ChannelType.DM ? channels.get(source.channel_id) : undefined;
      const { payload, state } = baseInteraction(
        InteractionType.MessageComponent,
        dm ? { userId: o.userId ?? dm.recipients[0].id, guild: false } : { userId: o.userId, channelId: source.channel_id },
      );
      payload.data = { custom_id: o.customId, component_type: 2 };
      payload.message = clone(source);
      state.sourceMessageId = source.id;
      return deliverInteraction(payload, state);
    },

    submitModal(o) {
      const opened = state.interactions.get(o.interactionId);
      if (!opened?.modal) throw new Error(`fake discord: interaction ${o.interactionId} did not open a modal`);
      if (opened.modalSubmitted) throw new Error(`fake discord: the modal of ${o.interactionId} was already submitted`);
      const values = o.values ?? {};
      const known = new Set<string>();
      const components = (opened.modal.components as any[]).map((row) => {
        const input = row.type === 18 ? row.component : row.components[0];
        const value = values[input.custom_id] ?? '';
        known.add(input.custom_id);
        const len = [...value].length;
        if (input.required !== false && len === 0) throw new Error(`fake discord: ${input.custom_id} is required`);
        if (len > 0 && (len < (input.min_length ?? 0) || len > (input.max_length ?? 4000)))
          throw new Error(`fake discord: ${input.custom_id} must be ${input.min_length ?? 0}–${input.max_length ?? 4000} characters`);
        const submitted = { type: 4, id: input.id ?? 0, custom_id: input.custom_id, value };
        return row.type === 18
          ? { type: 18, id: row.id ?? 0, component: submitted }
          : { type: 1, id: row.id ?? 0, components: [submitted] };
      });
      for (const k of Object.keys(values)) if (!known.has(k)) throw new Error(`fake discord: the modal has no input ${k}`);
      opened.modalSubmitted = true;
      const source = opened.sourceMessageId ? messagesById.get(opened.sourceMessageId) : undefined;
      const dm = opened.guildId === null;
      const { payload, state: submit } = baseInteraction(
        InteractionType.ModalSubmit,
        dm ? { userId: opened.userId, guild: false } : { userId: opened.userId, channelId: opened.channelId },
      );
      payload.data = { custom_id: opened.modal.custom_id, components };
      if (source) {
        payload.message = clone(source);
        submit.sourceMessageId = source.id;
      }
      return deliverInteraction(payload, submit);
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
      if (state.closed) return;
      state.closed = true;
      for (const { ws } of conns) ws.terminate();
      conns.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
