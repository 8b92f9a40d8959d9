/** The fake Discord server's modals (callback type 9, MODAL_SUBMIT) with the real discord.js client. */
import {
  ActionRowBuilder,
  type Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  Routes,
  TextInputBuilder,
  TextInputStyle,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { readyClient } from './discord-client.js';
import { startDiscordServer, type FakeDiscordServer } from './discord-server.js';

let server: FakeDiscordServer | undefined;
let client: Client | undefined;
let handlerErrors: unknown[] = [];
/** Every INTERACTION_CREATE payload the client received, as it arrived over the gateway. */
let received: any[] = [];

async function start(handler: (i: Interaction) => Promise<void>): Promise<{ s: FakeDiscordServer; c: Client }> {
  server = await startDiscordServer({ heartbeatIntervalMs: 250 });
  client = await readyClient(server, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] }, (c) => {
    client = c; // stopped by afterEach even if login fails
    c.on(Events.Raw, (p: { t?: string; d?: unknown }) => {
      if (p.t === 'INTERACTION_CREATE') received.push(p.d);
    });
    c.on(Events.InteractionCreate, (i) => {
      handler(i).catch((err) => handlerErrors.push(err));
    });
  });
  return { s: server, c: client };
}

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
  const errors = handlerErrors;
  handlerErrors = [];
  received = [];
  expect(errors).toEqual([]);
});

const classicModal = () =>
  new ModalBuilder()
    .setCustomId('report')
    .setTitle('Report')
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId('what').setLabel('What happened?').setStyle(TextInputStyle.Paragraph).setMaxLength(20),
      ),
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId('where').setLabel('Where?').setStyle(TextInputStyle.Short).setRequired(false),
      ),
    );

