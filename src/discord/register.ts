/** Slash-command registration through the REST API (guild-scoped when DISCORD_GUILD_ID is set). */
import { REST, Routes, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { registerSecrets, type Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { COMMANDS } from './commands/index.js';

/** JSON of every slash command, as sent to Discord. */
export function commandData(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return COMMANDS.map((c) => c.data.toJSON());
}

export interface RegisterResult {
  scope: 'guild' | 'global';
  guildId?: string;
  commands: string[];
}

export async function registerCommands(config: Config, logger: Logger): Promise<RegisterResult> {
  const { token, applicationId, guildId, apiUrl } = config.discord;
  if (!token) throw new AppError('CONFIG_INVALID', 'DISCORD_TOKEN is not set: it is needed to register the slash commands.');
  if (!applicationId)
    throw new AppError('CONFIG_INVALID', 'DISCORD_APPLICATION_ID is not set: it is needed to register the slash commands.');
  registerSecrets(config);
  const rest = new REST(apiUrl ? { api: apiUrl } : {}).setToken(token);
  try {
    const body = commandData();
    const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
    const saved = (await rest.put(route, { body })) as Array<{ name: string }>;
    const result: RegisterResult = {
      scope: guildId ? 'guild' : 'global',
      ...(guildId ? { guildId } : {}),
      commands: saved.map((c) => c.name),
    };
    logger.info('slash commands registered', { ...result });
    if (!guildId)
      logger.info(
        'global commands can take up to an hour to appear in every server; set DISCORD_GUILD_ID for instant registration while testing',
      );
    return result;
  } catch (err) {
    const e = err as { status?: number; code?: string; cause?: { code?: string } };
    // A rejected token or missing access is ours to fix in the configuration; anything else is Discord's side or the network.
    if (e.status === 401)
      throw new AppError('CONFIG_INVALID', 'Registering the slash commands failed: the token was rejected.', { cause: err });
    if (e.status === 403)
      throw new AppError(
        'CONFIG_INVALID',
        'Registering the slash commands failed: the application has no access (is the bot in that server, with the applications.commands scope?).',
        { cause: err },
      );
    const why = e.status ? `HTTP ${e.status}` : (e.cause?.code ?? e.code ?? 'network error');
    throw new AppError('UPSTREAM', `Registering the slash commands failed: Discord answered ${why}.`, { cause: err });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
