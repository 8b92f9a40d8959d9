/** /paper title:<autocomplete> — a paper card. */
import { SlashCommandBuilder } from 'discord.js';
import { NO_MENTIONS } from '../client.js';
import { paperView } from '../handlers.js';
import type { SlashCommand } from './types.js';
import { titleAutocomplete, titleOption } from './titles.js';

export const paper: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('paper')
    .setDescription('Show a paper: key sentences, date, links, similar papers')
    .addStringOption(titleOption),

  async execute(i, ctx) {
    const title = i.options.getString('title', true);
    await i.deferReply();
    const embed = await paperView(ctx, title);
    await i.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
  },
  autocomplete: titleAutocomplete,
};
