/**
 * /paper and /similar with a typed title, and the pick buttons they offer when the title does not
 * name one paper. Only an exact title, a paper's own name or an id (what autocomplete sends)
 * opens at once, publicly as before; otherwise the reply is ephemeral from the first byte (no
 * public "thinking…" that is later deleted): candidates or, on a miss, the closest papers, one
 * button each. A click posts the chosen paper's view publicly, exactly what typing its full title
 * would have posted, and turns the private pick list into a one-line note: the fumbling stays
 * private, the result is shared like any /paper.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  ButtonStyle,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  ComponentType,
  MessageFlags,
} from 'discord.js';
import type { Paper } from '../corpus/types.js';
import { NO_MENTIONS } from './client.js';
import type { BotContext } from './context.js';
import { LIMITS, escapeMarkdownText, oneLine, truncate } from './render/text.js';
import { replyEphemeral, safely } from './respond.js';
import { ambiguousPicks, commandView, missingPicks, type PaperCommand, type PaperPicks, resolveTitle } from './services/papers.js';

const PICK_ID = /^pick:(paper|similar):([A-Za-z0-9_-]{1,80})$/;

export function pickId(command: PaperCommand, paperId: string): string {
  return `pick:${command}:${paperId}`;
}

export function parsePickId(customId: string): { command: PaperCommand; paperId: string } | undefined {
  const m = PICK_ID.exec(customId);
  return m ? { command: m[1] as PaperCommand, paperId: m[2] } : undefined;
}

/** "bert2BERT" for "bert2BERT: Towards Reusable …": the name people know a paper by, when its title has one. */
function shortTitle(title: string): string {
  const t = oneLine(title);
  const colon = t.indexOf(':');
  return colon >= 3 ? t.slice(0, colon) : t;
}

export function pickButtons(command: PaperCommand, papers: Paper[]): APIActionRowComponent<APIButtonComponent>[] {
  if (!papers.length) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: papers.slice(0, 5).map((p, n) => ({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: truncate(`${n + 1}. ${shortTitle(p.title)}`, LIMITS.buttonLabel),
        custom_id: pickId(command, p.id).slice(0, LIMITS.customId),
      })),
    },
  ];
}

function picksPayload(command: PaperCommand, picks: PaperPicks) {
  return { content: truncate(picks.content, LIMITS.content), components: pickButtons(command, picks.papers), allowedMentions: NO_MENTIONS };
}

/** The slash command itself: `title` is what was typed or the id autocomplete put there. */
export async function openTypedPaper(i: ChatInputCommandInteraction, ctx: BotContext, command: PaperCommand): Promise<void> {
  const typed = i.options.getString('title', true);
  // Titles are matched in memory, so the choice between a public and a private reply is made before the 3-second deadline.
  const r = resolveTitle(ctx, typed);
  if (r.kind === 'found') {
    await i.deferReply();
    const embed = await commandView(ctx, command, r.paper);
    await i.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
    return;
  }
  if (r.kind === 'ambiguous') {
    await i.reply({ ...picksPayload(command, ambiguousPicks(r)), flags: MessageFlags.Ephemeral });
    return;
  }
  // Suggestions need a search (an embedding call in hybrid mode): acknowledge privately first.
  await i.deferReply({ flags: MessageFlags.Ephemeral });
  await i.editReply(picksPayload(command, await missingPicks(ctx, typed)));
}

/** A pick button: the chosen paper's view, posted as its command would post it. */
export async function openPickedPaper(
  i: ButtonInteraction,
  ctx: BotContext,
  pick: { command: PaperCommand; paperId: string },
): Promise<void> {
  const paper = ctx.retriever().store.paperById.get(pick.paperId);
  if (!paper) {
    return replyEphemeral(
      i,
      `That paper is no longer in the index (the corpus changed since these buttons were made). Run /${pick.command} again.`,
      ctx.logger,
    );
  }
  const title = escapeMarkdownText(truncate(oneLine(paper.title), 200));
  // Acknowledge by taking the buttons off the private list, so a second click cannot post the paper twice.
  await i.update({ content: `Opening **${title}**…`, components: [], allowedMentions: NO_MENTIONS });
  const embed = await commandView(ctx, pick.command, paper);
  await i.followUp({ embeds: [embed], allowedMentions: NO_MENTIONS });
  await safely(ctx.logger, 'pick list note', () =>
    i.editReply({ content: `Posted **${title}** in the channel.`, components: [], allowedMentions: NO_MENTIONS }),
  );
}
