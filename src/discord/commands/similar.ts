/** /similar title:<autocomplete> — papers most like a given one. */
import { SlashCommandBuilder } from 'discord.js';
import { NO_MENTIONS } from '../client.js';
import { similarView } from '../handlers.js';
import type { SlashCommand } from './types.js';
import { titleAutocomplete, titleOption } from './titles.js';

export const similar: SlashCommand = {
  data: new SlashCommandBuilder().setName('similar').setDescription('Papers most similar to a given paper').addStringOption(titleOption),

  async execute(i, ctx) {
    const title = i.options.getString('title', true);
    await i.deferReply();
    const embed = await similarView(ctx, title);
    await i.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
  },
  autocomplete: titleAutocomplete,
};
