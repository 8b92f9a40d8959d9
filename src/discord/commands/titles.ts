/** Shared title option + autocomplete for /paper and /similar. */
import type { AutocompleteInteraction, SlashCommandStringOption } from 'discord.js';
import type { BotContext } from '../context.js';
import { titleChoices } from '../services/papers.js';
import { safely } from '../respond.js';

export function titleOption(o: SlashCommandStringOption): SlashCommandStringOption {
  return o
    .setName('title')
    .setDescription('Paper title (start typing to pick one)')
    .setRequired(true)
    .setAutocomplete(true)
    .setMaxLength(300);
}

/** Answers from memory, no I/O: well inside the 3-second window. */
export async function titleAutocomplete(i: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const focused = i.options.getFocused(true);
  const choices = focused.name === 'title' ? titleChoices(ctx.retriever().store, String(focused.value ?? '')) : [];
  await safely(ctx.logger, 'autocomplete', () => i.respond(choices));
}
