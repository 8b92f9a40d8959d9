/** /digest [days] [topic] — papers first seen in the last N days that match this channel's watched topics (or `topic`). */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { daysAgo, digestSince } from '../../radar/digest.js';
import { MAX_TOPIC_CHARS } from '../../radar/types.js';
import { NO_MENTIONS } from '../client.js';
import { renderDigest } from '../render/digest.js';
import { replyEphemeral } from '../respond.js';
import type { SlashCommand } from './types.js';

export const DIGEST_DEFAULT_DAYS = 7;
const MAX_DAYS = 90;

export const digest: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('digest')
    .setDescription("New papers of the last days that match this channel's watched topics")
    .addIntegerOption((o) =>
      o.setName('days').setDescription(`How many days back (default ${DIGEST_DEFAULT_DAYS})`).setMinValue(1).setMaxValue(MAX_DAYS),
    )
    .addStringOption((o) => o.setName('topic').setDescription('A topic instead of the watched ones').setMaxLength(MAX_TOPIC_CHARS)),

  async execute(i, ctx) {
    const days = i.options.getInteger('days') ?? DIGEST_DEFAULT_DAYS;
    const given = i.options.getString('topic')?.trim();
    const topics = given ? [given] : ((await ctx.radar?.listWatches({ channelId: i.channelId })) ?? []).map((w) => w.topic);
    if (!topics.length)
      return replyEphemeral(i, 'This channel watches no topics: add one with `/watch add`, or give `topic:`.', ctx.logger);
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const view = await digestSince(ctx.radar, ctx.retriever(), { since: daysAgo(days), topics });
    const heading = `📡 **Papers first seen in the last ${days} day${days === 1 ? '' : 's'}**: ${view.newPapers} new in the corpus.`;
    const content = renderDigest(heading, view.groups, `None of them matches ${topics.map((t) => `"${t}"`).join(', ')}.`);
    await i.editReply({ content, allowedMentions: NO_MENTIONS });
  },
};
