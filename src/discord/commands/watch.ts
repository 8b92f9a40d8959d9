/**
 * /watch add topic: | list | remove watch: — the topics a channel gets digests for after each
 * ingest. Manage Channels in the channel; admins (Manage Server or ADMIN_ROLE_IDS) see and remove any watch in the server.
 */
import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { MAX_TOPIC_CHARS, type Watch } from '../../radar/types.js';
import { addWatch, findWatch } from '../../radar/watches.js';
import type { BotContext } from '../context.js';
import { escapeMarkdownText, oneLine } from '../render/text.js';
import { canManageChannel, isBotAdmin } from '../preconditions.js';
import { replyEphemeral } from '../respond.js';
import type { SlashCommand } from './types.js';

function line(w: Watch, withChannel: boolean): string {
  return `• \`${w.id}\` ${escapeMarkdownText(oneLine(w.topic))}${withChannel ? ` in <#${w.channelId}>` : ''}`;
}

export const watch: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('watch')
    .setDescription('Topics this channel gets a digest of new papers for (Manage Channels)')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageChannels)
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription('Post new papers on a topic here after each ingest')
        .addStringOption((o) =>
          o.setName('topic').setDescription('e.g. "diffusion models"').setRequired(true).setMaxLength(MAX_TOPIC_CHARS),
        ),
    )
    .addSubcommand((s) => s.setName('list').setDescription("This channel's watches (every channel's for Manage Server)"))
    .addSubcommand((s) =>
      s
        .setName('remove')
        .setDescription('Stop watching a topic')
        .addStringOption((o) =>
          o.setName('watch').setDescription('The topic, or the id /watch list shows').setRequired(true).setMaxLength(MAX_TOPIC_CHARS),
        ),
    ),

  async execute(i, ctx: BotContext) {
    const radar = ctx.radar;
    if (!i.inGuild() || !canManageChannel(i, ctx.config.discord.adminRoleIds)) {
      ctx.logger.warn('watch refused: missing Manage Channels', { userId: i.user.id, guildId: i.guildId });
      return replyEphemeral(
        i,
        'Only members with the **Manage Channels** permission can manage watches (in a server channel).',
        ctx.logger,
      );
    }
    if (!radar) return replyEphemeral(i, 'Watches are not available in this bot.', ctx.logger);
    const sub = i.options.getSubcommand();
    if (sub === 'add') {
      const { watch: w, created } = await addWatch(radar, {
        guildId: i.guildId,
        channelId: i.channelId,
        topic: i.options.getString('topic', true),
        createdBy: i.user.id,
      });
      const topic = escapeMarkdownText(oneLine(w.topic));
      return replyEphemeral(
        i,
        created
          ? `Watching **${topic}** here (\`${w.id}\`). After each ingest that adds matching papers, this channel gets one digest.`
          : `This channel already watches **${topic}** (\`${w.id}\`).`,
        ctx.logger,
      );
    }
    if (sub === 'list') {
      const admin = isBotAdmin(i, ctx.config.discord.adminRoleIds);
      const list = await radar.listWatches(admin ? { guildId: i.guildId } : { channelId: i.channelId });
      if (!list.length)
        return replyEphemeral(
          i,
          admin ? 'No channel in this server watches a topic.' : 'This channel watches no topics. Add one with `/watch add`.',
          ctx.logger,
        );
      const here = list.filter((w) => w.channelId === i.channelId);
      const elsewhere = list.filter((w) => w.channelId !== i.channelId);
      const parts = [];
      if (here.length) parts.push('**This channel watches:**', ...here.map((w) => line(w, false)));
      if (elsewhere.length) parts.push('**Other channels in this server:**', ...elsewhere.map((w) => line(w, true)));
      return replyEphemeral(i, parts.join('\n'), ctx.logger);
    }
    const found = await findWatch(radar, { guildId: i.guildId, channelId: i.channelId }, i.options.getString('watch', true));
    if (!found) return replyEphemeral(i, 'No such watch here. `/watch list` shows the topics and their ids.', ctx.logger);
    if (found.channelId !== i.channelId && !isBotAdmin(i, ctx.config.discord.adminRoleIds)) {
      ctx.logger.warn('watch remove refused: another channel needs Manage Server', { userId: i.user.id, guildId: i.guildId });
      return replyEphemeral(i, "Only members with **Manage Server** can remove another channel's watch.", ctx.logger);
    }
    await radar.removeWatch(found.id);
    return replyEphemeral(i, `Stopped watching **${escapeMarkdownText(oneLine(found.topic))}** in <#${found.channelId}>.`, ctx.logger);
  },
};
