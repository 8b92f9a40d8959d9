import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  HTTPError,
  MessageFlags,
  MessageType,
  REST,
  Routes,
  type ClientOptions,
  type Interaction,
  type Message,
  type ThreadChannel,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { readyClient } from './discord-client.js';
import { startDiscordServer, type FakeDiscordServer, type StartDiscordServerOptions } from './discord-server.js';

const DEFAULT_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent];

let server: FakeDiscordServer | undefined;
let clients: Client[] = [];
let handlerErrors: unknown[] = [];

async function start(opts: StartDiscordServerOptions = {}): Promise<FakeDiscordServer> {
  server = await startDiscordServer({ heartbeatIntervalMs: 250, ...opts });
  return server;
}

async function connect(
  s: FakeDiscordServer,
  intents: GatewayIntentBits[] = DEFAULT_INTENTS,
  extra: Partial<ClientOptions> = {},
): Promise<Client> {
  return readyClient(s, { intents, ...extra }, (c) => clients.push(c));
}

/** Registers an interaction handler whose rejections fail the test instead of disappearing. */
function onInteraction(client: Client, handler: (i: Interaction) => Promise<void>): void {
  client.on(Events.InteractionCreate, (i) => {
    handler(i).catch((err) => handlerErrors.push(err));
  });
}

afterEach(async () => {
  for (const c of clients) await c.destroy();
  clients = [];
  await server?.close();
  server = undefined;
  const errors = handlerErrors;
  handlerErrors = [];
  expect(errors).toEqual([]);
});

