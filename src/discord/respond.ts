/**
 * Getting text to Discord: interaction replies (deferred, streamed, split, ephemeral errors) and
 * channel/thread messages, with every payload carrying allowed_mentions: { parse: [] } and every
 * failure logged instead of thrown (an expired interaction token must never crash the bot).
 */
import {
  DiscordAPIError,
  HTTPError,
  MessageFlags,
  type ChatInputCommandInteraction,
  type Message,
  type RepliableInteraction,
  type SendableChannels,
} from 'discord.js';
import { describeFailure } from '../errors.js';
import type { Logger } from '../logger.js';
import { NO_MENTIONS } from './client.js';
import type { BotContext } from './context.js';
import { admit } from './services/answers.js';
import type { Ticket } from './limiter.js';
import { MAX_ANSWER_MESSAGES, type OutgoingMessage } from './render/answer.js';
import { StreamLayout } from './render/split.js';
import { LIMITS, neutralizeMentions, truncate } from './render/text.js';

/** Interaction token gone (15 min), unknown webhook/interaction/message. */
const EXPIRED_CODES = new Set([10015, 50027, 10062, 10008]);

export function isExpiredError(err: unknown): boolean {
  if (err instanceof DiscordAPIError) return EXPIRED_CODES.has(Number(err.code)) || err.status === 404;
  if (err instanceof HTTPError) return err.status === 404;
  return false;
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof DiscordAPIError)
    return {
      status: err.status,
      code: err.code,
      method: err.method,
      route: err.url
        .replace(/\/webhooks\/(\d+)\/[^/?]+/, '/webhooks/$1/:token')
        .replace(/\/interactions\/(\d+)\/[^/?]+/, '/interactions/$1/:token')
        .replace(/^https?:\/\/[^/]+/, ''),
    };
  if (err instanceof HTTPError) return { status: err.status, method: err.method };
  return { err };
}

/**
 * Run a Discord call; on failure log it (expired tokens at warn) and return undefined.
 * Never throws.
 */
export async function safely<T>(logger: Logger, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isExpiredError(err)) logger.warn(`${what}: interaction or message no longer exists (token expired?); moving on`, describe(err));
    else logger.error(`${what} failed`, { ...describe(err), err });
    return undefined;
  }
}

const ephemeral = MessageFlags.Ephemeral;

/** An ephemeral notice, whatever state the interaction is in. Never throws. */
/**
 * Cooldown + concurrency admission, then the defer, for a command that computes an answer. A
 * refusal is answered ephemerally (that reply is the acknowledgement) and yields undefined; the
 * ticket is released if the defer itself fails.
 */
export async function admitAndDefer(i: ChatInputCommandInteraction, ctx: BotContext, ephemeral: boolean): Promise<Ticket | undefined> {
  const admission = admit(ctx, i.user.id);
  if (!admission.ok) {
    await replyEphemeral(i, admission.message, ctx.logger);
    return undefined;
  }
  try {
    await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  } catch (err) {
    admission.ticket.release();
    throw err;
  }
  return admission.ticket;
}

export async function replyEphemeral(i: RepliableInteraction, content: string, logger: Logger): Promise<void> {
  const payload = { content: truncate(neutralizeMentions(content), LIMITS.content), allowedMentions: NO_MENTIONS };
  await safely(logger, 'ephemeral reply', async () => {
    if (!i.deferred && !i.replied) await i.reply({ ...payload, flags: ephemeral });
    else if (i.deferred && i.ephemeral) await i.editReply({ ...payload, embeds: [], components: [] });
    else if (i.deferred) {
      // A public "thinking…" placeholder (or half-streamed text): remove it, then say it privately.
      // (The first follow-up after a deferral would otherwise replace the placeholder, publicly.)
      await i.deleteReply().catch(() => undefined);
      await i.followUp({ ...payload, flags: ephemeral });
    } else await i.followUp({ ...payload, flags: ephemeral });
  });
}

/** Log an error with its details and tell the user briefly (ephemeral, no stack trace). */
export async function reportInteractionError(
  ctx: BotContext,
  i: RepliableInteraction,
  err: unknown,
  meta: Record<string, unknown>,
): Promise<void> {
  const f = describeFailure(err);
  ctx.stats.errors++;
  if (f.level === 'error') ctx.logger.error('interaction failed', { ...meta, code: f.code, ...describe(err), err });
  else ctx.logger.warn('interaction refused', { ...meta, code: f.code, message: f.userText });
  await replyEphemeral(i, f.userText, ctx.logger);
}

// ---------------------------------------------------------------------------------------------
// Streaming edits
// ---------------------------------------------------------------------------------------------

/**
 * Coalesces streaming updates into at most one edit per interval; edits never overlap and the
 * latest text always wins. `stop()` cancels what is pending and waits for an edit in flight, so
 * the final answer is never overwritten by a late preview.
 */
export class EditThrottle {
  private latest: string | undefined;
  private sent: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private lastEditAt = 0;
  private stopped = false;
  edits = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly edit: (text: string) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  push(text: string): void {
    if (this.stopped) return;
    this.latest = text;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.inflight || this.latest === this.sent) return;
    const wait = Math.max(0, this.lastEditAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
  }

