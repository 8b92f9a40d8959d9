import { describe, expect, it } from 'vitest';
import { withoutAddressing } from '../../src/index/addressing.js';

const Q = 'how does LoRA compare to full finetuning?';

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
    // A name after a closing, with a P.S. below it.
    expect(withoutAddressing(`${Q}\nBest,\nHiroshi\nP.S. the blossoms are out`)).toBe(`${Q}\n\n\nP.S. the blossoms are out`);
  });

  it('keeps names that are what is asked about', () => {
    // Within a sentence, not after its end: "best" here is no closing.
    expect(withoutAddressing("what's the best Llama")).toBe("what's the best Llama");
    // Names listed under a colon or under each other, and a name on the first line.
    expect(withoutAddressing('which decodes faster:\nMedusa\nEagle')).toBe('which decodes faster:\nMedusa\nEagle');
    expect(withoutAddressing('Medusa\nhow many heads does it add?')).toBe('Medusa\nhow many heads does it add?');
    // A word in capitals is no person's name, nor is a greeting's group.
    expect(withoutAddressing('hi SAM, what does it segment?')).toBe('hi SAM, what does it segment?');
    expect(withoutAddressing(`hi all, ${Q}`)).toBe(`hi all, ${Q}`);
    // A name that follows a greeting with no mark after it goes on into the question.
    expect(withoutAddressing('hey Mamba folks what is new')).toBe('hey Mamba folks what is new');
  });

  it('reads a message that is nothing but names as typed', () => {
    expect(withoutAddressing('Hi Priya!')).toBe('Hi Priya!');
  });
});
