/** /paper title:<autocomplete> — a paper card; a title that is not exact gets pick buttons (paper-picks.ts). */
import { SlashCommandBuilder } from 'discord.js';
import { openTypedPaper } from '../paper-picks.js';
import type { SlashCommand } from './types.js';
import { titleAutocomplete, titleOption } from './titles.js';

export const paper: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('paper')
    .setDescription('Show a paper: key sentences, date, links, similar papers')
    .addStringOption(titleOption),

  execute: (i, ctx) => openTypedPaper(i, ctx, 'paper'),
  autocomplete: titleAutocomplete,
};
