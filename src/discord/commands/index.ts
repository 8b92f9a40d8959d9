import { addPapers } from './add-papers.js';
import { ask } from './ask.js';
import { digest } from './digest.js';
import { gaps } from './gaps.js';
import { compare } from './compare.js';
import { help } from './help.js';
import { paper } from './paper.js';
import { reindex } from './reindex.js';
import { search } from './search.js';
import { similar } from './similar.js';
import { stats } from './stats.js';
import { summarize } from './summarize.js';
import { watch } from './watch.js';
import type { SlashCommand } from './types.js';

export type { SlashCommand } from './types.js';

export const COMMANDS: readonly SlashCommand[] = [
  ask,
  summarize,
  search,
  paper,
  similar,
  compare,
  help,
  stats,
  reindex,
  addPapers,
  watch,
  digest,
  gaps,
];

export function commandMap(): Map<string, SlashCommand> {
  return new Map(COMMANDS.map((c) => [c.data.name, c]));
}
