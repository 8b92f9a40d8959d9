/**
 * Durable, append-only records under FEEDBACK_DIR:
 *
 *   answers.jsonl   one line per answer (question, answer, citations, sources) plus small "link"
 *                   lines that attach message / thread ids once they are known; the Sources button
 *                   and thread history read it back, also after a restart.
 *   feedback.jsonl  one line per 👍 / 👎 click (question, answerId, userId, vote, time), and one per
 *                   note a user wrote in the 👎 form ("what was wrong or missing?"), linked to that
 *                   user's vote by answerId + userId.
 *
 * Every append is written and fdatasync'ed before its promise resolves, and appends to a file are
 * serialised, so a line that was acknowledged survives a crash or restart. A torn last line (power
 * loss mid-write) is skipped on the next open.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Confidence } from '../answer/abstain.js';
import type { ComparisonRow } from '../answer/compare.js';
import type { AnswerResult } from '../answer/engine.js';
import { AppError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';

export type AnswerKind = 'ask' | 'followup' | 'summarize' | 'qa' | 'recap' | 'compare';

/** What the engine answered, as stored: the result's user-visible fields plus where and when. */
export interface AnswerRecord
  extends Pick<
    AnswerResult,
    | 'question'
    | 'answer'
    | 'mode'
    | 'abstained'
    | 'citations'
    | 'sources'
    | 'droppedCitations'
    | 'fallbackReason'
    | 'truncated'
    | 'retrievalFallback'
  > {
  type: 'answer';
  answerId: string;
  time: string;
  kind: AnswerKind;
  query?: string;
  chatModel?: string;
  retrievalMode?: string;
  /** Index generation the answer was retrieved from. */
  indexGeneration?: string;
  /** The engine's grade (absent in records written before it was stored, and in thread recaps). */
  confidence?: Confidence;
  durationMs?: number;
  userId?: string;
  guildId?: string;
  channelId?: string;
  threadId?: string;
  /** A side-by-side comparison's table (thread-numbered, like the citations). */
  comparison?: ComparisonRow[];
}

export interface LinkRecord {
  type: 'link';
  answerId: string;
  time: string;
  messageIds?: string[];
  threadId?: string;
}

export interface VoteRecord {
  type: 'vote';
  answerId: string;
  question: string | null;
  userId: string;
  vote: 'up' | 'down';
  time: string;
  guildId?: string;
  channelId?: string;
  /** The same user's earlier vote on this answer, which this one replaces (one vote per user per answer). */
  replaces?: 'up' | 'down';
}

/** What a user wrote in the 👎 form about an answer; their latest note on an answer is the one that counts. */
export interface NoteRecord {
  type: 'note';
  answerId: string;
  userId: string;
  /** Cleaned: control and invisible formatting characters removed, at most MAX_NOTE_CHARS characters. */
  note: string;
  time: string;
  guildId?: string;
  channelId?: string;
}

/** The longest note kept (the form's text input allows the same). */
export const MAX_NOTE_CHARS = 500;

/** Invisible characters that could hide or reorder text in a log or in /gaps: zero-width and bidi controls. */
const INVISIBLE = new Set([0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff]);
const isBidiControl = (cp: number) => (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);

/** A user's note as stored: line breaks kept (at most one blank line), tabs as spaces, other control characters dropped, bounded. */
export function cleanNote(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\t') out += ' ';
    else if (ch === '\n' || !(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || INVISIBLE.has(cp) || isBidiControl(cp))) out += ch;
  }
  const chars = [...out.replace(/\n{3,}/g, '\n\n').trim()];
  return (chars.length > MAX_NOTE_CHARS ? chars.slice(0, MAX_NOTE_CHARS).join('') : chars.join('')).trimEnd();
}

export interface VoteOutcome {
  /** 'same': the user had already cast this vote; nothing was written. */
  status: 'new' | 'changed' | 'same';
  previous?: 'up' | 'down';
}