describe('fake Discord server: modals', () => {
  it('a button opens a modal (type 9); submitting it dispatches MODAL_SUBMIT that discord.js reads, with the message, and it can be answered', async () => {
    const submitted: ModalSubmitInteraction[] = [];
    const { s } = await start(async (i) => {
      if (i.isButton()) await i.showModal(classicModal());
      else if (i.isModalSubmit()) {
        submitted.push(i);
        await i.reply({ content: `got ${i.fields.getTextInputValue('what')}`, flags: MessageFlags.Ephemeral });
      }
    });
    const click = s.sendButton({ customId: 'open' });
    await s.waitFor(() => s.callbacks(click.interactionId).length > 0);
    const cb = s.callbacks(click.interactionId)[0];
    expect(cb.status).toBe(204);
    expect(cb.body).toMatchObject({ type: 9, data: { custom_id: 'report', title: 'Report' } });

    const submit = s.submitModal({ interactionId: click.interactionId, values: { what: 'it broke' } });
    await s.waitFor(() => s.originalMessage(submit.token));
    const dispatched = received.at(-1);
    expect(dispatched.type).toBe(5);
    expect(dispatched.data).toEqual({
      custom_id: 'report',
      components: [
        { type: 1, id: 0, components: [{ type: 4, id: 0, custom_id: 'what', value: 'it broke' }] },
        { type: 1, id: 0, components: [{ type: 4, id: 0, custom_id: 'where', value: '' }] },
      ],
    });
    const i = submitted[0];
    expect(i.customId).toBe('report');
    expect(i.user.id).toBe(s.userId);
    expect(i.isFromMessage()).toBe(true);
    expect(i.message?.id).toBe(dispatched.message.id);
    expect(i.fields.getTextInputValue('where')).toBe('');
    expect(s.callbacks(submit.interactionId)[0].body).toMatchObject({ type: 4, data: { content: 'got it broke', flags: 64 } });

    // The client closes a submitted modal, and it enforces the inputs' rules.
    expect(() => s.submitModal({ interactionId: click.interactionId })).toThrow(/already submitted/);
    const again = s.sendButton({ customId: 'open' });
    await s.waitFor(() => s.callbacks(again.interactionId).length > 0);
    expect(() => s.submitModal({ interactionId: again.interactionId })).toThrow(/what is required/);
    expect(() => s.submitModal({ interactionId: again.interactionId, values: { what: 'x'.repeat(21) } })).toThrow(/0–20 characters/);
    expect(() => s.submitModal({ interactionId: again.interactionId, values: { what: 'ok', nope: 'x' } })).toThrow(/no input nope/);
    expect(() => s.submitModal({ interactionId: submit.interactionId })).toThrow(/did not open a modal/);
  });

  it('a Label-wrapped text input (the current builder API) is submitted in the same shape; a slash command can open one too', async () => {
    const values: string[] = [];
    const { s } = await start(async (i) => {
      if (i.isChatInputCommand())
        await i.showModal(
          new ModalBuilder()
            .setCustomId('why')
            .setTitle('Why?')
            .addLabelComponents(
              new LabelBuilder()
                .setLabel('Tell us')
                .setDescription('Optional')
                .setTextInputComponent(new TextInputBuilder().setCustomId('note').setStyle(TextInputStyle.Paragraph).setRequired(false)),
            ),
        );
      else if (i.isModalSubmit()) {
        values.push(i.fields.getTextInputValue('note'), String(i.message));
        await i.deferReply({ flags: MessageFlags.Ephemeral });
        await i.editReply('noted');
      }
    });
    const cmd = s.sendSlashCommand({ name: 'feedback' });
    await s.waitFor(() => s.callbacks(cmd.interactionId).length > 0);
    const submit = s.submitModal({ interactionId: cmd.interactionId, values: { note: 'because' } });
    await s.waitFor(() => s.originalMessage(submit.token)?.content === 'noted');
    const d = received.at(-1);
    expect(d.data.components).toEqual([{ type: 18, id: 0, component: { type: 4, id: 0, custom_id: 'note', value: 'because' } }]);
    expect('message' in d).toBe(false);
    expect(values).toEqual(['because', 'null']);
  });

  it("a malformed modal gets Discord's 400 Invalid Form Body and leaves the interaction unacknowledged; a modal submit cannot open another modal", async () => {
    const outcomes: unknown[] = [];
    const { s, c } = await start(async (i) => {
      if (i.isButton()) {
        const bad = {
          custom_id: '',
          title: 'x'.repeat(46),
          components: [
            { type: 1, components: [{ type: 4, custom_id: 'a', style: 3 }] },
            { type: 1, components: [{ type: 4, custom_id: 'a', style: 1, label: 'ok' }, { type: 2 }] },
            { type: 18, label: 'L', description: 'd'.repeat(101), component: { type: 4, custom_id: 'b', style: 2, max_length: 5000 } },
            { type: 2, style: 1, label: 'button', custom_id: 'c' },
          ],
        };
        outcomes.push(
          await c.rest.post(Routes.interactionCallback(i.id, i.token), { body: { type: 9, data: bad }, auth: false }).catch((e) => e),
        );
        outcomes.push(
          await c.rest
            .post(Routes.interactionCallback(i.id, i.token), {
              body: { type: 9, data: { custom_id: 'm', title: 'T', components: [] } },
              auth: false,
            })
            .catch((e) => e),
        );
        await i.showModal(classicModal());
      } else if (i.isModalSubmit()) {
        // discord.js offers no showModal on a modal submit: ask the API directly.
        const modal = { type: 9, data: classicModal().toJSON() };
        outcomes.push(await c.rest.post(Routes.interactionCallback(i.id, i.token), { body: modal, auth: false }).catch((e) => e));
        await i.reply({ content: 'fine', flags: MessageFlags.Ephemeral });
      }
    });
    const click = s.sendButton({ customId: 'open' });
    await s.waitFor(() => s.callbacks(click.interactionId).length === 3);
    const [bad, empty] = outcomes as DiscordAPIError[];
    expect(bad).toBeInstanceOf(DiscordAPIError);
    expect(bad).toMatchObject({ status: 400, code: 50035 });
    const errors = (bad.rawError as any).errors.data;
    expect(errors.custom_id._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
    expect(errors.title._errors[0].message).toBe('Must be between 1 and 45 in length.');
    expect(Object.keys(errors.components[0].components[0]).sort()).toEqual(['label', 'style']);
    expect(errors.components[1].components._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
    expect(errors.components[1].components[0].custom_id._errors[0].code).toBe('COMPONENT_CUSTOM_ID_DUPLICATED');
    expect(Object.keys(errors.components[2]).sort()).toEqual(['component', 'description']);
    expect(errors.components[2].component.max_length._errors[0].code).toBe('NUMBER_TYPE_MAX');
    expect(errors.components[3].type._errors[0].code).toBe('UNION_TYPE_CHOICES');
    expect(empty).toMatchObject({ status: 400, code: 50035 });
    expect((empty.rawError as any).errors.data.components._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
    // Neither counted as the response: the valid modal after them was accepted.
    expect(s.callbacks(click.interactionId).map((x) => x.status)).toEqual([400, 400, 204]);

    const submit = s.submitModal({ interactionId: click.interactionId, values: { what: 'x' } });
    await s.waitFor(() => s.originalMessage(submit.token));
    expect(outcomes[2]).toMatchObject({ status: 400, code: 50035 });
    expect(s.callbacks(submit.interactionId).map((x) => x.status)).toEqual([400, 204]);
  });
});
