/**
 * Peers measured side by side on the same papers and queries: vectra's own LocalDocumentIndex
 * (vector and hybrid vector+BM25 query paths) and LangChain's MemoryVectorStore, both with the same
 * deterministic 384-dimension embedder the fake OpenAI server serves.
 */
import { mkdir, rm } from 'node:fs/promises';
import type { Paper } from '../src/corpus/types.js';
import { deterministicEmbedding } from '../test/servers/openai-server.js';
import { stats, type LatencyStats } from './stats.js';

export const DIMS = 384;

export interface PeerResult {
  name: string;
  buildMs?: number;
  search?: LatencyStats;
  /** Ranked paper titles per query (for recall). */
  rankings?: string[][];
  skipped?: string;
}

export function docText(p: Paper): string {
  return `${p.title}\n\n${p.abstract}`;
}

export async function runVectraPeer(
  papers: Paper[],
  queries: string[],
  dir: string,
  mode: 'vector' | 'hybrid',
  budgetMs: number,
): Promise<PeerResult> {
  const name = `vectra LocalDocumentIndex (${mode})`;
  const { LocalDocumentIndex } = await import('vectra');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const embeddings = {
    maxTokens: 8000,
    async createEmbeddings(inputs: string | string[]) {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      return { status: 'success' as const, output: list.map((t) => deterministicEmbedding(t, DIMS)) };
    },
  };
  const index = new LocalDocumentIndex({ folderPath: dir, embeddings, chunkingConfig: { chunkSize: 1024, chunkOverlap: 0 } });
  await index.createIndex({ version: 1, deleteIfExists: true });
  const t0 = performance.now();
  const titleByUri = new Map<string, string>();
  for (let i = 0; i < papers.length; i++) {
    const uri = `paper://${papers[i].id}`;
    titleByUri.set(uri, papers[i].title);
    await index.upsertDocument(uri, docText(papers[i]), 'txt');
    if (performance.now() - t0 > budgetMs) {
      return {
        name,
        skipped:
          `build did not finish within ${Math.round(budgetMs / 1000)} s ` +
          `(${i + 1} of ${papers.length} papers added; each upsert rewrites the index file)`,
      };
    }
  }
  const buildMs = performance.now() - t0;
  const samples: number[] = [];
  const rankings: string[][] = [];
  const qStart = performance.now();
  for (const q of queries) {
    const t = performance.now();
    let docs: Awaited<ReturnType<typeof index.queryDocuments>>;
    try {
      docs = await index.queryDocuments(q, { maxDocuments: 10, maxChunks: 50, isBm25: mode === 'hybrid' });
    } catch (err) {
      // vectra's BM25 path rebuilds a wink-nlp pipeline on every query; in one long-lived process
      // that eventually throws (seen: "Invalid string length"). Report it rather than hide it.
      return {
        name,
        buildMs,
        search: samples.length ? stats(samples) : undefined,
        rankings,
        skipped: `query ${samples.length + 1} of ${queries.length} threw: ${(err as Error).message.slice(0, 80)}`,
      };
    }
    samples.push(performance.now() - t);
    rankings.push(docs.map((d) => titleByUri.get(d.uri) ?? d.uri));
    if (performance.now() - qStart > budgetMs) break;
  }
  return { name, buildMs, search: stats(samples), rankings };
}

export async function runLangchainPeer(papers: Paper[], queries: string[]): Promise<PeerResult> {
  const { MemoryVectorStore } = await import('@langchain/classic/vectorstores/memory');
  const { Embeddings } = await import('@langchain/core/embeddings');
  class DeterministicEmbeddings extends Embeddings {
    async embedDocuments(texts: string[]) {
      return texts.map((t) => deterministicEmbedding(t, DIMS));
    }
    async embedQuery(text: string) {
      return deterministicEmbedding(text, DIMS);
    }
  }
  const store = new MemoryVectorStore(new DeterministicEmbeddings({}));
  const t0 = performance.now();
  const batch = 1000;
  for (let i = 0; i < papers.length; i += batch) {
    await store.addDocuments(papers.slice(i, i + batch).map((p) => ({ pageContent: docText(p), metadata: { title: p.title } })));
  }
  const buildMs = performance.now() - t0;
  const samples: number[] = [];
  const rankings: string[][] = [];
  for (const q of queries) {
    const t = performance.now();
    const docs = await store.similaritySearch(q, 10);
    samples.push(performance.now() - t);
    rankings.push(docs.map((d) => String(d.metadata.title)));
  }
  return { name: 'LangChain MemoryVectorStore', buildMs, search: stats(samples), rankings };
}
