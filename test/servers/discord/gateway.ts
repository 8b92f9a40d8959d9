/**
 * The gateway (v10, JSON encoding): HELLO, heartbeats, IDENTIFY with shard and intent checks, RESUME with replay,
 * op 7/9, GUILD_MEMBERS_CHUNK, and dispatch of events to the sessions of the owning shard.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { parseQuery } from './http.js';
import { Intent, Op, PRIVILEGED_INTENTS } from './protocol.js';
import { type Conn, clone, type FakeState, type GuildState, type Session } from './state.js';

export type Gateway = ReturnType<typeof createGateway>;

export function createGateway(state: FakeState) {
  const {
    sessions,
    conns,
    members,
    memberOf,
    guildList,
    shardOf,
    shardCount,
    botUser,
    botUserId,
    applicationId,
    token,
    heartbeatInterval,
    allowedPrivileged,
    gatewayEvents,
    gatewayConnections,
    guildCreatePayload,
  } = state;

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
      resume_gateway_url: `ws://127.0.0.1:${state.port}/resume-gateway`,
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

  return { send, liveSessions, eventShard, sessionsFor, dispatch, onGatewayConnection };
}
