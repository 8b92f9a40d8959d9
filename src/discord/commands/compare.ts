/** /compare paper1:<autocomplete> paper2:<autocomplete> [paper3:] [paper4:] — papers side by side. */
import { SlashCommandBuilder, type SlashCommandStringOption } from 'discord.js';
import { COMPARE_MAX } from '../../answer/compare.js';
import { compareInThread } from '../../answer/thread.js';
import { saveComparison } from '../comparisons.js';
import { requirePaper, titleChoices } from '../services/papers.js';
import { isAnswerThread, threadHistory } from '../history.js';
import { runAnswer } from '../pipeline.js';
import { admitAndDefer, interactionTarget, safely } from '../respond.js';
import { threadRecords } from '../thread-records.js';
import type { SlashCommand } from './types.js';

const OPTIONS = Array.from({ length: COMPARE_MAX }, (_, i) => `paper${i + 1}`);

function paperOption(name: string, required: boolean) {
  return (o: SlashCommandStringOption) =>
    o
      .setName(name)
      .setDescription(required ? 'A paper to compare (start typing to pick one)' : 'Another paper (optional)')
      .setRequired(required)
      .setAutocomplete(true)
      .setMaxLength(300);
}

const data = new SlashCommandBuilder().setName('compare').setDescription('Compare 2–4 papers side by side: problem, method, data, results');
for (const [i, name] of OPTIONS.entries()) data.addStringOption(paperOption(name, i < 2));

export const compare: SlashCommand = {
  data,
  async execute(i, ctx) {
    const store = ctx.retriever().store;
    // Unknown titles are refused before anything is posted.
    const papers = OPTIONS.map((n) => i.options.getString(n)).flatMap((v) => (v ? [requirePaper(store, v)] : []));
    const ticket = await admitAndDefer(i, ctx, false);
    if (!ticket) return;
    const channel = i.channel;
    const inThread = isAnswerThread(ctx, channel);
    const records = inThread
      ? await threadRecords(ctx, channel.id, (await threadHistory(ctx, channel).catch(() => undefined))?.records ?? [])
      : [];
    await runAnswer(ctx, interactionTarget(i, { ephemeral: false, logger: ctx.logger }), ticket, async () => {
      const retriever = ctx.retriever();
      const result = await compareInThread({ retriever, chat: ctx.chat, logger: ctx.logger }, papers, records, {
        signal: ctx.shutdown.signal,
      });
      return saveComparison(ctx, result, retriever, {
        userId: i.user.id,
        guildId: i.guildId ?? undefined,
        channelId: i.channelId,
        ...(inThread ? { threadId: channel.id } : {}),
      });
    });
  },
  async autocomplete(i, ctx) {
    const focused = i.options.getFocused(true);
    const choices = OPTIONS.includes(focused.name) ? titleChoices(ctx.retriever().store, String(focused.value ?? '')) : [];
    await safely(ctx.logger, 'autocomplete', () => i.respond(choices));
  },
};
