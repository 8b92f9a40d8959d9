/** /search query:<text> — top papers, one line each. */
import { SlashCommandBuilder } from 'discord.js';
import { NO_MENTIONS } from '../client.js';
import { cleanQuestion } from '../../answer/engine.js';
import { searchView } from '../services/papers.js';
import { dateFilter, dateOption } from './date-options.js';
import type { SlashCommand } from './types.js';

export const search: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('search')
    .setDescription('Top matching papers in the corpus')
    .addStringOption((o) => o.setName('query').setDescription('What to look for').setRequired(true).setMaxLength(500))
    .addStringOption((o) => dateOption(o, 'from'))
    .addStringOption((o) => dateOption(o, 'to')),

  async execute(i, ctx) {
    const query = cleanQuestion(i.options.getString('query', true));
    const filter = dateFilter(i);
    await i.deferReply();
    const embed = await searchView(ctx, query, 10, filter);
    await i.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
  },
};
