/**
 * /paper and /similar with a typed title, end to end through the real discord.js client against
 * the test Discord server: a title that names no single paper gets ephemeral pick buttons (never a
 * silent open of bert2BERT for "BERT"), a click posts the chosen paper's view publicly, a miss
 * gets suggestions, and nothing public is posted and then deleted on the way.
 */
import { describe, expect, it } from 'vitest';
import type { FakeDiscordServer } from '../servers/discord-server.js';
import { customIds, userId, useBotSuite } from './harness.js';

const EPHEMERAL = 64;
const LOADING = 1 << 7;
const BERT2BERT = 'bert2BERT: Towards Reusable Pretrained Language Models';

const suite = useBotSuite();

async function setup(): Promise<FakeDiscordServer> {
  return (await suite.setup()).s;
}

function command(s: FakeDiscordServer, name: 'paper' | 'similar', title: string, user = userId()) {
  return s.sendSlashCommand({ name, userId: user, options: [{ name: 'title', type: 3, value: title }] });
}

/** Nothing public was deleted: no DELETE of a message through the interaction webhook or the channel. */
function deletes(s: FakeDiscordServer): string[] {
  return s.calls.filter((c) => c.method === 'DELETE' && /messages/.test(c.path)).map((c) => c.path);
}

function buttons(message: any): Array<{ label: string; custom_id: string }> {
  return (message?.components ?? []).flatMap((row: any) => row.components ?? []);
}

