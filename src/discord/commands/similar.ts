/** /similar title:<autocomplete> — papers most like a given one; a title that is not exact gets pick buttons (paper-picks.ts). */
import { SlashCommandBuilder } from 'discord.js';
import { openTypedPaper } from '../paper-picks.js';
import type { SlashCommand } from './types.js';
import { titleAutocomplete, titleOption } from './titles.js';

export const similar: SlashCommand = {
  data: new SlashCommandBuilder().setName('similar').setDescription('Papers most similar to a given paper').addStringOption(titleOption),

  execute: (i, ctx) => openTypedPaper(i, ctx, 'similar'),
  autocomplete: titleAutocomplete,
};
