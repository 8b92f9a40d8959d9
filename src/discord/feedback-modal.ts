/**
 * The 👎 form: clicking 👎 records the vote and opens a modal asking what was wrong or missing
 * (one optional paragraph). Its custom_id carries the answer id, so a form submitted after a
 * restart still finds its answer.
 */
import { LabelBuilder, ModalBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import { MAX_NOTE_CHARS } from './feedback.js';
import { ANSWER_ID } from './render/answer.js';

export const NOTE_INPUT_ID = 'note';
const PREFIX = 'fbnote:';

export function noteModalId(answerId: string): string {
  return `${PREFIX}${answerId}`;
}

/** The answer id a submitted 👎 form is about, or undefined when the custom_id is not one of ours. */
export function parseNoteModalId(customId: string): string | undefined {
  if (!customId.startsWith(PREFIX)) return undefined;
  const id = customId.slice(PREFIX.length);
  return ANSWER_ID.test(id) ? id : undefined;
}

export function noteModal(answerId: string): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(noteModalId(answerId))
    .setTitle('Thanks for the 👎')
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('What was wrong or missing?')
        .setDescription('Optional. E.g. a wrong or missing paper, wrong numbers, off-topic, too vague.')
        .setTextInputComponent(
          new TextInputBuilder()
            .setCustomId(NOTE_INPUT_ID)
            .setStyle(TextInputStyle.Paragraph)
            .setRequired(false)
            .setMaxLength(MAX_NOTE_CHARS)
            .setPlaceholder('The answer cited… / It missed the paper about…'),
        ),
    );
}