describe('/paper and /similar pick buttons', () => {
  it('"BERT" gets ephemeral picks within the deadline (whole word first), and a click posts that paper publicly', async () => {
    const s = await setup();
    const user = userId();
    const h = command(s, 'paper', 'BERT', user);
    await s.waitFor(() => s.callbacks(h.interactionId).length > 0, 10_000);
    const cb = s.callbacks(h.interactionId)[0];
    // Answered at once, privately: no public "thinking…" placeholder.
    expect(cb.body.type).toBe(4);
    expect(cb.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(cb.at - h.sentAt).toBeLessThan(3000);
    const picker = s.originalMessage(h.token);
    expect(picker.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(picker.content.split('\n')[0]).toBe('4 papers match "BERT". Pick one:');
    expect(picker.content).toContain('**1.** Boosting Distributed Training Performance of the Unpadded BERT Model');
    const picks = buttons(picker);
    expect(picks.map((b) => b.label)).toEqual([
      '1. Boosting Distributed Training Performance of the Unpadded BERT Model',
      '2. bert2BERT',
      '3. MosaicBERT',
      '4. VacancySBERT',
    ]);
    for (const b of picks) expect(b.custom_id).toMatch(/^pick:paper:[0-9a-f]{10}$/);
    expect(s.followUps(h.token)).toEqual([]);

    const click = s.sendButton({ customId: picks[1].custom_id, messageId: picker.id, userId: user });
    const posted = await s.waitFor(() => s.followUps(click.token).find((m) => m.embeds?.length), 10_000);
    // The click updated the private list (buttons gone), then posted the card for everyone.
    expect(s.callbacks(click.interactionId)[0].body).toMatchObject({ type: 7, data: { components: [] } });
    expect(posted.flags & EPHEMERAL).toBe(0);
    expect(posted.embeds[0].title).toBe(BERT2BERT);
    expect(posted.embeds[0].fields.map((f: any) => f.name)).toEqual(expect.arrayContaining(['Date', 'Links', 'Similar papers']));
    const note = await s.waitFor(() => /^Posted/.test(s.message(picker.id)?.content ?? '') && s.message(picker.id), 10_000);
    expect(note.content).toBe(`Posted **${BERT2BERT}** in the channel.`);
    expect(buttons(note)).toEqual([]);
    expect(deletes(s)).toEqual([]);
  });

  it('/similar offers picks too, and its click posts the similar-papers view', async () => {
    const s = await setup();
    const h = command(s, 'similar', 'LoRA');
    await s.waitFor(() => s.callbacks(h.interactionId).length > 0, 10_000);
    const picker = s.originalMessage(h.token);
    expect(picker.flags & EPHEMERAL).toBe(EPHEMERAL);
    const picks = buttons(picker);
    expect(picks.length).toBeGreaterThan(1);
    expect(picks.length).toBeLessThanOrEqual(5);
    for (const b of picks) expect(b.custom_id).toMatch(/^pick:similar:[0-9a-f]{10}$/);
    const chosen = picks.find((b) => /VeLoRA/.test(b.label))!;
    const click = s.sendButton({ customId: chosen.custom_id, messageId: picker.id });
    const posted = await s.waitFor(() => s.followUps(click.token).find((m) => m.embeds?.length), 10_000);
    expect(posted.flags & EPHEMERAL).toBe(0);
    expect(posted.embeds[0].title).toBe('Papers similar to: VeLoRA: Memory Efficient Training using Rank-1 Sub-Token Projections');
    expect(posted.embeds[0].description).toMatch(/^\*\*1\.\*\* \[/);
  });

  it('an exact title (any case, no punctuation) still opens publicly, with no picks', async () => {
    const s = await setup();
    const h = command(s, 'paper', 'BERT2BERT towards reusable pretrained language models');
    const card = await s.waitFor(() => s.originalMessage(h.token)?.embeds?.length && s.originalMessage(h.token), 10_000);
    expect(s.callbacks(h.interactionId)[0].body.type).toBe(5);
    expect(card.flags & EPHEMERAL).toBe(0);
    expect(card.embeds[0].title).toBe(BERT2BERT);
    expect(customIds(card)).toEqual([]);
  });

  it('a miss: one ephemeral reply with the closest papers as picks; nothing public created or deleted', async () => {
    const s = await setup();
    const channelBefore = s.channelMessages(s.textChannelId).length;
    const h = command(s, 'paper', 'packing several prompts into one sequence');
    const reply = await s.waitFor(() => {
      const m = s.originalMessage(h.token);
      return m && !(m.flags & LOADING) && m.content ? m : undefined;
    }, 10_000);
    // Deferred privately from the start (suggestions need a search), then edited in place.
    expect(s.callbacks(h.interactionId)[0].body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content.split('\n')[0]).toBe('No paper titled "packing several prompts into one sequence". The closest papers:');
    const picks = buttons(reply);
    expect(picks.length).toBeGreaterThan(0);
    expect(picks.length).toBeLessThanOrEqual(5);
    expect(picks[0].label).toBe('1. Prepacking');
    expect(s.followUps(h.token)).toEqual([]);
    expect(deletes(s)).toEqual([]);
    const publicNew = s
      .channelMessages(s.textChannelId)
      .slice(channelBefore)
      .filter((m) => !(m.flags & EPHEMERAL));
    expect(publicNew).toEqual([]);

    const click = s.sendButton({ customId: picks[0].custom_id, messageId: reply.id });
    const posted = await s.waitFor(() => s.followUps(click.token).find((m) => m.embeds?.length), 10_000);
    expect(posted.embeds[0].title).toMatch(/^Prepacking/);

    // Nothing close at all: said so, without buttons.
    const none = command(s, 'paper', 'zzzz qqqq no such paper');
    const empty = await s.waitFor(() => {
      const m = s.originalMessage(none.token);
      return m && !(m.flags & LOADING) && m.content ? m : undefined;
    }, 10_000);
    expect(empty.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(empty.content).toBe('No paper titled "zzzz qqqq no such paper", and none is close. Try /search with other words.');
    expect(buttons(empty)).toEqual([]);
    expect(deletes(s)).toEqual([]);
  });

  it('/compare (no room for buttons) refuses an ambiguous title ephemerally, naming the candidates, instead of comparing bert2BERT', async () => {
    const s = await setup();
    const h = s.sendSlashCommand({
      name: 'compare',
      userId: userId(),
      options: [
        { name: 'paper1', type: 3, value: 'BERT' },
        { name: 'paper2', type: 3, value: 'DropPos' },
      ],
    });
    await s.waitFor(() => s.callbacks(h.interactionId).length > 0, 10_000);
    const cb = s.callbacks(h.interactionId)[0].body;
    expect(cb.type).toBe(4);
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.content).toMatch(
      /^"BERT" could mean "Boosting Distributed Training Performance of the Unpadded BERT Model", "bert2BERT: /,
    );
    expect(cb.data.content).toMatch(/Pick one from the list as you type\.$/);
  });

  it('a pick button whose paper is gone from the index gets a clear ephemeral message', async () => {
    const s = await setup();
    const click = s.sendButton({ customId: 'pick:paper:0123456789' });
    await s.waitFor(() => s.callbacks(click.interactionId).length > 0, 10_000);
    const cb = s.callbacks(click.interactionId)[0].body;
    expect(cb.type).toBe(4);
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.content).toBe(
      'That paper is no longer in the index (the corpus changed since these buttons were made). Run /paper again.',
    );
  });
});
