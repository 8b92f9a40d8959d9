/**
 * `research-bot` command line: parse the command name and its flags, load the configuration, run
 * the command (src/cli/commands/), and turn a failure into one line (or one JSON document) and an
 * exit code.
 */
import { parseArgs } from 'node:util';
import { databaseUrlSecrets, loadConfig } from '../config.js';
import { isAppError, toAppError } from '../errors.js';
import { createLogger, redact, registerSecret, type Logger } from '../logger.js';
import { commands } from './commands/index.js';
import { printJson } from './output.js';
import type { CliIO } from './types.js';

function helpText(): string {
  const lines = ['research-bot: cited answers over a local corpus of ML papers', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(18)} ${c.summary}`, `      ${c.usage}`);
  return `${lines.join('\n')}\n`;
}

export async function main(
  argv: string[],
  io: CliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${helpText()}`);
    return 2;
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\nUsage: ${command.usage}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${command.summary}\nUsage: ${command.usage}\n`);
    return 0;
  }
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    registerSecret(config.openai.apiKey);
    registerSecret(config.discord.token);
    for (const secret of databaseUrlSecrets(config.databaseUrl)) registerSecret(secret);
    logger = createLogger({ level: config.logLevel ?? 'warn' });
    return await command.run({ args: rest, config, logger, io }, values, positionals);
  } catch (err) {
    const e = toAppError(err);
    if (!isAppError(err) || e.code === 'INTERNAL') logger?.error('command failed', { command: name, code: e.code, err });
    // Endpoint error texts can echo credentials back; nothing printed may carry a secret.
    const message = redact(e.userMessage);
    if (values.json) printJson(io, { error: { code: e.code, message } });
    else io.err(`error [${e.code}]: ${message}\n`);
    return 1;
  }
}
