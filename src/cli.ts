/**
 * Entry point of the `research-bot` command line (bin/research-bot.js loads the compiled file).
 * The dispatcher lives in src/cli/index.ts, one module per command in src/cli/commands/.
 */
export { endOnClosedPipe, main } from './cli/index.js';
export { commands } from './cli/commands/index.js';
export { renderAnswer } from './cli/output.js';
export { requireText } from './cli/args.js';
export type { CliIO, Command } from './cli/types.js';
