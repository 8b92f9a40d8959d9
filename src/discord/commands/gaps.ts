/** /gaps — (admins, ephemeral) questions the corpus answers poorly, grouped: what to add next. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { findGaps } from '../../radar/gaps.js';
import { NO_MENTIONS } from '../client.js';
import { escapeMarkdownText, LIMITS, neutralizeMentions, oneLine, truncate } from '../render/text.js';
import { isBotAdmin } from '../preconditions.js';
import { replyEphemeral } from '../respond.js';
import type { SlashCommand } from './types.js';

export const gaps: SlashCommand = {
  data: new SlashCommandBuilder().setName('gaps').setDescription('Questions the corpus answers poorly, grouped (admins only)'),

  async execute(i, ctx) {
    if (!isBotAdmin(i, ctx.config.discord.adminRoleIds)) {
      ctx.logger.warn('gaps refused: missing Manage Server', { userId: i.user.id, guildId: i.guildId });
      return replyEphemeral(i, 'Only admins (**Manage Server** or a bot admin role) can see the gaps.', ctx.logger);
    }
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    await ctx.store.flush();
    const found = await findGaps(ctx.config.feedbackDir, ctx.retriever(), { limit: 10 });
    const text = (s: string, max: number) => neutralizeMentions(escapeMarkdownText(truncate(oneLine(s), max)));
    const lines = found.length
      ? [
          '**What the corpus lacks**: questions abstained on, answered with low confidence, or voted 👎',
          ...found.map((g, n) => {
            const why = Object.entries(g.reasons)
              .filter(([, c]) => c)
              .map(([r, c]) => `${c} ${r}`)
              .join(', ');
            const closest = g.closest.length ? `\n   closest: ${g.closest.map((p) => text(p.title, 80)).join(' · ')}` : '';
            const notes = g.notes
              .map((x) => `\n   👎 “${text(x.note, 200)}”${x.question !== g.question ? ` on “${text(x.question, 80)}”` : ''}`)
              .join('');
            return `${n + 1}. “${text(g.question, 200)}” — ${g.count}× (${why}), last <t:${Math.floor(Date.parse(g.lastAsked) / 1000)}:R>${closest}${notes}`;
          }),
        ]
      : ['No gaps yet: no question was abstained on, answered with low confidence, or voted 👎.'];
    await i.editReply({ content: truncate(lines.join('\n'), LIMITS.content), allowedMentions: NO_MENTIONS });
  },
};
