import { createLogger } from '../../logger.js';
import { jsonOpt } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const registerCommands: Command = {
  summary: 'Register the slash commands with Discord (guild-scoped when DISCORD_GUILD_ID is set).',
  usage: 'research-bot register-commands [--json]',
  options: { ...jsonOpt },
  async run({ config, io }, v) {
    const { registerCommands } = await import('../../discord/index.js');
    const r = await registerCommands(config, createLogger({ level: config.logLevel ?? 'info' }));
    if (v.json) printJson(io, r);
    else
      io.out(
        `Registered ${r.commands.length} commands ${r.scope === 'guild' ? `in guild ${r.guildId}` : 'globally (they can take up to an hour to appear)'}.\n`,
      );
    return 0;
  },
};
