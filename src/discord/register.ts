/** Slash-command registration through the REST API (guild-scoped when DISCORD_GUILD_ID is set). */
import { REST, Routes, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { configUrlSecrets, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { registerSecret, type Logger } from '../logger.js';
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
  registerSecret(token);
  for (const secret of configUrlSecrets(config)) registerSecret(secret);
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
    const status = (err as { status?: number }).status;
    const hint =
      status === 401
        ? 'the token was rejected'
        : status === 403
          ? 'the application has no access (is the bot in that server, with the applications.commands scope?)'
          : `HTTP ${status ?? 'error'}`;
    throw new AppError('CONFIG_INVALID', `Registering the slash commands failed: ${hint}.`, { cause: err });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
