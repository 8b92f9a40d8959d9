/**
 * Runs one measured job in a fresh process so peak RSS belongs to that job alone.
 * argv: <job> <json options>; prints one JSON line with the results.
 */
import { answerQuestion } from '../src/answer/engine.js';
import { loadConfig } from '../src/config.js';
import { openRetriever, runIngest } from '../src/context.js';
import { stats } from './stats.js';

interface Opts {
  corpusDir: string;
  indexDir: string;
  embedUrl?: string;
  queries?: string[];
  force?: boolean;
  iterations?: number;
  /** STORE=postgres with this DATABASE_URL. */
  databaseUrl?: string;
}

async function main(): Promise<void> {
  const [job, raw] = process.argv.slice(2);
  const o = JSON.parse(raw) as Opts;
  const env: Record<string, string> = { CORPUS_DIR: o.corpusDir, INDEX_DIR: o.indexDir, MAX_CORPUS_FILE_MB: '1024' };
  if (o.databaseUrl) Object.assign(env, { STORE: 'postgres', DATABASE_URL: o.databaseUrl });
  if (o.embedUrl) Object.assign(env, { OPENAI_BASE_URL: o.embedUrl, EMBEDDING_MODEL: 'bench-embed-384', EMBEDDING_BATCH_SIZE: '256' });
  const config = loadConfig(env);
  const out: Record<string, unknown> = { job };
  const t0 = performance.now();
  if (job === 'ingest') {
    const s = await runIngest(config, { force: o.force });
    out.durationMs = performance.now() - t0;
    out.papers = s.papers;
    out.chunks = s.chunks;
    out.upToDate = s.upToDate;
    out.embedding = s.embedding;
  } else if (job === 'query') {
    const loadStart = performance.now();
    const retriever = await openRetriever(config);
    out.loadMs = performance.now() - loadStart;
    out.papers = retriever.store.papers.length;
    const search: number[] = [];
    const ask: number[] = [];
    const embed: number[] = [];
    const queries = o.queries ?? [];
    // Query vectors are computed first (timed on their own): the search numbers are retrieval
    // only, comparable with in-process peers; `ask` stays end to end, embedding included.
    const vectors: Array<number[] | undefined> = [];
    for (const q of queries) {
      const t = performance.now();
      vectors.push(await retriever.embedQuery(q));
      embed.push(performance.now() - t);
    }
    for (let it = -1; it < (o.iterations ?? 1); it++) {
      for (let i = 0; i < queries.length; i++) {
        let t = performance.now();
        await retriever.search(queries[i], { k: 10, queryVector: vectors[i] });
        if (it >= 0) search.push(performance.now() - t);
        t = performance.now();
        await answerQuestion({ retriever }, queries[i]);
        if (it >= 0) ask.push(performance.now() - t);
      }
    }
    if (vectors.some(Boolean)) out.embed = stats(embed);
    await retriever.store.close();
    out.search = stats(search);
    out.ask = stats(ask);
  } else if (job === 'load') {
    const retriever = await openRetriever(config, { embedder: null });
    out.loadMs = performance.now() - t0;
    out.papers = retriever.store.papers.length;
    await retriever.store.close();
  } else {
    throw new Error(`unknown job ${job}`);
  }
  out.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  // Exit explicitly: a database pool must not keep the measured process alive.
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
