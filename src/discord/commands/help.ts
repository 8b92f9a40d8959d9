/** /help — what the bot can do. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { NO_MENTIONS } from '../client.js';
import { helpView } from '../services/info.js';
import type { SlashCommand } from './types.js';

export const help: SlashCommand = {
  data: new SlashCommandBuilder().setName('help').setDescription('How to use research-bot'),
  async execute(i, ctx) {
    await i.reply({ embeds: [helpView(ctx)], flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  },
};
