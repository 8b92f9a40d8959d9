/**
 * Message-driven answers (need the MESSAGE_CONTENT intent, except mentions and DMs):
 *  - a message in an answer thread (one the bot opened, or a post under a Q&A channel) is a
 *    follow-up, answered with the thread's history (unless THREAD_FOLLOWUPS is off);
 *  - a new message in a Q&A text channel gets a thread opened on it and an answer there;
 *  - a new forum post in a Q&A forum channel gets an answer in its thread;
 *  - a direct message is answered in the DM, with the DM's last messages as the thread's history.
 */
import {
  ChannelType,
  MessageType,
  ThreadAutoArchiveDuration,
  type AnyThreadChannel,
  type Message,
  type SendableChannels,
} from 'discord.js';
import { describeFailure } from '../errors.js';
import type { BotContext } from './context.js';
import { admit, computeAnswer } from './services/answers.js';
import { cleanQuestion } from '../answer/engine.js';
import { isAcknowledgement } from '../index/chat-frame.js';
import { isAnswerThread, threadHistory } from './history.js';
import { NO_MENTIONS } from './client.js';
import { runAnswer } from './pipeline.js';
import { threadNameFor } from './render/text.js';
import { channelTarget, safely } from './respond.js';

/** Remembers recently handled message ids (gateway replays after RESUME, thread+message races). */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 5000) {}
  /** True if the id was new (and is now remembered). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

interface Ask {
  message: Message;
  /** Where the answer goes: an answer thread, a DM, or the channel a mention was typed in. */
  thread: SendableChannels;
  question: string;
  kind: 'followup' | 'qa';
  withHistory: boolean;
  /** Reply to the message (it is in the thread) rather than posting plainly. */
  reply: boolean;
}

/** The one-line hint in an answer thread when typed follow-ups are off. */
const FOLLOWUP_HINT = (botId: string | undefined) =>
  `To ask a follow-up here, use \`/ask\` in this thread${botId ? ` or mention <@${botId}>` : ''}: typed messages are not read.`;

