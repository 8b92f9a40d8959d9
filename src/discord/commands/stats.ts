/** /stats — index size, retrieval mode, chat model. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { NO_MENTIONS } from '../client.js';
import { statsView } from '../services/info.js';
import type { SlashCommand } from './types.js';

export const stats: SlashCommand = {
  data: new SlashCommandBuilder().setName('stats').setDescription('Index statistics, retrieval mode and chat model'),
  async execute(i, ctx) {
    await i.reply({ embeds: [statsView(ctx)], flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  },
};
