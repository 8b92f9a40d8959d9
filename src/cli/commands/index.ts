/** Every `research-bot` command by name, in the order the help lists them. */
import type { Command } from '../types.js';
import { add } from './add.js';
import { ask } from './ask.js';
import { bot } from './bot.js';
import { digest } from './digest.js';
import { evalCommand } from './eval.js';
import { gaps } from './gaps.js';
import { ingest } from './ingest.js';
import { migrateStore } from './migrate-store.js';
import { paper } from './paper.js';
import { registerCommands } from './register-commands.js';
import { search } from './search.js';
import { similar } from './similar.js';
import { stats } from './stats.js';
import { summarize } from './summarize.js';

export const commands: Record<string, Command> = {
  ingest,
  add,
  search,
  paper,
  stats,
  'migrate-store': migrateStore,
  ask,
  summarize,
  similar,
  digest,
  gaps,
  eval: evalCommand,
  bot,
  'register-commands': registerCommands,
};
