/** FeedbackStore's votes and 👎 notes: cleaning, bounds, and votes decided when cast. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanNote, FeedbackStore, MAX_NOTE_CHARS } from '../../src/discord/feedback.js';
import { removeDir, tempDir } from './harness.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

async function lines(dir: string): Promise<any[]> {
  return (await readFile(join(dir, 'feedback.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('cleanNote', () => {
  it('drops control, zero-width and bidi characters, keeps line breaks (one blank line at most), and bounds the length', () => {
    expect(cleanNote('  a\u0000b\u0007c\u001b[31m\u007f\u0085d\u200be\u202ef\u2066g\uFEFF  ')).toBe('abc[31mdefg');
    expect(cleanNote('one\r\ntwo\rthree\n\n\n\nfour\tfive')).toBe('one\ntwo\nthree\n\nfour five');
    expect(cleanNote(' \u0000\n\t ')).toBe('');
    const long = cleanNote('😀'.repeat(MAX_NOTE_CHARS + 10));
    expect([...long]).toHaveLength(MAX_NOTE_CHARS);
    expect(long.endsWith('\ud83d')).toBe(false); // cut between characters, never inside a surrogate pair
  });
});

describe('FeedbackStore votes and notes', () => {
  it('two identical clicks racing each other count once; the question is filled in from the answers log', async () => {
    const dir = await tempDir('notes');
    dirs.push(dir);
    const store = await FeedbackStore.open(dir);
    await store.saveAnswer({
      type: 'answer',
      answerId: 'ans12345',
      time: new Date().toISOString(),
      kind: 'ask',
      question: 'What is dataset decomposition?',
      answer: '…',
      mode: 'extractive',
      abstained: false,
      citations: [],
      sources: [],
      droppedCitations: 0,
    });
    const [a, b] = await Promise.all([
      store.recordVote({ answerId: 'ans12345', userId: 'u1', vote: 'down' }),
      store.recordVote({ answerId: 'ans12345', userId: 'u1', vote: 'down' }),
    ]);
    expect([a.status, b.status]).toEqual(['new', 'same']);
    expect(store.currentVote('ans12345', 'u1')).toBe('down');
    expect(await store.saveNote({ answerId: 'ans12345', userId: 'u1', note: ' \u0000 ' })).toBeUndefined();
    expect(await store.saveNote({ answerId: 'ans12345', userId: 'u1', note: 'wrong\u202e paper' })).toMatchObject({ note: 'wrong paper' });
    await store.close();
    expect(await lines(dir)).toEqual([
      expect.objectContaining({ type: 'vote', vote: 'down', question: 'What is dataset decomposition?' }),
      expect.objectContaining({ type: 'note', answerId: 'ans12345', userId: 'u1', note: 'wrong paper' }),
    ]);
    // Notes do not disturb the votes read back on the next start.
    const reopened = await FeedbackStore.open(dir);
    expect(reopened.currentVote('ans12345', 'u1')).toBe('down');
    expect((await reopened.recordVote({ answerId: 'ans12345', userId: 'u1', vote: 'down' })).status).toBe('same');
    await reopened.close();
  });
});
