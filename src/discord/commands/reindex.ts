/**
 * /reindex [force:<bool>] — rebuild the index from the corpus (Manage Server only). Answers keep
 * using the old index until the new one is complete, then switch over atomically.
 */
import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { NO_MENTIONS } from '../client.js';
import { reindex as runReindex } from '../services/reindex.js';
import { replyEphemeral } from '../respond.js';
import type { SlashCommand } from './types.js';

export const reindex: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('reindex')
    .setDescription('Rebuild the paper index from the corpus (Manage Server only)')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addBooleanOption((o) => o.setName('force').setDescription('Rebuild even if the corpus did not change')),

  async execute(i, ctx) {
    // Discord hides the command from others by default, but server settings can override that.
    if (!i.inGuild() || !i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      ctx.logger.warn('reindex refused: missing Manage Server', { userId: i.user.id, guildId: i.guildId });
      return replyEphemeral(i, 'Only members with the **Manage Server** permission can rebuild the index.', ctx.logger);
    }
    if (ctx.reindexing) return replyEphemeral(i, 'A re-index is already running. Please wait for it to finish.', ctx.logger);
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const force = i.options.getBoolean('force') ?? false;
    const out = await runReindex(ctx, { force });
    const text =
      out.upToDate && !out.swapped
        ? `The index is already up to date (${out.papers} papers, ${out.chunks} chunks; generation ${out.generation}). Nothing to do.`
        : `Re-indexed ${out.papers} papers into ${out.chunks} chunks in ${(out.durationMs / 1000).toFixed(1)} s. Answers now use generation ${out.generation}.`;
    await i.editReply({ content: text, allowedMentions: NO_MENTIONS });
  },
};
