/**
 * Conversation history of an answer thread, rebuilt from the thread's recent messages: bot answers
 * are matched to their stored records (question, answer, cited papers) through their buttons or
 * the message ids linked in the answers log; user messages without a stored answer fill in.
 */
import { MessageType, type AnyThreadChannel, type DMChannel, type Message, type PartialDMChannel } from 'discord.js';
import type { Turn } from '../answer/followup.js';
import type { BotContext } from './context.js';
import type { AnswerRecord, FeedbackStore } from './feedback.js';
import { turnsFromRecords } from './services/recap.js';
import { answerIdFromComponents } from './render/answer.js';

export interface ThreadMessageInfo {
  id: string;
  authorId: string;
  bot: boolean;
  content: string;
  answerId?: string;
}

export interface ThreadHistory {
  turns: Turn[];
  /** Stored answer records found in the thread, oldest first. */
  records: AnswerRecord[];
}

/** Pure part: messages (oldest first) → turns. */
export async function historyFromMessages(
  messages: ThreadMessageInfo[],
  store: FeedbackStore,
  botUserId: string | undefined,
  maxTurns = 6,
): Promise<ThreadHistory> {
  const records: AnswerRecord[] = [];
  const turns: Turn[] = [];
  const seen = new Set<string>();
  let pending: string | undefined;
  for (const m of messages) {
    const fromBot = m.bot && (!botUserId || m.authorId === botUserId);
    if (fromBot) {
      const id = m.answerId ?? store.answerIdForMessage(m.id);
      if (id && seen.has(id)) continue; // another part of an answer already counted
      const rec = id ? await store.getAnswer(id) : undefined;
      if (rec) {
        seen.add(rec.answerId);
        records.push(rec);
        if (rec.kind !== 'recap') turns.push(...turnsFromRecords([rec]));
        pending = undefined;
      } else if (pending && m.content.trim()) {
        turns.push({ question: pending, answer: m.content });
        pending = undefined;
      }
    } else if (!m.bot && m.content.trim()) {
      pending = m.content.trim();
    }
  }
  return { turns: turns.slice(-maxTurns), records };
}

function info(m: Message): ThreadMessageInfo {
  return {
    id: m.id,
    authorId: m.author.id,
    bot: m.author.bot,
    content: m.content ?? '',
    answerId: answerIdFromComponents(m.components as never),
  };
}

/**
 * How far back a DM conversation reaches. A DM never ends the way a thread does, so only its last
 * messages count: about ten exchanges, of which the last six turns are used (historyFromMessages).
 */
export const DM_HISTORY_MESSAGES = 20;

/**
 * Recent history of a thread (or a DM), oldest first, excluding `beforeId` and anything after it.
 * Includes the thread's starter (the /ask answer or the user's first post).
 */
export async function threadHistory(
  ctx: BotContext,
  thread: AnyThreadChannel | DMChannel | PartialDMChannel,
  beforeId?: string,
  limit = thread.isThread() ? 50 : DM_HISTORY_MESSAGES,
): Promise<ThreadHistory> {
  const fetched = await thread.messages.fetch({ limit, ...(beforeId ? { before: beforeId } : {}), cache: false });
  const list = [...fetched.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const infos: ThreadMessageInfo[] = [];
  for (const m of list) {
    if (m.type === MessageType.ThreadStarterMessage && thread.isThread()) {
      // A thread opened on a message: that message (in the parent channel) is the first turn.
      const starterId = m.reference?.messageId ?? thread.id;
      const answerId = ctx.store.answerIdForMessage(starterId);
      if (answerId) infos.push({ id: starterId, authorId: ctx.botUserId ?? '', bot: true, content: '', answerId });
      else {
        const starter = await thread.fetchStarterMessage().catch(() => null);
        if (starter) infos.push(info(starter));
      }
      continue;
    }
    // Typed messages, replies, and slash-command answers (/ask inside the thread: type 20).
    if (m.type !== MessageType.Default && m.type !== MessageType.Reply && m.type !== MessageType.ChatInputCommand) continue;
    infos.push(info(m));
  }
  // Threads whose starter scrolled out of the fetched page still know their first answer.
  if (thread.isThread() && (!infos.length || !list.some((m) => m.type === MessageType.ThreadStarterMessage))) {
    const rootId = ctx.store.answerIdForMessage(thread.id);
    if (rootId && !infos.some((i) => i.answerId === rootId) && list.length < limit) {
      infos.unshift({ id: thread.id, authorId: ctx.botUserId ?? '', bot: true, content: '', answerId: rootId });
    }
  }
  return historyFromMessages(infos, ctx.store, ctx.botUserId);
}

/** Is this a thread the bot answers in (one it opened, or one under a Q&A channel)? */
export function isAnswerThread(
  ctx: BotContext,
  channel: { isThread(): boolean; ownerId?: string | null; parentId?: string | null } | null | undefined,
): channel is AnyThreadChannel {
  if (!channel?.isThread()) return false;
  return (
    (Boolean(ctx.botUserId) && channel.ownerId === ctx.botUserId) ||
    Boolean(channel.parentId && ctx.config.discord.qaChannelIds.includes(channel.parentId))
  );
}