  private fire(): void {
    if (this.stopped || this.latest === undefined) return;
    const text = this.latest;
    this.sent = text;
    this.lastEditAt = Date.now();
    this.edits++;
    this.inflight = this.edit(text)
      .then(() => undefined)
      .catch((err) => this.logger.warn('streaming edit failed', describe(err)))
      .finally(() => {
        this.inflight = undefined;
        this.lastEditAt = Date.now();
        this.schedule();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight;
  }
}

// ---------------------------------------------------------------------------------------------
// Answer targets
// ---------------------------------------------------------------------------------------------

export interface AnswerTarget {
  /** Show streamed message `index` (0 = the first); the first call for an index posts it. */
  showPart(index: number, content: string): Promise<unknown>;
  /**
   * Post the final answer, editing the streamed messages in order and posting the rest; streamed
   * messages the final answer does not need are deleted. Returns the messages that landed
   * (possibly fewer on failure).
   */
  deliver(messages: OutgoingMessage[]): Promise<Message[]>;
  /**
   * Remove what showPart posted when no answer will follow (a queue notice whose wait ended in
   * BUSY), so only the error the caller then posts remains. Never throws. An interaction's error
   * reply already replaces its placeholder, so only channel targets need it.
   */
  discard?(): Promise<void>;
}

/**
 * What the throttle sends while a model streams: the text laid out over as many messages as it
 * needs (StreamLayout), and only the messages whose content changed, so no edit repeats the last.
 */
export function streamingPreview(target: AnswerTarget): (textSoFar: string) => Promise<void> {
  const layout = new StreamLayout();
  const shown: string[] = [];
  return async (textSoFar) => {
    let parts = layout.layout(textSoFar);
    // The final answer posts at most MAX_ANSWER_MESSAGES messages (the rest attached): so does streaming.
    if (parts.length > MAX_ANSWER_MESSAGES)
      parts = [...parts.slice(0, MAX_ANSWER_MESSAGES - 1), `${parts[MAX_ANSWER_MESSAGES - 1].replace(/ …$/, '')} …`];
    for (const [n, content] of parts.entries()) {
      const safe = neutralizeMentions(content);
      if (shown[n] === safe) continue;
      shown[n] = safe;
      await target.showPart(n, safe);
    }
  };
}

function payloadOf(m: OutgoingMessage) {
  return {
    content: m.content,
    embeds: m.embeds ?? [],
    components: m.components ?? [],
    allowedMentions: NO_MENTIONS,
    ...(m.files?.length ? { files: m.files.map((f) => ({ attachment: f.data, name: f.name })) } : {}),
  };
}

/** A deferred interaction: edit the placeholder, then follow-ups for the remaining parts. */
export function interactionTarget(i: RepliableInteraction, opts: { ephemeral: boolean; logger: Logger }): AnswerTarget {
  // Follow-up messages posted while streaming, by part index (part 0 is the deferred reply).
  const streamed: Message[] = [];
  const followUp = (p: ReturnType<typeof payloadOf> | { content: string; allowedMentions: typeof NO_MENTIONS }) =>
    i.followUp({ ...p, ...(opts.ephemeral ? { flags: ephemeral } : {}) });
  return {
    async showPart(n, content) {
      const payload = { content, allowedMentions: NO_MENTIONS };
      if (n === 0) await i.editReply(payload);
      else if (streamed[n]) await i.editReply({ ...payload, message: streamed[n] });
      else streamed[n] = await followUp(payload);
    },
    async deliver(messages) {
      const out: Message[] = [];
      for (const [n, m] of messages.entries()) {
        const sent = await safely(opts.logger, n === 0 ? 'final answer edit' : 'answer follow-up', () =>
          n === 0
            ? i.editReply(payloadOf(m))
            : streamed[n]
              ? i.editReply({ ...payloadOf(m), message: streamed[n] })
              : followUp(payloadOf(m)),
        );
        if (!sent) break;
        out.push(sent);
      }
      for (const extra of streamed.slice(messages.length).filter(Boolean))
        await safely(opts.logger, 'remove a streamed message', () => i.deleteReply(extra));
      return out;
    },
  };
}

/** A channel or thread: reply to the asking message (no ping), edit while streaming, then send the rest. */
export function channelTarget(channel: SendableChannels, opts: { replyTo?: Message; logger: Logger }): AnswerTarget {
  const post = async (p: ReturnType<typeof payloadOf> | { content: string; allowedMentions: typeof NO_MENTIONS }): Promise<Message> =>
    opts.replyTo ? opts.replyTo.reply(p) : channel.send(p);
  // Messages posted while streaming, by part index.
  const streamed: Message[] = [];
  return {
    async showPart(n, content) {
      const payload = { content, allowedMentions: NO_MENTIONS };
      if (streamed[n]) await streamed[n].edit(payload);
      else streamed[n] = await (n === 0 ? post(payload) : channel.send(payload));
    },
    async deliver(messages) {
      const out: Message[] = [];
      for (const [n, m] of messages.entries()) {
        const sent: Message | undefined = await safely(
          opts.logger,
          'answer message',
          async (): Promise<Message> =>
            streamed[n] ? streamed[n].edit(payloadOf(m)) : n === 0 ? post(payloadOf(m)) : channel.send(payloadOf(m)),
        );
        if (!sent) break;
        out.push(sent);
      }
      for (const extra of streamed.slice(messages.length).filter(Boolean))
        await safely(opts.logger, 'remove a streamed message', () => extra.delete());
      return out;
    },
    async discard() {
      for (const m of streamed.splice(0).filter(Boolean)) await safely(opts.logger, 'remove a queue notice', () => m.delete());
    },
  };
}
