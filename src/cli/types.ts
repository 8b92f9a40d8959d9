/** What every `research-bot` command receives and provides. */
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  stderrStream?: NodeJS.WriteStream;
}

export interface CommandContext {
  args: string[];
  config: Config;
  logger: Logger;
  io: CliIO;
}

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}
