/**
 * /add-papers file1: [file2 … file5] — add Daily Papers dumps or paper lists to the corpus (Manage
 * Server, or a role in ADMIN_ROLE_IDS). The reply, like /reindex's, is visible to the admin only.
 */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { ADD_MAX_FILE_BYTES, ADD_MAX_FILES, describeAddResult } from '../../corpus/add-papers.js';
import { NO_MENTIONS } from '../client.js';
import { downloadAttachment } from '../download.js';
import { reindex as runReindex } from '../services/reindex.js';
import { escapeMarkdownText, LIMITS, truncate } from '../render/text.js';
import { isBotAdmin } from '../preconditions.js';
import { replyEphemeral } from '../respond.js';
import type { SlashCommand } from './types.js';

const FILE_OPTIONS = Array.from({ length: ADD_MAX_FILES }, (_, k) => `file${k + 1}`);

const builder = new SlashCommandBuilder()
  .setName('add-papers')
  .setDescription('Add Daily Papers dumps (.txt/.md) or paper lists (.jsonl/.json) to the corpus (admins only)');
for (const [k, name] of FILE_OPTIONS.entries())
  builder.addAttachmentOption((o) =>
    o
      .setName(name)
      .setDescription(k === 0 ? `A .txt/.md page dump or .jsonl/.json list, up to ${ADD_MAX_FILE_BYTES >> 20} MB` : 'Another file')
      .setRequired(k === 0),
  );

export const addPapers: SlashCommand = {
  data: builder,

  async execute(i, ctx) {
    if (!isBotAdmin(i, ctx.config.discord.adminRoleIds)) {
      ctx.logger.warn('add-papers refused: not an admin', { userId: i.user.id, guildId: i.guildId });
      return replyEphemeral(
        i,
        'Only members with the **Manage Server** permission (or an admin role of this bot) can add papers.',
        ctx.logger,
      );
    }
    if (ctx.reindexing) return replyEphemeral(i, 'A re-index is already running. Please wait for it to finish.', ctx.logger);
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const refs = FILE_OPTIONS.flatMap((name) => {
      const a = i.options.getAttachment(name);
      return a ? [{ name: a.name, url: a.url, size: a.size }] : [];
    });
    const files = await Promise.all(
      refs.map((ref) => downloadAttachment(ref, { apiUrl: ctx.config.discord.apiUrl, signal: ctx.shutdown.signal })),
    );
    const out = await runReindex(ctx, { add: files });
    const lines = describeAddResult(out.added ?? { files: [] }, escapeMarkdownText);
    await i.editReply({ content: truncate(lines.join('\n'), LIMITS.content), allowedMentions: NO_MENTIONS });
  },
};
