import { describe, expect, it } from 'vitest';
import { withoutAddressing as withoutAddressingIn } from '../../src/index/addressing.js';
import { tokenize } from '../../src/index/tokenize.js';

const Q = 'how does LoRA compare to full finetuning?';
/** The corpus's words, as the index would know them. */
const CORPUS = new Set(tokenize('LoRA full finetuning compare Mamba Medusa Eagle Llama heads decodes faster segment model Gaudi work'));
const withoutAddressing = (text: string) => withoutAddressingIn(text, (t) => CORPUS.has(t));

describe('withoutAddressing', () => {
  it('leaves out the people a greeting names', () => {
    expect(withoutAddressing(`Hi Priya, ${Q}`)).toBe(Q);
    expect(withoutAddressing(`hey Tomás and Ngozi — ${Q}`)).toBe(Q);
    expect(withoutAddressing(`Dear Dr. Okafor,\n${Q}`)).toBe(Q);
    expect(withoutAddressing(`Morning Ines, Pablo, Kai. ${Q}`)).toBe(Q);
    expect(withoutAddressing(`Hello team, hi Aditi\n${Q}`)).toBe(Q);
    expect(withoutAddressing(`Hi Mark, hi Lena, ${Q}`)).toBe(Q);
    expect(withoutAddressing(`G'day Liam!\n${Q}`)).toBe(Q);
    expect(withoutAddressing(`Morning Fatima 👋\n${Q}`)).toBe(Q);
  });

  it("leaves out the writer's name where it introduces or signs the message", () => {
    expect(withoutAddressing(`Hey Marta, Jonas here. ${Q}`)).toBe(Q);
    expect(withoutAddressing(`It's Leilani from the infra team, ${Q}`)).toBe(Q);
    expect(withoutAddressing(`${Q}\nMany thanks,\nPriya`)).toBe(Q);
    expect(withoutAddressing(`${Q}\n- Raj`)).toBe(Q);
    expect(withoutAddressing(`${Q}\nx Chloe\n(sent from a sun lounger)`)).toBe(`${Q}\n\n(sent from a sun lounger)`);
    expect(withoutAddressing(`${Q}\nAna (PhD student, NLP group)`)).toBe(Q);
    expect(withoutAddressing(`${Q} thanks Ravi!`)).toBe(Q);
    expect(withoutAddressing(`${Q} cheers, Dmitri`)).toBe(Q);
    expect(withoutAddressing(`${Q} Thanks! /Björn`)).toBe(Q);
    // A name after a closing, with a P.S. below it: a long one is no signature.
    const ps = 'P.S. the cherry blossoms in the park are out this week';
    expect(withoutAddressing(`${Q}\nBest,\nHiroshi\n${ps}`)).toBe(`${Q}\n\n\n${ps}`);
    expect(withoutAddressing(`${Q}\nBest,\nHiroshi\nP.S. the blossoms are out`)).toBe(Q);
  });

  it('keeps names that are what is asked about', () => {
    // Within a sentence, not after its end: "best" here is no closing.
    expect(withoutAddressing("what's the best Llama")).toBe("what's the best Llama");
    // Names listed under a colon or under each other, and a name on the first line.
    expect(withoutAddressing('which decodes faster:\nMedusa\nEagle')).toBe('which decodes faster:\nMedusa\nEagle');
    // A list item is no sign-off, under a colon or beside another item.
    for (const listed of ['which decodes faster:\n- Medusa\n- Eagle', 'compare these\n- Medusa\n- Eagle'])
      expect(withoutAddressing(listed)).toBe(listed);
    expect(withoutAddressing('Medusa\nhow many heads does it add?')).toBe('Medusa\nhow many heads does it add?');
    // A word in capitals is no person's name, nor is a greeting's group.
    expect(withoutAddressing('hi SAM, what does it segment?')).toBe('hi SAM, what does it segment?');
    expect(withoutAddressing(`hi all, ${Q}`)).toBe(`hi all, ${Q}`);
    // A name that follows a greeting with no mark after it goes on into the question.
    expect(withoutAddressing('hey Mamba folks what is new')).toBe('hey Mamba folks what is new');
  });

  it('reads greetings and closings in other languages, and names with no greeting, by words no paper uses', () => {
    expect(withoutAddressing(`Cześć Katarzyna, ${Q} Dzięki! Piotr`)).toBe(Q);
    expect(withoutAddressing(`Assalamu alaikum Hamid, ${Q} JazakAllah khair, Bilal`)).toBe(Q);
    expect(withoutAddressing(`Sanjay, Deepa — ${Q}`)).toBe(Q);
    expect(withoutAddressing(`Hiroshi-san,\n\n${Q}`)).toBe(Q);
    expect(withoutAddressing(`Merhaba Zeynep! ${Q} Teşekkürler 🙏 Emre`)).toBe(Q);
    // A name the corpus uses, or a greeting of stop words, is the question's: "what about Gaudi, …" asks about Gaudi.
    expect(withoutAddressing('Mamba, is it any good?')).toBe('Mamba, is it any good?');
    expect(withoutAddressing('what about Gaudi, does it work?')).toBe('what about Gaudi, does it work?');
    expect(withoutAddressing('what about Kestrel, any papers?')).toBe('what about Kestrel, any papers?');
    // At the end, a closing of corpus words is no sign-off.
    expect(withoutAddressing('is it faster? Full finetuning, Kestrel')).toBe('is it faster? Full finetuning, Kestrel');
  });

  it('leaves out whom the message thanks, its self-introduction and the signature under a name', () => {
    expect(withoutAddressing(`thanks Ravi for the talk earlier! follow-up question: ${Q}`)).toBe(
      `thanks for the talk earlier! follow-up question: ${Q}`,
    );
    expect(withoutAddressing(`Hi all, it's Leilani from the infra team. ${Q}`)).toBe(Q);
    expect(withoutAddressing(`Hello Dilnoza,\n\nI'm Gulnara, ${Q}`)).toBe(Q);
    expect(withoutAddressing(`${Q}\n\nWith thanks,\nTariq Al-Mansouri\nResearch Assistant, Vision Lab`)).toBe(Q);
    expect(withoutAddressing(`${Q}\nthanks,\nyemi`)).toBe(Q);
    expect(withoutAddressing(`${Q} (asking for a friend) - Vikram`)).toBe(`${Q} (asking for a friend)`);
    expect(withoutAddressing(`Happy Monday Olumide! ${Q}`)).toBe(Q);
  });

  it('reads a long run of letters in linear time (each repeat of a name opens with a mark or a capital)', () => {
    const long = `Hi ${'Ab'.repeat(20_000)}${'a'.repeat(20_000)}1 and ${Q}`;
    expect(withoutAddressing(long)).toBe(long);
  });

  it('reads a message that is nothing but names as typed', () => {
    expect(withoutAddressing('Hi Priya!')).toBe('Hi Priya!');
  });
});