export function createMessageHandlers(ctx: BotContext) {
  const handled = new RecentIds();
  // One message per user waits out that user's cooldown; a newer one takes its place.
  const waiting = new Map<string, { ask: Ask; timer: NodeJS.Timeout }>();
  ctx.shutdown.signal.addEventListener('abort', () => {
    for (const w of waiting.values()) clearTimeout(w.timer);
    waiting.clear();
  });

  /** Answer once the cooldown ends; ⏳ on the message says it is queued, ⏭️ that a newer one replaced it. */
  async function queueForCooldown(a: Ask, retryAfterMs: number): Promise<void> {
    const user = a.message.author.id;
    const previous = waiting.get(user);
    if (previous) {
      clearTimeout(previous.timer);
      void safely(ctx.logger, 'superseded reaction', () => previous.ask.message.react('⏭️'));
    }
    const timer = setTimeout(() => {
      waiting.delete(user);
      void answerInThread(a);
    }, retryAfterMs + 50);
    timer.unref(); // a queued message never holds the process open at shutdown (it is dropped then)
    waiting.set(user, { ask: a, timer });
    await safely(ctx.logger, 'cooldown reaction', () => a.message.react('⏳'));
  }

  async function answerInThread(a: Ask): Promise<void> {
    if (ctx.stopping) return;
    const admission = admit(ctx, a.message.author.id);
    if (!admission.ok) {
      if (admission.reason === 'cooldown') await queueForCooldown(a, admission.retryAfterMs ?? 1000);
      else
        await safely<unknown>(ctx.logger, 'busy notice', () => a.thread.send({ content: admission.message, allowedMentions: NO_MENTIONS }));
      return;
    }
    try {
      void safely(ctx.logger, 'typing', () => a.thread.sendTyping());
      const dm = a.thread.type === ChannelType.DM ? a.thread : undefined;
      const conversation = a.thread.isThread() ? a.thread : dm;
      const past = a.withHistory && conversation ? await threadHistory(ctx, conversation, a.message.id) : undefined;
      const history = past?.turns ?? [];
      // A DM has no thread to mark where a conversation starts: it is a follow-up once earlier answers are in view.
      const kind = dm && !past?.records.length && !history.length ? 'qa' : a.kind;
      const target = channelTarget(a.thread, { replyTo: a.reply ? a.message : undefined, logger: ctx.logger });
      await runAnswer(
        ctx,
        target,
        admission.ticket,
        (onPreview) =>
          computeAnswer(ctx, {
            question: a.question,
            kind,
            history,
            ...(past ? { thread: past.records } : {}),
            userId: a.message.author.id,
            guildId: a.message.guildId ?? undefined,
            channelId: a.thread.id,
            threadId: a.thread.isThread() ? a.thread.id : undefined,
            onPreview,
          }),
        a.thread.isThread() ? { threadId: a.thread.id } : {},
      );
    } catch (err) {
      admission.ticket.release();
      const f = describeFailure(err);
      ctx.stats.errors++;
      if (f.level === 'error') ctx.logger.error('message answer failed', { messageId: a.message.id, code: f.code, err });
      else ctx.logger.warn('message answer refused', { messageId: a.message.id, code: f.code, message: f.userText });
      await safely<unknown>(ctx.logger, 'error notice', () => a.thread.send({ content: f.userText, allowedMentions: NO_MENTIONS }));
    }
  }

  /** The question a message asks, or undefined: none ("thx!", "ok cool 👍" ask nothing), or unreadable. */
  function questionOf(text: string): string | undefined {
    if (isAcknowledgement(text)) return undefined;
    try {
      return cleanQuestion(text);
    } catch {
      return undefined;
    }
  }

  /** The message's text with mentions of the bot removed, when it mentions the bot. */
  function mentionQuestion(message: Message): string | undefined {
    const id = ctx.botUserId;
    if (!id || !message.mentions.users.has(id)) return undefined;
    return questionOf(message.content.replace(new RegExp(`<@!?${id}>`, 'g'), ' '));
  }

  // Answer threads already told that typed follow-ups are off (THREAD_FOLLOWUPS=false).
  const hinted = new RecentIds(1000);

  async function onMessage(message: Message): Promise<void> {
    if (ctx.stopping || message.author.bot || message.webhookId || message.system) return;
    if (message.type !== MessageType.Default && message.type !== MessageType.Reply) return;
    const channel = message.channel;
    if (channel.type === ChannelType.DM) {
      // A DM is a conversation with the bot: every message is a question, its recent messages the thread.
      if (!ctx.config.discord.directMessages) return;
      const question = mentionQuestion(message) ?? questionOf(message.content);
      if (!question || !handled.add(message.id)) return;
      return answerInThread({ message, thread: channel, question, kind: 'followup', withHistory: true, reply: true });
    }
    if (!message.inGuild()) return;
    const qa = ctx.config.discord.qaChannelIds;
    const mentioned = mentionQuestion(message);
    if (channel.isThread()) {
      if (!isAnswerThread(ctx, channel)) {
        // @research-bot in someone else's thread: answer there.
        if (!mentioned || !handled.add(message.id)) return;
        return answerInThread({ message, thread: channel, question: mentioned, kind: 'qa', withHistory: false, reply: true });
      }
      const forumStarter = message.id === channel.id && Boolean(channel.parentId && qa.includes(channel.parentId));
      if (forumStarter) {
        const question = questionOf(`${channel.name}\n${message.content}`);
        if (!question || !handled.add(message.id)) return;
        return answerInThread({ message, thread: channel, question, kind: 'qa', withHistory: false, reply: true });
      }
      if (!ctx.config.discord.threadFollowups) {
        if (mentioned && handled.add(message.id))
          return answerInThread({ message, thread: channel, question: mentioned, kind: 'followup', withHistory: true, reply: true });
        // Typed text is not read here: say once per thread how to ask a follow-up.
        if (!mentioned && hinted.add(channel.id))
          await safely(ctx.logger, 'follow-up hint', () =>
            message.reply({ content: FOLLOWUP_HINT(ctx.botUserId), allowedMentions: NO_MENTIONS }),
          );
        return;
      }
      const question = questionOf(message.content);
      if (!question || !handled.add(message.id)) return;
      return answerInThread({ message, thread: channel, question, kind: 'followup', withHistory: true, reply: true });
    }
    const textChannel = channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
    if (!qa.includes(channel.id) || !textChannel) {
      // @research-bot anywhere else it can read: a thread on the message where one can be made, else a reply in place.
      if (!mentioned || !handled.add(message.id)) return;
      const thread = textChannel
        ? await safely(ctx.logger, 'open mention thread', () =>
            message.startThread({ name: threadNameFor(mentioned), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay }),
          )
        : undefined;
      if (thread) return answerInThread({ message, thread, question: mentioned, kind: 'qa', withHistory: false, reply: false });
      if (!channel.isSendable()) return;
      return answerInThread({
        message,
        thread: channel,
        question: mentioned,
        kind: 'qa',
        withHistory: false,
        reply: true,
      });
    }
    const question = mentioned ?? questionOf(message.content);
    if (!question || !handled.add(message.id)) return;
    const thread = await safely(ctx.logger, 'open Q&A thread', () =>
      message.startThread({ name: threadNameFor(question), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay }),
    );
    if (!thread) return;
    return answerInThread({ message, thread, question, kind: 'qa', withHistory: false, reply: false });
  }

  /** Forum posts: the thread appears first; answer its opening message. */
  async function onThreadCreate(thread: AnyThreadChannel, newlyCreated: boolean): Promise<void> {
    if (ctx.stopping || !newlyCreated || !thread.parentId || !ctx.config.discord.qaChannelIds.includes(thread.parentId)) return;
    if (thread.parent?.type !== ChannelType.GuildForum || thread.ownerId === ctx.botUserId) return;
    const starter = await thread.fetchStarterMessage().catch(() => null);
    if (starter && !starter.author.bot) await onMessage(starter);
  }

  return { onMessage, onThreadCreate };
}