describe('fake Discord server with the real discord.js client', () => {
  it('logs in over REST + gateway, caches the guild and ACKs heartbeats', async () => {
    const s = await start();
    const client = await connect(s);

    expect(client.user?.id).toBe(s.botUserId);
    expect(client.application?.id).toBe(s.applicationId);
    const channel = client.channels.cache.get(s.textChannelId);
    expect(channel?.isTextBased()).toBe(true);
    expect(client.channels.cache.get(s.forumChannelId!)?.type).toBe(15);
    expect(client.guilds.cache.get(s.guildId)?.available).toBe(true);

    expect(s.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toContain('GET /gateway/bot 200');
    expect(s.calls.find((c) => c.path === '/gateway/bot')?.authorized).toBe(true);
    expect(s.gatewayConnections[0]).toMatchObject({ path: '/gateway', query: { v: '10', encoding: 'json' } });
    const identify = s.gatewayEvents.find((e) => e.op === 2);
    expect(identify?.d.token).toBe(s.token);
    expect(identify?.d.intents & GatewayIntentBits.MessageContent).toBeTruthy();

    // Heartbeats are sent on a jittered first beat and answered with op 11, which sets the ping.
    await s.waitFor(() => s.gatewayEvents.some((e) => e.op === 1) && client.ws.ping >= 0, 3000);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('rejects a bad token like Discord does', async () => {
    const s = await start();
    const client = new Client({ intents: DEFAULT_INTENTS, rest: { api: s.restUrl } });
    clients.push(client);
    await expect(client.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(s.calls.at(-1)).toMatchObject({ path: '/gateway/bot', status: 401, authorized: false });
  });

  it('slash command: deferReply, editReply with embeds/components, follow-up with a file', async () => {
    const s = await start();
    const client = await connect(s);
    let question: string | null = null;
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      question = i.options.getString('question');
      await i.deferReply();
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('more-sources').setLabel('More sources').setStyle(ButtonStyle.Secondary),
      );
      await i.editReply({
        content: 'Attention lets every token look at every other token [1].',
        embeds: [new EmbedBuilder().setTitle('Sources').setDescription('[1] Attention Is All You Need')],
        components: [row],
        allowedMentions: { parse: [] },
      });
      await i.followUp({ content: 'Full citations attached', files: [{ attachment: Buffer.from('1706.03762'), name: 'sources.txt' }] });
    });

    const h = s.sendSlashCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: 'what is attention?' }] });
    await s.waitFor(() => s.followUps(h.token).length > 0);

    expect(question).toBe('what is attention?');
    const callbacks = s.callbacks(h.interactionId);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ status: 204, body: { type: 5, data: { flags: 0 } }, query: { with_response: 'false' } });
    expect(callbacks[0].at - h.sentAt).toBeLessThan(3000);

    const original = s.originalMessage(h.token);
    expect(original.content).toBe('Attention lets every token look at every other token [1].');
    expect(original.embeds[0]).toMatchObject({ type: 'rich', title: 'Sources', description: '[1] Attention Is All You Need' });
    expect(original.components[0].components[0]).toMatchObject({ type: 2, custom_id: 'more-sources' });
    expect(original.flags & MessageFlags.Loading).toBe(0);
    expect(original).toMatchObject({ type: 20, webhook_id: s.applicationId, author: { id: s.botUserId, bot: true } });
    expect(original.interaction_metadata).toMatchObject({ id: h.interactionId, name: 'ask' });
    expect(original.edited_timestamp).not.toBeNull();

    const edit = s.calls.find((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'));
    expect(edit?.path).toBe(`/webhooks/${s.applicationId}/${h.token}/messages/@original`);
    expect(edit?.body.allowed_mentions).toEqual({ parse: [] });
    expect(edit?.authorized).toBe(false);

    const [followUp] = s.followUps(h.token);
    expect(followUp.content).toBe('Full citations attached');
    expect(followUp.attachments[0]).toMatchObject({ filename: 'sources.txt', size: 10 });
    const post = s.calls.find((c) => c.method === 'POST' && c.path === `/webhooks/${s.applicationId}/${h.token}`);
    expect(post).toMatchObject({ status: 200, files: 1, fileNames: ['sources.txt'], query: { wait: 'true' } });
    expect(post?.body.content).toBe('Full citations attached');
    // Non-ephemeral interaction messages are part of the channel history.
    expect(s.channelMessages(s.textChannelId).map((m) => m.id)).toEqual([original.id, followUp.id]);
  });

  it('reply → fetchReply → startThread → thread.send, then a user message in the thread reaches messageCreate', async () => {
    const s = await start();
    const client = await connect(s);
    let thread: ThreadChannel | undefined;
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply({ content: 'Let us discuss in a thread.' });
      const reply = await i.fetchReply();
      const t = await reply.startThread({ name: 'attention?' });
      await t.send('x');
      thread = t;
    });

    const h = s.sendSlashCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: 'q' }] });
    await s.waitFor(() => thread);
    const t = thread!;

    expect(s.callbacks(h.interactionId)[0].body).toMatchObject({ type: 4, data: { content: 'Let us discuss in a thread.' } });
    const original = s.originalMessage(h.token);
    expect(s.calls.some((c) => c.method === 'GET' && c.path.endsWith(`/${h.token}/messages/@original`) && c.status === 200)).toBe(true);
    const [created] = s.threads();
    expect(created).toMatchObject({ id: original.id, type: 11, parent_id: s.textChannelId, name: 'attention?' });
    expect(s.calls.find((c) => c.path === `/channels/${s.textChannelId}/messages/${original.id}/threads`)?.status).toBe(201);
    expect(t.id).toBe(created.id);
    expect(t.isThread()).toBe(true);
    expect(client.channels.cache.get(t.id)).toBe(t);
    expect(s.message(original.id).flags & MessageFlags.HasThread).toBeTruthy();
    expect(s.channelMessages(t.id).map((m) => [m.type, m.content])).toEqual([
      [21, ''],
      [0, 'x'],
    ]);

    const received = new Promise<Message>((resolve) => {
      client.on(Events.MessageCreate, (m) => {
        if (!m.author.bot) resolve(m);
      });
    });
    const { messageId } = s.sendMessage({ channelId: t.id, content: 'what about multi-head attention?' });
    const msg = await received;
    expect(msg.id).toBe(messageId);
    expect(msg.content).toBe('what about multi-head attention?');
    expect(msg.channel.isThread()).toBe(true);
    expect(msg.channelId).toBe(t.id);
    expect(msg.author.id).toBe(s.userId);

    const fetched = await t.messages.fetch({ limit: 10 });
    expect([...fetched.values()].map((m) => m.content)).toEqual(['what about multi-head attention?', 'x', '']);
    expect(fetched.last()?.type).toBe(MessageType.ThreadStarterMessage);
    expect(s.calls.at(-1)).toMatchObject({ method: 'GET', path: `/channels/${t.id}/messages`, query: { limit: '10' }, status: 200 });

    const older = await t.messages.fetch({ limit: 1, before: messageId, cache: false });
    expect([...older.values()].map((m) => m.content)).toEqual(['x']);
  });

  it('autocomplete: respond() sends callback type 8 with choices', async () => {
    const s = await start();
    const client = await connect(s);
    let focused: string | undefined;
    onInteraction(client, async (i) => {
      if (!i.isAutocomplete()) return;
      focused = i.options.getFocused();
      await i.respond([{ name: 'Attention Is All You Need', value: '1706.03762' }]);
    });
    const h = s.sendAutocomplete({ name: 'paper', options: [{ name: 'id', type: 3, value: 'atten', focused: true }] });
    await s.waitFor(() => s.callbacks(h.interactionId).length > 0);
    expect(focused).toBe('atten');
    expect(s.callbacks(h.interactionId)[0]).toMatchObject({
      status: 204,
      body: { type: 8, data: { choices: [{ name: 'Attention Is All You Need', value: '1706.03762' }] } },
    });
  });

  it('attachment options arrive resolved with a URL on the fake that serves the bytes; member roles are passed through', async () => {
    const s = await start();
    const client = await connect(s);
    let got: { name: string; size: number; contentType: string | null; url: string; roles: string[] } | undefined;
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand() || !i.inCachedGuild()) return;
      const a = i.options.getAttachment('file', true);
      got = { name: a.name, size: a.size, contentType: a.contentType, url: a.url, roles: [...i.member.roles.cache.keys()] };
      await i.reply({ content: 'ok' });
    });
    const h = s.sendSlashCommand({
      name: 'add',
      roles: [s.staffRoleId],
      options: [{ name: 'file', type: 11, attachment: { filename: 'day one.md', data: 'Paper title\n\nAbstract.' } }],
    });
    await s.waitFor(() => s.callbacks(h.interactionId).length > 0);
    expect(got).toMatchObject({ name: 'day one.md', size: 22, contentType: 'text/plain; charset=utf-8' });
    expect(got!.roles).toContain(s.staffRoleId);
    expect(got!.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/attachments/\\d+/day%20one\\.md$`));
    const res = await fetch(got!.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Paper title\n\nAbstract.');
  });

  it('button: ephemeral reply is callback type 4 with flags 64 and stays out of channel history', async () => {
    const s = await start();
    const client = await connect(s);
    let customId: string | undefined;
    onInteraction(client, async (i) => {
      if (!i.isButton()) return;
      customId = i.customId;
      await i.reply({ content: 'Only you can see this', flags: MessageFlags.Ephemeral });
    });
    const h = s.sendButton({ customId: 'more-sources' });
    await s.waitFor(() => s.originalMessage(h.token));
    expect(customId).toBe('more-sources');
    expect(s.callbacks(h.interactionId)[0].body).toMatchObject({ type: 4, data: { content: 'Only you can see this', flags: 64 } });
    expect(s.originalMessage(h.token).flags).toBe(64);
    expect(s.channelMessages(s.textChannelId).some((m) => m.content === 'Only you can see this')).toBe(false);
  });

  it('withResponse returns the callback resource; a late callback gets Unknown interaction', async () => {
    const s = await start({ callbackDeadlineMs: 300 });
    const client = await connect(s);
    const results: Record<string, unknown> = {};
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      if (i.commandName === 'slow') {
        await new Promise((r) => setTimeout(r, 400));
        results.slow = await i.reply('too late').catch((err: unknown) => err);
        return;
      }
      const response = await i.reply({ content: 'hi', withResponse: true });
      results.fast = response.resource?.message?.content;
    });
    const fast = s.sendSlashCommand({ name: 'fast' });
    s.sendSlashCommand({ name: 'slow' });
    await s.waitFor(() => 'fast' in results && 'slow' in results);
    expect(results.fast).toBe('hi');
    expect(s.callbacks(fast.interactionId)[0]).toMatchObject({ status: 200, query: { with_response: 'true' } });
    expect(results.slow).toBeInstanceOf(DiscordAPIError);
    expect(results.slow).toMatchObject({ code: 10062, status: 404 });
  });

  it('429 on the callback and 500s on the webhook edit are retried by @discordjs/rest', async () => {
    const s = await start();
    const client = await connect(s);
    s.failNext({ method: 'POST', pathIncludes: '/callback' }, { status: 429, retryAfter: 0.2 });
    s.failNext({ method: 'PATCH', pathIncludes: '/messages/@original' }, { status: 500 }, 2);
    s.failNext({ method: 'POST', pathIncludes: `/channels/${s.textChannelId}/messages` }, { status: 429, retryAfter: 0.2 });
    let done = false;
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      await i.editReply('answer after retries');
      if (i.channel?.isSendable()) await i.channel.send('channel message after a bucket 429');
      done = true;
    });
    const h = s.sendSlashCommand({ name: 'ask' });
    await s.waitFor(() => done, 5000);

    const callbacks = s.callbacks(h.interactionId);
    expect(callbacks.map((c) => c.status)).toEqual([429, 204]);
    expect(callbacks[0].injected).toBe(true);
    expect(callbacks[1].at - callbacks[0].at).toBeGreaterThanOrEqual(200);
    const edits = s.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/@original'));
    expect(edits.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(s.originalMessage(h.token).content).toBe('answer after retries');
    const posts = s.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${s.textChannelId}/messages`);
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(200);
  });

  it('gives up after the REST retry budget (1 try + 3 retries) on persistent 5xx', async () => {
    const s = await start();
    const client = await connect(s);
    s.failNext({ pathIncludes: '/messages/@original' }, { status: 503 }, 4);
    let outcome: unknown;
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      outcome = await i.editReply('never lands').catch((err: unknown) => err);
    });
    s.sendSlashCommand({ name: 'ask' });
    await s.waitFor(() => outcome);
    expect(outcome).toBeInstanceOf(HTTPError);
    expect(outcome).toMatchObject({ status: 503 });
    expect(s.calls.filter((c) => c.path.endsWith('/@original')).map((c) => c.status)).toEqual([503, 503, 503, 503]);
  });

  it('dropGateway(): the client RESUMEs, replays missed dispatches and keeps handling commands', async () => {
    const s = await start();
    const client = await connect(s);
    const handled: string[] = [];
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply(`handled ${i.commandName}`);
      handled.push(i.commandName);
    });
    let resumes = 0;
    client.on(Events.ShardResume, () => resumes++);

    s.dropGateway(); // abrupt TCP close: the client sees 1006
    // Sent while disconnected: must arrive through RESUME replay.
    s.sendSlashCommand({ name: 'during-outage' });
    await s.waitFor(() => resumes === 1, 5000);
    await s.waitFor(() => handled.includes('during-outage'));

    s.dropGateway(4000);
    await s.waitFor(() => resumes === 2, 5000);
    s.sendSlashCommand({ name: 'after-resume' });
    await s.waitFor(() => handled.includes('after-resume'));

    expect(s.gatewayEvents.filter((e) => e.op === 2)).toHaveLength(1);
    const resumesSent = s.gatewayEvents.filter((e) => e.op === 6);
    expect(resumesSent).toHaveLength(2);
    expect(resumesSent[0].d.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(resumesSent[1].d.session_id).toBe(resumesSent[0].d.session_id);
    expect(s.gatewayConnections.map((c) => c.path)).toEqual(['/gateway', '/resume-gateway', '/resume-gateway']);
    expect(s.sessionCount()).toBe(1);
  });

  it('registers guild and global commands via bulk overwrite (PUT) and routes interactions to them', async () => {
    const s = await start();
    const client = await connect(s);
    const definition = {
      name: 'ask',
      description: 'Ask the research bot',
      options: [{ type: 3, name: 'question', description: 'Your question', required: true }],
    };
    const registered = await client.application!.commands.set([definition], s.guildId);
    const [cmd] = [...registered.values()];
    expect(cmd.name).toBe('ask');
    expect(cmd.guildId).toBe(s.guildId);
    expect(s.calls.at(-1)).toMatchObject({
      method: 'PUT',
      path: `/applications/${s.applicationId}/guilds/${s.guildId}/commands`,
      status: 200,
      body: [expect.objectContaining({ name: 'ask' })],
    });
    expect(s.commands(s.guildId).map((c) => c.id)).toEqual([cmd.id]);

    // Re-registering keeps the id, as Discord does for same-named commands.
    const again = await client.application!.commands.set([definition], s.guildId);
    expect(again.first()?.id).toBe(cmd.id);

    let commandId: string | undefined;
    onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      commandId = i.commandId;
      await i.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    });
    s.sendSlashCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: 'q' }] });
    await s.waitFor(() => commandId);
    expect(commandId).toBe(cmd.id);

    // The standalone REST client (as a deploy script would use it) hits the global route.
    const rest = new REST({ api: s.restUrl }).setToken(s.token);
    const global = (await rest.put(Routes.applicationCommands(s.applicationId), { body: [definition] })) as Array<{
      id: string;
      name: string;
    }>;
    expect(global).toEqual([expect.objectContaining({ name: 'ask', application_id: s.applicationId })]);
    expect(s.commands().map((c) => c.id)).toEqual([global[0].id]);
    await expect(
      rest.put(Routes.applicationCommands(s.applicationId), { body: [{ name: 'Bad Name', description: 'x' }] }),
    ).rejects.toMatchObject({ code: 50035, status: 400 });
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  });

  it('without the MESSAGE_CONTENT intent, content is blanked unless the bot is mentioned', async () => {
    const s = await start();
    const client = await connect(s, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const seen: Message[] = [];
    client.on(Events.MessageCreate, (m) => {
      seen.push(m);
    });
    s.sendMessage({ channelId: s.textChannelId, content: 'secret' });
    s.sendMessage({ channelId: s.textChannelId, content: `<@${s.botUserId}> hello` });
    await s.waitFor(() => seen.length === 2);
    expect(seen.map((m) => m.content)).toEqual(['', `<@${s.botUserId}> hello`]);
    expect(seen[1].mentions.users.has(s.botUserId)).toBe(true);
    // The stored (REST) view still has the full content.
    expect(s.channelMessages(s.textChannelId).map((m) => m.content)).toEqual(['secret', `<@${s.botUserId}> hello`]);
  });
});

