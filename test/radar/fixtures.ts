/** A small corpus for the radar tests: a base set, then an ingest that adds three papers; and their temp root. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const paper = (title: string, abstract: string) =>
  JSON.stringify({ title, abstract, url: `https://arxiv.org/abs/${title.length}.${abstract.length}` });

export const BASE_PAPERS = [
  paper(
    'Scaling Laws for Vision Transformers',
    'We study how vision transformers scale with data and compute. Larger models keep improving.',
  ),
  paper(
    'Retrieval Augmented Generation for Open Domain QA',
    'We retrieve passages and condition a language model on them. Answers improve on open domain benchmarks.',
  ),
  paper(
    'Diffusion Models Beat GANs on Image Synthesis',
    'Diffusion models reach better sample quality than GANs. Classifier guidance trades diversity for fidelity.',
  ),
  paper('Instruction Tuning with Human Feedback', 'We fine-tune language models to follow instructions using human preference data.'),
  paper('Efficient Attention with Linear Complexity', 'We approximate softmax attention in linear time. Long documents become tractable.'),
];

export const SPEC_A = 'Medusa: Speculative Decoding with Multiple Heads';
export const SPEC_B = 'Draft and Verify: Faster Inference for Large Language Models';
export const PROTEIN = 'Protein Folding with Equivariant Networks';

export const NEW_PAPERS = [
  paper(
    SPEC_A,
    'Speculative decoding accelerates generation by drafting tokens cheaply. ' +
      'Medusa adds extra decoding heads that propose several tokens at once, verified in one pass.',
  ),
  paper(
    SPEC_B,
    'We study inference speed of large models. ' +
      'A small draft model proposes tokens and the large model verifies them, which is speculative decoding without quality loss.',
  ),
  paper(PROTEIN, 'Protein folding predicts 3D structure from sequence. Equivariant networks respect rotations of the molecule.'),
];

export async function writeBaseCorpus(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'base.jsonl'), `${BASE_PAPERS.join('\n')}\n`);
}

/** The day's new papers, as a second corpus file. */
export async function addNewPapers(dir: string): Promise<void> {
  await writeFile(join(dir, 'new.jsonl'), `${NEW_PAPERS.join('\n')}\n`);
}

/** A temp folder for the calling test file, made before its tests and removed after them; returns its path getter. */
export function useTempRoot(name: string): () => string {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `rb-radar-${name}-`));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });
  return () => root;
}
