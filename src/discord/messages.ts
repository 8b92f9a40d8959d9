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
import { looksLikeFollowUp, type Turn } from '../answer/followup.js';
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
  /** The message this one replies to, read as the question before it (a thread's history has its own). */
  earlier?: Turn;
}

/** A message read with the one it replies to (`earlier`, when that asked something). */
interface Read {
  question: string;
  earlier?: Turn;
}

/** What a thread opened on a reply is named after: the question replied to, when the reply only follows it up. */
const subjectOf = (r: Read) => (r.earlier && looksLikeFollowUp(r.question) ? r.earlier.question : r.question);

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
      const history = past?.turns ?? (a.earlier ? [a.earlier] : []);
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

  /** The message's text with mentions of the bot removed. */
  function withoutBot(text: string): string {
    const id = ctx.botUserId;
    return id ? text.replace(new RegExp(`<@!?${id}>`, 'g'), ' ') : text;
  }

  const mentionsBot = (message: Message) => Boolean(ctx.botUserId && message.mentions.users.has(ctx.botUserId));

  /** The message's text with mentions of the bot removed, when it mentions the bot. */
  function mentionQuestion(message: Message): string | undefined {
    return mentionsBot(message) ? questionOf(withoutBot(message.content)) : undefined;
  }

  /** What the message a reply answers asked, if a person wrote it and it asks something (an answer thread has its history instead). */
  async function repliedQuestion(message: Message): Promise<string | undefined> {
    if (message.type !== MessageType.Reply || !message.reference?.messageId) return undefined;
    const replied = await safely(ctx.logger, 'replied-to message', () => message.fetchReference());
    if (!replied || replied.author.bot || replied.system) return undefined;
    return questionOf(withoutBot(replied.content));
  }

  /**
   * A message asking the bot, read with the message it replies to: "@research-bot" alone (or "^") under someone's
   * question asks that question; "@research-bot what about 13B?" under it is that question's follow-up. Undefined
   * when the message asks nothing: an acknowledgement, or no words and nothing replied to that can be read, which a
   * mention of the bot is told (`tellHowToAsk`).
   */
  async function readAsk(message: Message, mentioned: boolean): Promise<Read | undefined> {
    const text = mentioned ? withoutBot(message.content) : message.content;
    // "thx @research-bot" acknowledges; a mention with no words at all ("@research-bot ^") points at what it replies to.
    if (/[\p{L}\p{N}]/u.test(text) && isAcknowledgement(text)) return undefined;
    const own = questionOf(text);
    const earlier = await repliedQuestion(message);
    if (!own) {
      if (earlier) return { question: earlier };
      if (mentioned) await tellHowToAsk(message);
      return undefined;
    }
    return earlier ? { question: own, earlier: { question: earlier, answer: '' } } : { question: own };
  }

  /** A mention with no question, and nothing replied to that the bot can read: say how to ask, once per message. */
  async function tellHowToAsk(message: Message): Promise<void> {
    if (!handled.add(message.id)) return;
    const replied = message.type === MessageType.Reply;
    await safely(ctx.logger, 'how-to-ask hint', () =>
      message.reply({
        content: replied
          ? "I can't read the message you replied to (it may be gone, or the bot may lack the Message Content intent). " +
            'Please type the question after the mention.'
          : "Ask me a question after the mention, or reply to someone's question with a mention to have me answer it.",
        allowedMentions: NO_MENTIONS,
      }),
    );
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
    if (channel.isThread()) {
      if (!isAnswerThread(ctx, channel)) {
        // @research-bot in someone else's thread: answer there.
        const read = mentionsBot(message) ? await readAsk(message, true) : undefined;
        if (!read || !handled.add(message.id)) return;
        return answerInThread({ message, thread: channel, ...read, kind: 'qa', withHistory: false, reply: true });
      }
      const forumStarter = message.id === channel.id && Boolean(channel.parentId && qa.includes(channel.parentId));
      if (forumStarter) {
        const question = questionOf(`${channel.name}\n${message.content}`);
        if (!question || !handled.add(message.id)) return;
        return answerInThread({ message, thread: channel, question, kind: 'qa', withHistory: false, reply: true });
      }
      if (!ctx.config.discord.threadFollowups) {
        const mentioned = mentionQuestion(message);
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
      const read = mentionsBot(message) ? await readAsk(message, true) : undefined;
      if (!read || !handled.add(message.id)) return;
      const thread = textChannel
        ? await safely(ctx.logger, 'open mention thread', () =>
            message.startThread({ name: threadNameFor(subjectOf(read)), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay }),
          )
        : undefined;
      if (thread) return answerInThread({ message, thread, ...read, kind: 'qa', withHistory: false, reply: false });
      if (!channel.isSendable()) return;
      return answerInThread({ message, thread: channel, ...read, kind: 'qa', withHistory: false, reply: true });
    }
    const read = await readAsk(message, mentionsBot(message));
    if (!read || !handled.add(message.id)) return;
    const thread = await safely(ctx.logger, 'open Q&A thread', () =>
      message.startThread({ name: threadNameFor(subjectOf(read)), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay }),
    );
    if (!thread) return;
    return answerInThread({ message, thread, ...read, kind: 'qa', withHistory: false, reply: false });
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