/** IDENTIFY over a raw socket; resolves with the close code, or 0 once READY arrived. */
function rawIdentify(s: FakeDiscordServer, shard: unknown): Promise<{ code: number; ready?: any; guildCreates: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.gatewayUrl}?v=10&encoding=json`);
    const guildCreates: string[] = [];
    let ready: any;
    ws.on('message', (raw) => {
      const p = JSON.parse(raw.toString());
      if (p.op === 10)
        ws.send(JSON.stringify({ op: 2, d: { token: s.token, intents: 1, properties: {}, ...(shard === undefined ? {} : { shard }) } }));
      if (p.t === 'READY') ready = p.d;
      if (p.t === 'GUILD_CREATE') {
        guildCreates.push(p.d.id);
        // GUILD_CREATE follows READY at once; give stragglers a moment, then hang up normally.
        setTimeout(() => ws.close(1000), 50);
      }
    });
    ws.on('close', (code) => resolve({ code: ready ? 0 : code, ready, guildCreates }));
    ws.on('error', reject);
  });
}

describe('fake Discord server: several shards and guilds', () => {
  it('guild ids are spread over the shards like Discord routes them; /gateway/bot recommends the shard count', async () => {
    const s = await start({ shards: 2, guilds: 2 });
    expect(s.shardCount).toBe(2);
    expect(s.guildIds).toHaveLength(2);
    expect(s.textChannelIds).toHaveLength(2);
    expect(s.guildId).toBe(s.guildIds[0]);
    expect(s.textChannelId).toBe(s.textChannelIds[0]);
    expect(s.guildIds.map((g) => Number((BigInt(g) >> 22n) % 2n))).toEqual([0, 1]);
    expect(s.guildIds.map((g) => s.shardOf(g))).toEqual([0, 1]);
    expect(new Set([...s.guildIds, ...s.textChannelIds]).size).toBe(4);
    for (const [i, c] of s.textChannelIds.entries()) expect(s.channel(c)).toMatchObject({ guild_id: s.guildIds[i], type: 0 });

    const rest = new REST({ api: s.restUrl }).setToken(s.token);
    expect(await rest.get(Routes.gatewayBot())).toMatchObject({ shards: 2 });
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();

    // Three shards over five guilds: guild k on shard k % 3.
    const wide = await startDiscordServer({ shards: 3, guilds: 5 });
    try {
      expect(wide.guildIds.map((g) => wide.shardOf(g))).toEqual([0, 1, 2, 0, 1]);
      expect(new Set(wide.guildIds).size).toBe(5);
    } finally {
      await wide.close();
    }
  });

  it("IDENTIFY: [i, N] is accepted with only shard i's guilds in READY and GUILD_CREATE; a wrong count or id closes with 4010", async () => {
    const s = await start({ shards: 2, guilds: 2 });
    const zero = await rawIdentify(s, [0, 2]);
    expect(zero.code).toBe(0);
    expect(zero.ready.shard).toEqual([0, 2]);
    expect(zero.ready.guilds).toEqual([{ id: s.guildIds[0], unavailable: true }]);
    expect(zero.guildCreates).toEqual([s.guildIds[0]]);
    const one = await rawIdentify(s, [1, 2]);
    expect(one.ready.guilds).toEqual([{ id: s.guildIds[1], unavailable: true }]);
    expect(one.guildCreates).toEqual([s.guildIds[1]]);

    expect((await rawIdentify(s, [0, 1])).code).toBe(4010);
    expect((await rawIdentify(s, [0, 3])).code).toBe(4010);
    expect((await rawIdentify(s, [2, 2])).code).toBe(4010);
    expect((await rawIdentify(s, undefined)).code).toBe(4010); // no shard field = [0, 1]

    // The single-shard default still accepts [0, 1] and no shard field.
    const single = await startDiscordServer();
    try {
      expect((await rawIdentify(single, [0, 1])).code).toBe(0);
      expect((await rawIdentify(single, undefined)).ready.guilds).toEqual([{ id: single.guildId, unavailable: true }]);
      expect((await rawIdentify(single, [0, 2])).code).toBe(4010);
    } finally {
      await single.close();
    }
  });

  it('two discord.js shards: each caches only its guild; interactions and messages reach only the owning shard', async () => {
    const s = await start({ shards: 2, guilds: 2 });
    const c0 = await connect(s, DEFAULT_INTENTS, { shards: 0, shardCount: 2 });
    const c1 = await connect(s, DEFAULT_INTENTS, { shards: 1, shardCount: 2 });
    expect(s.sessionShards().sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect([...c0.guilds.cache.keys()]).toEqual([s.guildIds[0]]);
    expect([...c1.guilds.cache.keys()]).toEqual([s.guildIds[1]]);
    expect(c1.channels.cache.has(s.textChannelIds[1])).toBe(true);
    expect(c1.channels.cache.has(s.textChannelIds[0])).toBe(false);

    const seen: Array<{ client: number; guildId: string | null; channelId: string | null }> = [];
    for (const [n, c] of [c0, c1].entries()) {
      onInteraction(c, async (i) => {
        if (!i.isChatInputCommand()) return;
        seen.push({ client: n, guildId: i.guildId, channelId: i.channelId });
        await i.reply({ content: `shard ${n}`, flags: MessageFlags.Ephemeral });
      });
    }
    const a = s.sendSlashCommand({ name: 'ask', guildId: s.guildIds[0] });
    const b = s.sendSlashCommand({ name: 'ask', guildId: s.guildIds[1] });
    const dm = s.sendSlashCommand({ name: 'ask', guild: false });
    await s.waitFor(() => [a, b, dm].every((h) => s.callbacks(h.interactionId).length === 1));
    await new Promise((r) => setTimeout(r, 100)); // nothing else arrives
    const key = (x: (typeof seen)[number]) => `${x.client}:${x.guildId ?? ''}`;
    expect(seen.sort((x, y) => key(x).localeCompare(key(y)))).toEqual([
      { client: 0, guildId: null, channelId: s.dmChannelId() }, // DMs go to shard 0
      { client: 0, guildId: s.guildIds[0], channelId: s.textChannelIds[0] },
      { client: 1, guildId: s.guildIds[1], channelId: s.textChannelIds[1] },
    ]);
    expect(s.callbacks(a.interactionId)[0].body.data.content).toBe('shard 0');
    expect(s.callbacks(b.interactionId)[0].body.data.content).toBe('shard 1');
    expect(s.calls.filter((c) => c.path.endsWith('/callback')).every((c) => c.status === 204)).toBe(true);

    const messages: Array<[number, string]> = [];
    c0.on(Events.MessageCreate, (m) => void messages.push([0, m.content]));
    c1.on(Events.MessageCreate, (m) => void messages.push([1, m.content]));
    s.sendMessage({ channelId: s.textChannelIds[1], content: 'in guild two' });
    s.sendMessage({ channelId: s.textChannelIds[0], content: 'in guild one' });
    await s.waitFor(() => messages.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(messages.sort()).toEqual([
      [0, 'in guild one'],
      [1, 'in guild two'],
    ]);

    // A guild whose shard is not connected cannot be reached.
    await c1.destroy();
    await s.waitFor(() => s.sessionCount() === 1);
    expect(() => s.sendSlashCommand({ name: 'ask', guildId: s.guildIds[1] })).toThrow(/no gateway session of shard 1/);
    expect(() => s.sendSlashCommand({ name: 'ask', guildId: s.guildIds[1], channelId: s.textChannelIds[0] })).toThrow(/not in guild/);
  });
});
