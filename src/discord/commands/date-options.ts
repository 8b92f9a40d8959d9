/** The `from` / `to` date options of /ask and /search, checked by the same validator as the CLI's flags. */
import type { ChatInputCommandInteraction, SlashCommandStringOption } from 'discord.js';
import type { SearchFilter } from '../../index/search.js';
import { parseFilter } from '../../search-filter.js';

export function dateOption(o: SlashCommandStringOption, name: 'from' | 'to'): SlashCommandStringOption {
  return o
    .setName(name)
    .setDescription(
      name === 'from'
        ? 'Only papers dated (if undated: added) on or after this day (YYYY-MM-DD)'
        : 'Only papers dated (if undated: added) on or before this day (YYYY-MM-DD)',
    )
    .setMinLength(10)
    .setMaxLength(10);
}

/** The interaction's date filter; a bad value is a USAGE error naming the option. */
export function dateFilter(i: ChatInputCommandInteraction): SearchFilter | undefined {
  return parseFilter({ from: i.options.getString('from'), to: i.options.getString('to') }, { from: 'from', to: 'to' });
}
