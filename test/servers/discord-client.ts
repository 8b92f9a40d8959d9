/** A real discord.js client on the fake Discord server, for the server's own tests. */
import { Client, Events, type ClientOptions } from 'discord.js';
import type { FakeDiscordServer } from './discord-server.js';

/**
 * A client pointed at the fake server, logged in and ready. `setUp` runs before login, so
 * listeners it adds see the first gateway events.
 */
export async function readyClient(s: FakeDiscordServer, options: ClientOptions, setUp?: (client: Client) => void): Promise<Client> {
  const client = new Client({ ...options, rest: { api: s.restUrl } });
  setUp?.(client);
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(s.token);
  await ready;
  return client;
}
