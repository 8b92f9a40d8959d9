/**
 * Direct messages on the fake Discord server with the real discord.js client: a user's DM reaches a
 * client that asked for DIRECT_MESSAGES (and only such a client), its text is not blanked without
 * MESSAGE_CONTENT, the bot's reply over REST lands in the DM, and a button in a DM is clicked there.
 */
import { ChannelType, type Client, Events, GatewayIntentBits, Partials, type ClientOptions, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { readyClient } from './discord-client.js';
import { startDiscordServer, type FakeDiscordServer } from './discord-server.js';

const DM_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];

let server: FakeDiscordServer | undefined;
let clients: Client[] = [];

async function connect(s: FakeDiscordServer, intents: GatewayIntentBits[], extra: Partial<ClientOptions> = {}): Promise<Client> {
  return readyClient(s, { intents, ...extra }, (c) => clients.push(c));
}

function collect(client: Client): Message[] {
  const seen: Message[] = [];
  client.on(Events.MessageCreate, (m) => void seen.push(m));
  return seen;
}

afterEach(async () => {
  for (const c of clients) await c.destroy();
  clients = [];
  await server?.close();
  server = undefined;
});

describe('fake Discord server: direct messages', () => {
  it('a DM reaches a DIRECT_MESSAGES client with the Channel partial, text intact; the reply lands in the DM', async () => {
    const s = (server = await startDiscordServer({ heartbeatIntervalMs: 250 }));
    const client = await connect(s, DM_INTENTS, { partials: [Partials.Channel] });
    const seen = collect(client);
    const dm = s.dmChannelId();
    const { messageId } = s.sendMessage({ channelId: dm, content: 'what is LoRA?' });
    const got = await s.waitFor(() => seen.find((m) => m.id === messageId));
    // No MESSAGE_CONTENT intent: a DM's text arrives all the same, as on Discord.
    expect(got.content).toBe('what is LoRA?');
    expect(got.guildId).toBeNull();
    expect(got.channel.type).toBe(ChannelType.DM);
    expect(got.channelId).toBe(dm);

    const reply = await got.reply('an answer');
    expect(s.calls.find((c) => c.method === 'POST' && c.path === `/channels/${dm}/messages`)?.status).toBe(200);
    expect(s.channelMessages(dm).map((m) => [m.author.id, m.content])).toEqual([
      [s.userId, 'what is LoRA?'],
      [s.botUserId, 'an answer'],
    ]);
    // Discord echoes the bot's own DM back on the gateway, and history pages work in a DM.
    await s.waitFor(() => seen.find((m) => m.id === reply.id));
    const page = await got.channel.messages.fetch({ limit: 10, cache: false });
    expect([...page.keys()]).toEqual([reply.id, messageId]);
    expect(s.channel(dm)).toMatchObject({ type: ChannelType.DM, recipients: [{ id: s.userId }] });

    // A button on a message in the DM is clicked in that DM by its recipient.
    const clicks: Array<{ user: string; channel: string | null; guild: string | null }> = [];
    client.on(Events.InteractionCreate, (i) => {
      if (!i.isButton()) return;
      clicks.push({ user: i.user.id, channel: i.channelId, guild: i.guildId });
      void i.deferUpdate();
    });
    if (!got.channel.isSendable()) throw new Error('a DM channel is sendable');
    const button = await got.channel.send({
      content: 'vote',
      components: [{ type: 1, components: [{ type: 2, style: 1, label: 'up', custom_id: 'up' }] }],
    });
    const h = s.sendButton({ customId: 'up', messageId: button.id });
    await s.waitFor(() => s.callbacks(h.interactionId).length === 1);
    expect(clicks).toEqual([{ user: s.userId, channel: dm, guild: null }]);
  });

  it('only sessions that identified with DIRECT_MESSAGES get DMs; guild messages still flow', async () => {
    const s = (server = await startDiscordServer({ heartbeatIntervalMs: 250 }));
    const withDm = collect(await connect(s, DM_INTENTS, { partials: [Partials.Channel] }));
    const without = collect(
      await connect(s, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], { partials: [Partials.Channel] }),
    );
    s.sendMessage({ channelId: s.dmChannelId(), content: 'private' });
    s.sendMessage({ channelId: s.textChannelId, content: 'public' });
    await s.waitFor(() => withDm.length === 2 && without.length === 1);
    await new Promise((r) => setTimeout(r, 150)); // nothing else arrives
    // Neither has MESSAGE_CONTENT: the guild message's text is blanked for both, the DM's never.
    expect(withDm.map((m) => [m.channelId, m.content]).sort()).toEqual(
      [
        [s.dmChannelId(), 'private'],
        [s.textChannelId, ''],
      ].sort(),
    );
    expect(without.map((m) => [m.channelId, m.content])).toEqual([[s.textChannelId, '']]);
  });
});