export function newAnswerId(): string {
  return `${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}

/** An append-only JSONL file: serialised appends, each fdatasync'ed before it resolves. */
class JsonlAppender {
  private fh: FileHandle | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  size = 0;

  constructor(readonly path: string) {}

  async open(): Promise<void> {
    this.fh = await open(this.path, 'a+');
    this.size = (await this.fh.stat()).size;
    if (this.size > 0) {
      // Make sure the next record starts on its own line even if the last write was torn.
      const last = Buffer.alloc(1);
      await this.fh.read(last, 0, 1, this.size - 1);
      if (last[0] !== 0x0a) await this.write(Buffer.from('\n'));
    }
  }

  private async write(buf: Buffer): Promise<number> {
    const offset = this.size;
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh!.write(buf, done, buf.length - done);
      done += bytesWritten;
    }
    await this.fh!.datasync();
    this.size += buf.length;
    return offset;
  }

  /** Append one record; resolves with the byte offset and length of its line once it is on disk. */
  append(record: object): Promise<{ offset: number; length: number }> {
    if (this.closed || !this.fh)
      return Promise.reject(new AppError('INTERNAL', undefined, { detail: { reason: `${this.path} is closed` } }));
    const buf = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    const run = this.chain.then(async () => ({ offset: await this.write(buf), length: buf.length - 1 }));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async flush(): Promise<void> {
    await this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.fh?.close();
    this.fh = undefined;
  }
}

export class FeedbackStore {
  private readonly answers: JsonlAppender;
  private readonly votes: JsonlAppender;
  private readonly byId = new Map<string, { offset: number; length: number }>();
  private readonly byMessage = new Map<string, string>();
  private readonly byThread = new Map<string, string[]>();
  private readonly cache = new Map<string, AnswerRecord>();
  /** Each user's current vote per answer (`answerId user`), from the feedback log. */
  private readonly currentVotes = new Map<string, 'up' | 'down'>();
  /** Vote writes still looking up their question; flush() waits for them too. */
  private readonly pending = new Set<Promise<unknown>>();
  private static readonly CACHE_SIZE = 500;

  private constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.answers = new JsonlAppender(join(dir, 'answers.jsonl'));
    this.votes = new JsonlAppender(join(dir, 'feedback.jsonl'));
  }

  static async open(dir: string, logger: Logger = silentLogger): Promise<FeedbackStore> {
    await mkdir(dir, { recursive: true });
    const store = new FeedbackStore(dir, logger);
    await store.scan();
    await store.scanVotes();
    await store.answers.open();
    await store.votes.open();
    return store;
  }

  get answersPath(): string {
    return this.answers.path;
  }

  get feedbackPath(): string {
    return this.votes.path;
  }

  /** Build the id → offset index (and message/thread links) from the answers log. */
  private async scan(): Promise<void> {
    const path = join(this.dir, 'answers.jsonl');
    try {
      await stat(path);
    } catch {
      return;
    }
    let offset = 0;
    let bad = 0;
    const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of rl) {
      const length = Buffer.byteLength(line, 'utf8');
      const at = offset;
      offset += length + 1;
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as AnswerRecord | LinkRecord;
        if (rec.type === 'answer' && rec.answerId) {
          this.byId.set(rec.answerId, { offset: at, length });
          if (rec.threadId) this.addThread(rec.threadId, rec.answerId);
        } else if (rec.type === 'link' && rec.answerId) this.indexLink(rec);
      } catch {
        bad++;
      }
    }
    if (bad) this.logger.warn('skipped unreadable lines in the answers log', { path, lines: bad });
    this.logger.debug('answers log loaded', { path, answers: this.byId.size });
  }

  /** Latest vote per user per answer from the feedback log (later lines replace earlier ones). */
  private async scanVotes(): Promise<void> {
    const path = join(this.dir, 'feedback.jsonl');
    try {
      await stat(path);
    } catch {
      return;
    }
    const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of rl) {
      try {
        const v = JSON.parse(line) as VoteRecord;
        if (v.type === 'vote' && v.answerId && v.userId) this.currentVotes.set(`${v.answerId} ${v.userId}`, v.vote);
      } catch {
        // a torn last line: the vote it held was never acknowledged
      }
    }
  }

  private addThread(threadId: string, answerId: string): void {
    const list = this.byThread.get(threadId) ?? [];
    if (!list.includes(answerId)) list.push(answerId);
    this.byThread.set(threadId, list);
  }

  private indexLink(rec: LinkRecord): void {
    for (const m of rec.messageIds ?? []) this.byMessage.set(m, rec.answerId);
    if (rec.threadId) this.addThread(rec.threadId, rec.answerId);
  }

  private remember(rec: AnswerRecord): void {
    this.cache.delete(rec.answerId);
    this.cache.set(rec.answerId, rec);
    if (this.cache.size > FeedbackStore.CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Durably store an answer; resolves once it is on disk (before its buttons are shown). */
  async saveAnswer(rec: AnswerRecord): Promise<void> {
    const pos = await this.answers.append(rec);
    this.byId.set(rec.answerId, pos);
    if (rec.threadId) this.addThread(rec.threadId, rec.answerId);
    this.remember(rec);
  }

  /** Attach the Discord message ids (and thread) an answer was posted as. */
  async linkAnswer(answerId: string, link: { messageIds?: string[]; threadId?: string }): Promise<void> {
    const rec: LinkRecord = { type: 'link', answerId, time: new Date().toISOString(), ...link };
    this.indexLink(rec);
    await this.answers.append(rec);
  }

  async getAnswer(answerId: string): Promise<AnswerRecord | undefined> {
    const cached = this.cache.get(answerId);
    if (cached) return cached;
    const pos = this.byId.get(answerId);
    if (!pos) return undefined;
    const fh = await open(this.answers.path, 'r');
    try {
      const buf = Buffer.alloc(pos.length);
      await fh.read(buf, 0, pos.length, pos.offset);
      const rec = JSON.parse(buf.toString('utf8')) as AnswerRecord;
      if (rec.answerId !== answerId) throw new Error('offset mismatch');
      this.remember(rec);
      return rec;
    } catch (err) {
      this.logger.warn('could not read an answer record', { answerId, err });
      return undefined;
    } finally {
      await fh.close();
    }
  }

  hasAnswer(answerId: string): boolean {
    return this.byId.has(answerId);
  }

  answerIdForMessage(messageId: string): string | undefined {
    return this.byMessage.get(messageId);
  }

  answerIdsInThread(threadId: string): string[] {
    return [...(this.byThread.get(threadId) ?? [])];
  }

  /** The user's current vote on an answer, if any. */
  currentVote(answerId: string, userId: string): 'up' | 'down' | undefined {
    return this.currentVotes.get(`${answerId} ${userId}`);
  }

  /**
   * One vote per user per answer: a new vote replaces the user's earlier one; repeating it writes nothing.
   * Decided when called (before any await), so two clicks racing each other count once. Without
   * `question`, the store fills it in from the answers log.
   */
  recordVote(
    vote: Omit<VoteRecord, 'type' | 'time' | 'replaces' | 'question'> & { question?: string | null; time?: string },
  ): Promise<VoteOutcome> {
    const key = `${vote.answerId} ${vote.userId}`;
    const previous = this.currentVotes.get(key);
    if (previous === vote.vote) return Promise.resolve({ status: 'same', previous });
    this.currentVotes.set(key, vote.vote);
    const write = (async (): Promise<VoteOutcome> => {
      try {
        const question = vote.question !== undefined ? vote.question : ((await this.getAnswer(vote.answerId))?.question ?? null);
        const rec: VoteRecord = {
          type: 'vote',
          ...vote,
          question,
          time: vote.time ?? new Date().toISOString(),
          ...(previous ? { replaces: previous } : {}),
        };
        await this.votes.append(rec);
      } catch (err) {
        // Not on disk, so not counted: the user's earlier vote stands.
        if (this.currentVotes.get(key) === vote.vote) {
          if (previous) this.currentVotes.set(key, previous);
          else this.currentVotes.delete(key);
        }
        throw err;
      }
      return previous ? { status: 'changed', previous } : { status: 'new' };
    })();
    this.pending.add(write);
    void write.catch(() => undefined).finally(() => this.pending.delete(write));
    return write;
  }

  /** Store a user's note on an answer (cleaned); resolves with what was stored once it is on disk, or undefined for an empty note. */
  async saveNote(n: Omit<NoteRecord, 'type' | 'time' | 'note'> & { note: string; time?: string }): Promise<NoteRecord | undefined> {
    const note = cleanNote(n.note);
    if (!note) return undefined;
    const rec: NoteRecord = { type: 'note', ...n, note, time: n.time ?? new Date().toISOString() };
    await this.votes.append(rec);
    return rec;
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await Promise.all([this.answers.flush(), this.votes.flush()]);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await Promise.all([this.answers.close(), this.votes.close()]);
  }
}
