/**
 * `research-bot` command line: parse the command name and its flags, load the configuration, run
 * the command (src/cli/commands/), and turn a failure into one line (or one JSON document) and an
 * exit code.
 */
import { parseArgs } from 'node:util';
import { loadConfig, registerSecrets } from '../config.js';
import { AppError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { commands } from './commands/index.js';
import { printFailure } from './output.js';
import type { CliIO } from './types.js';

function helpText(): string {
  const lines = ['research-bot: cited answers over a local corpus of ML papers', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(18)} ${c.summary}`, `      ${c.usage}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A reader that stops reading (`research-bot search … | head`) ends the command quietly, exit 0, as
 * a closed pipe ends a Unix tool. Node reports it as an EPIPE error on the stream, which otherwise
 * crashed the command with a stack trace.
 */
export function endOnClosedPipe(stream: NodeJS.WritableStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    exit(0);
  });
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
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  // Flags are not parsed yet (or failed to parse): a usage error honours a literal --json.
  const wantsJson = rest.includes('--json');
  if (!command) return printFailure(io, new AppError('USAGE', `Unknown command "${name}".`), { json: wantsJson, help: helpText() });
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
    return printFailure(io, new AppError('USAGE', (err as Error).message, { cause: err }), { json: wantsJson, usage: command.usage });
  }
  if (values.help) {
    io.out(`${command.summary}\nUsage: ${command.usage}\n`);
    return 0;
  }
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    registerSecrets(config);
    logger = createLogger({ level: config.logLevel ?? 'warn' });
    return await command.run({ args: rest, config, logger, io }, values, positionals);
  } catch (err) {
    return printFailure(io, err, { json: Boolean(values.json), usage: command.usage, logger, command: name });
  }
}
