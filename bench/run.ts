// biome-ignore-all lint/suspicious/noExplicitAny: the report renderer reads JSON rows whose shape differs by section
/**
 * `npm run bench`: measures ingest, query latency, scale (10k/100k synthetic papers, lexical and
 * with 384-d vectors), peers side by side, and Discord ack latency; writes
 * bench/results/report.{md,json}. BENCH_QUICK=1: a smoke run (small sizes, one repeat);
 * BENCH_SIZES=10000,100000: the synthetic scales to run; BENCH_PG_SIZES: the scales that also
 * run the Postgres store (default: all); BENCH_DATABASE_URL: a real Postgres with pgvector;
 * BENCH_PEER_ITERATIONS: timed passes per peer at scale (default 3); BENCH_PEER_TIMEOUT_MS (default 20 min).
 * BENCH_SECTIONS=peers: only the peer comparison (shipped-corpus recall, then research-bot and the
 * peers at each scale; no re-ingest, vectra, Postgres or Discord rows), written to
 * bench/results/report-peers.{md,json} so a partial run never replaces the full report.
 * BENCH_1M=1: also a 1M-paper lexical row (synthetic, seed 42) after the scale rows: ingest and
 * query each in a child process with a BENCH_1M_HEAP_MB heap (default 16384), about 20 min and
 * 5 GB on the 2-core machine; BENCH_SECTIONS=1m runs only that row, into report-1m.{md,json}.
 * BENCH_SECTIONS=postgres: only the scale rows with vectors (file store, then Postgres), each with
 * its re-ingest after one corpus file changed, no peers, into report-postgres.{md,json}.
 */
import { readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { titleKey } from '../src/corpus/normalize.js';
import { loadCorpus } from '../src/corpus/load.js';
import { startOpenAIServer } from '../test/servers/openai-server.js';
import { LEXICAL_PEERS, VECTOR_PEERS } from './peer-engines.js';
import { DIMS, runLangchainPeer, runVectraPeer, type PeerResult } from './peers.js';
import { median } from './stats.js';
import { writeSyntheticCorpus } from './synth.js';
import { measureAckLatency } from './discord-ack.js';
import { runJob, skippedPeerRow } from './jobs.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const work = join(os.tmpdir(), 'research-bot-bench');
const quick = process.env.BENCH_QUICK === '1';
const peersOnly = process.env.BENCH_SECTIONS === 'peers';
const millionOnly = process.env.BENCH_SECTIONS === '1m';
const postgresOnly = process.env.BENCH_SECTIONS === 'postgres';
const MILLION = millionOnly || process.env.BENCH_1M === '1';
/** The 1M row's ingest and query processes need more than the default 4 GB heap (ingest peaked at 4.9 GB RSS). */
const MILLION_HEAP_MB = Number(process.env.BENCH_1M_HEAP_MB ?? 16384);
const REPEATS = quick || peersOnly ? 1 : 3;
/** A peer build at 100k papers takes minutes on 2 shared cores; past this it is reported as skipped. */
const PEER_TIMEOUT_MS = Number(process.env.BENCH_PEER_TIMEOUT_MS ?? 20 * 60_000);
/** Timed passes over the scale queries per peer (research-bot's rows use 3); the slowest peers take seconds a query at 100k. */
const PEER_ITERATIONS = Number(process.env.BENCH_PEER_ITERATIONS ?? (quick ? 1 : 3));
/**
 * BENCH_PEERS=hnswlib,sqlite-fts5 (keys of PEER_ENGINES; `none` for none): only those engine peers,
 * and not the in-process vectra and LangChain ones, for a quick look at research-bot's own rows.
 */
const PEER_ONLY = process.env.BENCH_PEERS === undefined ? undefined : new Set(process.env.BENCH_PEERS.split(','));
const enginePeers = (names: string[]) => names.filter((x) => !PEER_ONLY || PEER_ONLY.has(x));

interface ChildResult {
  [k: string]: unknown;
  durationMs?: number;
  loadMs?: number;
  maxRssMB: number;
  search?: { p50: number; p95: number; p99: number; n: number };
  ask?: { p50: number; p95: number; p99: number; n: number };
}

function runChild(job: string, opts: Record<string, unknown>, timeoutMs = 0, heapMB = 4096): Promise<ChildResult> {
  return runJob(join(here, 'child.js'), job, opts, { timeoutMs, heapMB, cwd: root }) as Promise<ChildResult>;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join((e as unknown as { parentPath: string }).parentPath, e.name))).size;
  }
  return total;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const r1 = (x: number) => Math.round(x * 10) / 10;

async function readQuestions(file: string, split?: string): Promise<Array<{ question: string; expected: string[] }>> {
  const text = await readFile(join(root, 'eval', file), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { question: string; expected_titles: string[]; split?: string })
    .filter((q) => split === undefined || q.split === split)
    .map((q) => ({ question: q.question, expected: q.expected_titles }));
}
const devQuestions = () => readQuestions('dev.jsonl');

interface PeerRow {
  name: string;
  kind: string;
  search: ChildResult['search'];
  rankings?: string[][];
  recallAt10VsExact?: number;
}

/** Runs one peer engine (bench/peer-engines.ts) in a fresh process; a failure or timeout becomes a `skipped` row. */
async function runPeerJob(
  peer: string,
  opts: { corpusDir: string; queries: string[]; iterations: number; rankings?: boolean },
): Promise<Array<Record<string, any>>> {
  try {
    const res = await runChild('peer', { peer, ...opts }, PEER_TIMEOUT_MS);
    return (res.rows as PeerRow[]).map((row) => ({
      ...row,
      buildMs: r1(Number(res.buildMs)),
      embedMs: res.embedMs === undefined ? undefined : r1(Number(res.embedMs)),
      peakRssMB: res.maxRssMB,
    }));
  } catch (err) {
    return [skippedPeerRow(peer, err)];
  }
}

function recallAt5(rankings: string[][], qs: Array<{ expected: string[] }>): number {
  const answerable = qs.map((q, i) => ({ q, r: rankings[i] })).filter((x) => x.q.expected.length && x.r);
  if (!answerable.length) return 0;
  return (
    answerable.reduce((s, { q, r }) => {
      const top = r.slice(0, 5).map(titleKey);
      return s + q.expected.filter((e) => top.includes(titleKey(e))).length / q.expected.length;
    }, 0) / answerable.length
  );
}

async function main(): Promise<void> {
  await mkdir(work, { recursive: true });
  const started = Date.now();
  const report: Record<string, unknown> = {
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      memoryGB: Math.round(os.totalmem() / 1073741824),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      date: new Date().toISOString(),
      quick,
    },
  };
  const corpusDir = join(root, 'data', 'corpus');
  const dev = await devQuestions();
  const queries = dev.map((d) => d.question);
  const embedServer = await startOpenAIServer({ dimensions: DIMS });
  const outDir = join(root, 'bench', 'results');
  await mkdir(outDir, { recursive: true });
  const name = `${peersOnly ? 'report-peers' : millionOnly ? 'report-1m' : postgresOnly ? 'report-postgres' : 'report'}${quick ? '-quick' : ''}`;
  // Written after every section, so a run cut short still leaves what it measured.
  const save = async () => {
    report.benchSeconds = Math.round((Date.now() - started) / 1000);
    await writeFile(join(outDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(outDir, `${name}.md`), `${renderMarkdown(report).join('\n')}\n`);
  };
  try {
    if (millionOnly) {
      report.million = await millionRow(corpusDir, queries.slice(0, 40));
      await save();
      return;
    }
    if (postgresOnly) {
      report.scale = [];
      for (const n of process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [10_000, 100_000]) {
        (report.scale as unknown[]).push(await postgresScaleRow(corpusDir, n, embedServer.url, queries.slice(0, 40)));
        await save();
      }
      return;
    }
    // 1. Ingest of the shipped corpus (offline), and re-ingest with no change.
    const idx = join(work, 'shipped-index');
    const ingests: ChildResult[] = [];
    for (let i = 0; i < REPEATS; i++) {
      await rm(idx, { recursive: true, force: true });
      ingests.push(await runChild('ingest', { corpusDir, indexDir: idx }));
    }
    const reingests: ChildResult[] = [];
    for (let i = 0; i < (peersOnly ? 0 : REPEATS); i++) reingests.push(await runChild('ingest', { corpusDir, indexDir: idx }));
    const papers = Number(ingests[0].papers);
    const ingestMs = median(ingests.map((x) => x.durationMs!));
    const shipped = {
      papers,
      ingestMs: r1(ingestMs),
      papersPerSec: Math.round(papers / (ingestMs / 1000)),
      ingestPeakRssMB: median(ingests.map((x) => x.maxRssMB)),
      reingestMs: r1(median(reingests.map((x) => x.durationMs!))),
      reingestUpToDate: reingests.every((x) => x.upToDate === true),
    };
    // 2. Query latency in-process (search and offline ask).
    if (!peersOnly) {
      const q = await runChild('query', { corpusDir, indexDir: idx, queries, iterations: quick ? 2 : 10 });
      Object.assign(shipped, { loadMs: r1(q.loadMs!), search: q.search, ask: q.ask, queryPeakRssMB: q.maxRssMB });
      report.shipped = shipped;
      await save();
    }

    // 4a. Peers on the shipped corpus: latency and Recall@5 on the dev questions and on the held-out
    // half of the question bank (never tuned on), so a peer's speed is read next to its quality.
    const heldout = await readQuestions('bank.jsonl', 'heldout');
    const evalQs = [...dev, ...heldout];
    const evalQueries = evalQs.map((x) => x.question);
    const recallBoth = (rankings: string[][]) => ({
      recallAt5: recallAt5(rankings.slice(0, dev.length), dev),
      recallAt5Heldout: rankings.length > dev.length ? recallAt5(rankings.slice(dev.length), heldout) : undefined,
    });
    const { papers: realPapers } = await loadCorpus(corpusDir);
    const ours = await runChild('query', { corpusDir, indexDir: idx, queries: evalQueries, iterations: 1 });
    const peerShipped: PeerResult[] = [
      ...(peersOnly || PEER_ONLY
        ? []
        : [
            await runVectraPeer(realPapers, queries, join(work, 'vectra-shipped'), 'hybrid', 600_000),
            await runVectraPeer(realPapers, queries, join(work, 'vectra-shipped-vec'), 'vector', 600_000),
          ]),
      ...(PEER_ONLY ? [] : [await runLangchainPeer(realPapers, evalQueries)]),
    ];
    const engineRows: Array<Record<string, any>> = [];
    for (const peer of enginePeers([...LEXICAL_PEERS, ...VECTOR_PEERS]))
      engineRows.push(...(await runPeerJob(peer, { corpusDir, queries: evalQueries, iterations: 1, rankings: true })));
    const ourRankings = await (async () => {
      const { openRetriever } = await import('../src/context.js');
      const { loadConfig } = await import('../src/config.js');
      const retriever = await openRetriever(loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: idx }));
      const rankings: string[][] = [];
      for (const qq of evalQueries) rankings.push((await retriever.search(qq, { k: 10 })).map((h) => h.paper.title));
      return rankings;
    })();
    report.peersShipped = {
      questions: { dev: dev.length, heldout: heldout.length },
      ours: { search: ours.search, queryPeakRssMB: ours.maxRssMB, ...recallBoth(ourRankings) },
      peers: [
        ...engineRows.map(({ rankings, ...row }) => ({ ...row, ...(rankings ? recallBoth(rankings) : {}) })),
        ...peerShipped.map((p) => ({
          name: p.name,
          kind: 'vector',
          buildMs: p.buildMs && r1(p.buildMs),
          search: p.search,
          ...(p.rankings ? recallBoth(p.rankings) : {}),
          skipped: p.skipped,
        })),
      ],
    };
    await save();

    // 3. Scale: synthetic corpora, lexical only and with 384-d vectors.
    const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : quick ? [2000] : [10_000, 100_000];
    const pgSizes = process.env.BENCH_PG_SIZES ? process.env.BENCH_PG_SIZES.split(',').map(Number) : peersOnly ? [] : sizes;
    const scale: Record<string, unknown>[] = [];
    for (const n of sizes) {
      const dir = join(work, `synthetic-${n}`);
      await writeSyntheticCorpus(corpusDir, dir, n, 42);
      const { papers: synthPapers } = await loadCorpus(dir, { maxFileBytes: 1 << 30 });
      const synthQueries = queries.slice(0, quick ? 10 : 40);
      for (const withVectors of [false, true]) {
        const indexDir = join(work, `synthetic-${n}-${withVectors ? 'vec' : 'lex'}-index`);
        await rm(indexDir, { recursive: true, force: true });
        const ing = await runChild('ingest', { corpusDir: dir, indexDir, embedUrl: withVectors ? embedServer.url : undefined });
        const load = await runChild('load', { corpusDir: dir, indexDir, embedUrl: withVectors ? embedServer.url : undefined });
        const qr = await runChild('query', {
          corpusDir: dir,
          indexDir,
          embedUrl: withVectors ? embedServer.url : undefined,
          queries: synthQueries,
          iterations: quick ? 1 : 3,
          rankQueries: withVectors && pgSizes.includes(n) ? synthQueries : undefined,
        });
        const row: Record<string, unknown> = {
          papers: n,
          vectors: withVectors,
          ingestMs: r1(ing.durationMs!),
          ingestPeakRssMB: ing.maxRssMB,
          indexMB: mb(await dirSize(indexDir)),
          loadMs: r1(load.loadMs!),
          loadPeakRssMB: load.maxRssMB,
          search: qr.search,
          ask: qr.ask,
          queryPeakRssMB: qr.maxRssMB,
          vectorRecallAt10: qr.vectorRecallAt10,
        };
        // The peers next to the row of the same kind: lexical engines next to research-bot's lexical
        // row, vector and hybrid engines next to its hybrid (384-d) row.
        const engineRows: Array<Record<string, any>> = [];
        for (const peer of enginePeers(withVectors ? VECTOR_PEERS : LEXICAL_PEERS))
          engineRows.push(...(await runPeerJob(peer, { corpusDir: dir, queries: synthQueries, iterations: PEER_ITERATIONS })));
        const inProcess =
          withVectors && !PEER_ONLY
            ? [
                await runLangchainPeer(synthPapers, synthQueries),
                ...(peersOnly
                  ? []
                  : [await runVectraPeer(synthPapers, synthQueries, join(work, `vectra-${n}`), 'hybrid', quick ? 60_000 : 120_000)]),
              ]
            : [];
        row.peers = [
          ...engineRows,
          ...inProcess.map((p) => ({
            name: p.name,
            kind: 'vector',
            buildMs: p.buildMs && r1(p.buildMs),
            search: p.search,
            skipped: p.skipped,
          })),
        ].map((p) => ({
          ...p,
          ratioP95: p.search && qr.search ? Math.round((qr.search.p95 / p.search.p95) * 1000) / 1000 : undefined,
        }));
        if (withVectors && !peersOnly)
          Object.assign(
            row,
            await reingestAfterChange(dir, () => runChild('ingest', { corpusDir: dir, indexDir, embedUrl: embedServer.url })),
          );
        if (withVectors && pgSizes.includes(n))
          row.postgres = await postgresRow(dir, indexDir, embedServer.url, synthQueries.slice(0, quick ? 10 : 20), {
            queries: synthQueries,
            rankings: qr.rankings as Rankings,
          });
        // The int8 shortlist against the exact scan on the largest index's vectors, at sizes around
        // the VECTOR_INT8_MIN_ROWS crossover and at full size.
        if (withVectors && n === Math.max(...sizes)) {
          const annSizes = [...new Set([1000, 2000, 10_000, n].filter((x) => x <= n))].join(',');
          row.int8Scan = await runChild('ann', { corpusDir: dir, indexDir, annSizes })
            .then((r) => r.rows)
            .catch((err: Error) => ({ error: err.message.slice(0, 300) }));
        }
        scale.push(row);
        report.scale = scale;
        await save();
        console.error(`scale ${n} ${withVectors ? 'vectors' : 'lexical'}: ${JSON.stringify(row)}`);
      }
    }
    report.scale = scale;
    await save();
    if (MILLION) {
      report.million = await millionRow(corpusDir, queries.slice(0, quick ? 10 : 40));
      await save();
    }

    // 5. Discord ack latency at 50 concurrent /ask.
    if (!peersOnly)
      report.discordAck = await measureAckLatency({ concurrency: 50, indexDir: idx, corpusDir }).catch((err: Error) => ({
        error: err.message,
      }));
  } finally {
    await embedServer.close();
  }
  await save();
  process.stdout.write(`${renderMarkdown(report).join('\n')}\n`);
}

function renderMarkdown(r: Record<string, any>): string[] {
  const m = r.machine;
  const lines = [
    '# research-bot benchmark',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, ${m.platform}. Run ${m.date}${m.quick ? ' (quick mode)' : ''}; ` +
      `${r.benchSeconds} s.`,
    'Latencies are in-process (no process start-up), in ms; ingest/load numbers are medians of repeated ' +
      'runs in fresh processes; RSS is the peak of that process.',
  ];
  const s = r.shipped;
  const lat = (x: any) => (x ? `${x.p50} / ${x.p95} / ${x.p99}` : '-');
  const cells = (xs: unknown[]) => `| ${xs.join(' | ')} |`;
  const f3 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(3));
  if (s)
    lines.push(
      '',
      '## Shipped corpus (offline)',
      '',
      '| papers | ingest ms | papers/s | ingest peak RSS MB | re-ingest (no change) ms | load ms | search p50/p95/p99 | ask p50/p95/p99 | query peak RSS MB |',
      '|---|---|---|---|---|---|---|---|---|',
      `| ${s.papers} | ${s.ingestMs} | ${s.papersPerSec} | ${s.ingestPeakRssMB} | ${s.reingestMs}${s.reingestUpToDate ? '' : ' (NOT up to date!)'} ` +
        `| ${s.loadMs} | ${lat(s.search)} | ${lat(s.ask)} | ${s.queryPeakRssMB} |`,
    );
  const ps = r.peersShipped;
  if (ps) {
    const qn = ps.questions ? ` (${ps.questions.dev} dev + ${ps.questions.heldout} held-out questions)` : '';
    lines.push(
      '',
      `## Peers on the shipped corpus${qn}`,
      '',
      "Recall@5 by title match, as `research-bot eval`. The vector peers use the bench's deterministic hashing embedder, " +
        'not a semantic model: their recall measures that embedder, not the engine. Build ms excludes computing embeddings.',
      '',
      '| system | kind | build ms | search p50/p95/p99 | peak RSS MB | Recall@5 dev | Recall@5 held-out | ours/theirs p95 |',
      '|---|---|---|---|---|---|---|---|',
      cells([
        'research-bot (BM25F, offline)',
        'lexical',
        '-',
        lat(ps.ours.search),
        ps.ours.queryPeakRssMB ?? '-',
        f3(ps.ours.recallAt5),
        f3(ps.ours.recallAt5Heldout),
        1,
      ]),
    );
    for (const p of ps.peers) {
      lines.push(
        cells([
          p.name,
          p.kind ?? '-',
          p.buildMs ?? '-',
          `${p.search ? lat(p.search) : '-'}${p.skipped ? ` (${p.skipped})` : ''}`,
          p.peakRssMB ?? '-',
          f3(p.recallAt5),
          f3(p.recallAt5Heldout),
          p.search ? (ps.ours.search.p95 / p.search.p95).toFixed(3) : '-',
        ]),
      );
    }
  }
  lines.push(
    '',
    '## Scale (synthetic papers recombined from real abstracts, seed 42)',
    '',
    '| papers | vectors | ingest ms | ingest peak RSS MB | index MB | load ms | load peak RSS MB | search p50/p95/p99 | ask p95 | query peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const row of r.scale ?? []) {
    lines.push(
      cells([
        row.papers,
        row.vectors ? `${DIMS}-d` : 'no',
        row.ingestMs,
        row.ingestPeakRssMB,
        row.indexMB,
        row.loadMs,
        row.loadPeakRssMB,
        lat(row.search),
        row.ask?.p95 ?? '-',
        row.queryPeakRssMB,
      ]),
    );
  }
  const mil = r.million;
  if (mil)
    lines.push(
      '',
      `## ${mil.papers.toLocaleString('en')} papers, lexical (BENCH_1M=1; child processes with --max-old-space-size=${mil.heapMB})`,
      '',
      '| papers | ingest s | ingest peak RSS MB | index MB | load ms | search p50/p95/p99 | ask p95 | query peak RSS MB |',
      '|---|---|---|---|---|---|---|---|',
      mil.error
        ? `| ${mil.papers} | not measured: ${mil.error} | | | | | | |`
        : cells([
            mil.papers,
            r1(mil.ingestMs / 1000),
            mil.ingestPeakRssMB,
            mil.indexMB,
            mil.loadMs,
            lat(mil.search),
            mil.ask?.p95 ?? '-',
            mil.queryPeakRssMB,
          ]),
    );
  const pgRows = (r.scale ?? []).filter((x: any) => x.postgres);
  if (pgRows.length) {
    lines.push(
      '',
      '### Postgres store at the same scale (384-d vectors, hybrid)',
      '',
      '| papers | server | ingest ms | ingest peak RSS MB | load ms | lexical search p50/p95/p99 | hybrid search p50/p95/p99 | ask p95 | query peak RSS MB |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const row of pgRows) {
      const p = row.postgres;
      if (p.error) lines.push(`| ${row.papers} | - | not measured: ${p.error} | | | | | | |`);
      else
        lines.push(
          `| ${row.papers} | ${p.server} | ${p.ingestMs} | ${p.ingestPeakRssMB} | ${p.loadMs} | ${lat(p.lexicalSearch)} | ${lat(p.search)} ` +
            `| ${p.ask?.p95 ?? '-'} | ${p.queryPeakRssMB} |`,
        );
    }
    const parityRows = pgRows.filter((x: any) => x.postgres.parity);
    if (parityRows.length)
      lines.push(
        '',
        'Parity with the file store on the same papers and questions (top-5 paper ids identical, in order); the vector ' +
          "half's recall is Postgres's best 10 / 100 chunks against the file store's vector search (int8 shortlist re-ranked exactly):",
        '',
        ...parityRows.map((row: any) => {
          const x = row.postgres.parity;
          return (
            `- ${row.papers} papers: same top-5 lexical ${x.lexical}, hybrid ${x.hybrid}; ` +
            `vector recall@10 ${f3(x.vectorRecallAt10)}, recall@100 ${f3(x.vectorRecallAt100)}`
          );
        }),
      );
  }
  const reRows = (r.scale ?? []).filter((x: any) => x.reingestMs !== undefined || x.postgres?.reingestMs !== undefined);
  if (reRows.length) {
    lines.push(
      '',
      "### Re-ingest after one corpus file changed (384-d vectors; one paper's abstract replaced)",
      '',
      '| papers | file store ms | file store peak RSS MB | Postgres ms | Postgres peak RSS MB |',
      '|---|---|---|---|---|',
    );
    for (const row of reRows)
      lines.push(
        cells([
          row.papers,
          row.reingestMs ?? '-',
          row.reingestPeakRssMB ?? '-',
          row.postgres?.reingestMs ?? '-',
          row.postgres?.reingestPeakRssMB ?? '-',
        ]),
      );
  }
  const peerRows = (r.scale ?? []).filter((x: any) => x.peers?.length);
  if (peerRows.length) {
    lines.push(
      '',
      '### Peers at scale (same papers, same queries, same 384-d embedder)',
      '',
      "Each engine builds and searches in its own fresh process; peak RSS is that process's (papers, index and search). " +
        "research-bot's build ms is its whole ingest (parse, index, embed over loopback HTTP, write the generation) and its RSS " +
        "the query process's; a peer's build ms excludes computing embeddings (embed ms, the same embedder in-process). " +
        "ours/theirs p95 compares with research-bot's row of the same papers (lexical or hybrid); above 1 the peer is faster. " +
        "research-bot's recall@10 is its own vector search as a k = 10 hybrid search runs it (the int8 shortlist, re-scored " +
        'exactly) against its exact scan, on the same queries.',
      '',
      '| papers | system | kind | build ms (embed ms) | search p50/p95/p99 | peak RSS MB | recall@10 vs exact | ours/theirs p95 |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const row of peerRows) {
      lines.push(
        cells([
          row.papers,
          `research-bot (${row.vectors ? 'hybrid' : 'BM25F'})`,
          row.vectors ? 'hybrid' : 'lexical',
          row.ingestMs,
          lat(row.search),
          row.queryPeakRssMB,
          f3(row.vectorRecallAt10),
          1,
        ]),
      );
      for (const p of row.peers)
        lines.push(
          cells([
            row.papers,
            p.name,
            p.kind ?? '-',
            `${p.buildMs ?? '-'}${p.embedMs === undefined ? '' : ` (${p.embedMs})`}`,
            `${p.search ? lat(p.search) : '-'}${p.skipped ? ` (${p.skipped})` : ''}`,
            p.peakRssMB ?? '-',
            f3(p.recallAt10VsExact),
            p.ratioP95 ?? '-',
          ]),
        );
    }
  }
  const ann = (r.scale ?? []).find((x: any) => x.int8Scan)?.int8Scan;
  if (ann) {
    lines.push(
      '',
      '### Vector scan: int8 shortlist against the exact float32 scan (bench/ann.ts)',
      '',
      "The first N vectors of the largest index, the dev questions embedded as above, at a k = 10 hybrid search's depth (100). " +
        "Recall: the exact scan's best 10 (and 100) found among the 100 the shortlist returns after exact re-scoring. " +
        'Searches use the shortlist from VECTOR_INT8_MIN_ROWS vectors on.',
      '',
      '| vectors | exact scan p50/p95 | int8 shortlist p50/p95 | int8 build ms | recall@10 | recall@100 |',
      '|---|---|---|---|---|---|',
    );
    if (ann.error) lines.push(`| not measured: ${ann.error} | | | | | |`);
    else
      for (const x of ann)
        lines.push(
          cells([
            x.vectors,
            `${x.exact.p50} / ${x.exact.p95}`,
            `${x.int8.p50} / ${x.int8.p95}`,
            x.buildMs,
            f3(x.recallAt10),
            f3(x.recallAt100),
          ]),
        );
  }
  const a = r.discordAck;
  if (!a && peersOnly) return lines;
  lines.push('', '## Discord ack latency', '');
  if (!a) lines.push('Not measured yet.');
  else if (a.error) lines.push(`Not measured: ${a.error}`);
  else if (a)
    lines.push(
      `${a.concurrency} concurrent /ask through the test Discord server (real discord.js client, loopback): ` +
        `warm burst ack p50 ${a.ack.p50} ms, p99 ${a.ack.p99} ms, max ${a.maxMs} ms (${a.deferred}/${a.concurrency} ` +
        `deferred); first (cold) burst p50 ${a.cold.p50} ms, p99 ${a.cold.p99} ms; all answered: ${a.allAnswered}.`,
    );
  return lines;
}

/**
 * The 1M-paper lexical row: the same synthetic generator, ingest and query jobs as the scale rows,
 * with a larger heap. A failure becomes a row that says why, not a missing row.
 */
async function millionRow(corpusDir: string, queries: string[]): Promise<Record<string, unknown>> {
  const n = 1_000_000;
  const dir = join(work, `synthetic-${n}`);
  const indexDir = join(work, `synthetic-${n}-lex-index`);
  const row: Record<string, unknown> = { papers: n, heapMB: MILLION_HEAP_MB };
  try {
    let t = Date.now();
    await writeSyntheticCorpus(corpusDir, dir, n, 42);
    row.synthesisMs = Date.now() - t;
    await rm(indexDir, { recursive: true, force: true });
    t = Date.now();
    const ing = await runChild('ingest', { corpusDir: dir, indexDir }, 0, MILLION_HEAP_MB);
    console.error(`1M ingest: ${Math.round((Date.now() - t) / 1000)} s, peak RSS ${ing.maxRssMB} MB`);
    const qr = await runChild('query', { corpusDir: dir, indexDir, queries, iterations: 1 }, 0, MILLION_HEAP_MB);
    return Object.assign(row, {
      ingestMs: r1(ing.durationMs!),
      ingestPeakRssMB: ing.maxRssMB,
      indexMB: mb(await dirSize(indexDir)),
      loadMs: r1(qr.loadMs!),
      search: qr.search,
      ask: qr.ask,
      queryPeakRssMB: qr.maxRssMB,
    });
  } catch (err) {
    return Object.assign(row, { error: (err as Error).message.split('\n')[0].slice(0, 300) });
  }
}

/**
 * The Postgres store at the same scale: PGlite (Postgres compiled to WASM, with pgvector) on
 * loopback unless BENCH_DATABASE_URL names a real server. Embeddings come from the vectra run's
 * cache (same texts), so no embedding call is made and the numbers are the store's own.
 */
async function postgresRow(
  corpusDir: string,
  cacheIndexDir: string,
  embedUrl: string,
  queries: string[],
  reference?: { queries: string[]; rankings: Rankings },
): Promise<Record<string, unknown>> {
  const timeoutMs = Number(process.env.BENCH_PG_TIMEOUT_MS ?? 30 * 60_000);
  let db: { url: string; reset(): Promise<void>; close(): Promise<void> } | undefined;
  try {
    let url = process.env.BENCH_DATABASE_URL;
    if (!url) {
      const { startTestDatabase } = await import('../test/servers/postgres-server.js');
      db = await startTestDatabase();
      url = db.url;
    }
    const o = { corpusDir, indexDir: cacheIndexDir, embedUrl, databaseUrl: url };
    const ing = await runChild('ingest', { ...o, force: true }, timeoutMs);
    const load = await runChild('load', o, timeoutMs);
    // The same questions as the file store's rows (3 timed passes), lexical (no embedder) and hybrid.
    const iterations = quick ? 1 : 3;
    const lex = await runChild('query', { corpusDir, indexDir: cacheIndexDir, databaseUrl: url, queries, iterations }, timeoutMs);
    const qr = await runChild('query', { ...o, queries, iterations, rankQueries: reference?.queries }, timeoutMs);
    const re = await reingestAfterChange(corpusDir, () => runChild('ingest', o, timeoutMs));
    return {
      server: process.env.BENCH_DATABASE_URL ? 'postgres (BENCH_DATABASE_URL)' : 'PGlite 0.5 (WASM, single session) over pglite-socket',
      ingestMs: r1(ing.durationMs!),
      ingestPeakRssMB: ing.maxRssMB,
      loadMs: r1(load.loadMs!),
      loadPeakRssMB: load.maxRssMB,
      lexicalSearch: lex.search,
      search: qr.search,
      ask: qr.ask,
      queryPeakRssMB: qr.maxRssMB,
      ...(reference?.rankings && qr.rankings ? { parity: parity(reference.rankings, qr.rankings as Rankings) } : {}),
      ...re,
    };
  } catch (err) {
    return { error: (err as Error).message.slice(0, 300) };
  } finally {
    await db?.close().catch(() => undefined);
  }
}

/** Per question, from bench/child.ts: top-5 paper ids (lexical, hybrid) and the vector half's best 100 chunks. */
interface Rankings {
  lexical: string[][];
  hybrid: string[][];
  vector: number[][];
}

/** How often Postgres's top-5 equals the file store's ("N/M"), and its vector half's recall against the file store's. */
function parity(file: Rankings, pg: Rankings): Record<string, unknown> {
  const same = (a: string[][], b: string[][]) => `${a.filter((x, i) => b[i] && x.join('\n') === b[i].join('\n')).length}/${a.length}`;
  const recall = (k: number) => {
    const qs = file.vector
      .map((ref, i) => ({ ref: ref.slice(0, k), got: new Set((pg.vector[i] ?? []).slice(0, k)) }))
      .filter((x) => x.ref.length);
    return qs.length ? qs.reduce((s, { ref, got }) => s + ref.filter((d) => got.has(d)).length / ref.length, 0) / qs.length : undefined;
  };
  return {
    lexical: same(file.lexical, pg.lexical),
    hybrid: same(file.hybrid, pg.hybrid),
    vectorRecallAt10: recall(10),
    vectorRecallAt100: recall(100),
  };
}

/**
 * Re-ingest after one corpus file changed: one paper's abstract in the first file is replaced,
 * `ingest` runs (not forced), and the file is put back. The changed paper is re-embedded; every
 * other paper is unchanged.
 */
async function reingestAfterChange(corpusDir: string, ingest: () => Promise<ChildResult>): Promise<Record<string, unknown>> {
  const file = join(corpusDir, (await readdir(corpusDir)).filter((f) => f.endsWith('.jsonl')).sort()[0]);
  const original = await readFile(file, 'utf8');
  const [first, ...rest] = original.split('\n');
  const paper = JSON.parse(first) as { abstract: string };
  paper.abstract = `We revisit this question with a changed abstract. ${paper.abstract}`;
  await writeFile(file, [JSON.stringify(paper), ...rest].join('\n'));
  try {
    const re = await ingest();
    if (re.upToDate) throw new Error('the re-ingest found the changed corpus up to date');
    return { reingestMs: r1(re.durationMs!), reingestPeakRssMB: re.maxRssMB };
  } finally {
    await writeFile(file, original);
  }
}

/**
 * BENCH_SECTIONS=postgres: one scale row with 384-d vectors, the file store's ingest, search and
 * re-ingest next to the Postgres store's, without peers.
 */
async function postgresScaleRow(sourceDir: string, n: number, embedUrl: string, queries: string[]): Promise<Record<string, unknown>> {
  const dir = join(work, `synthetic-${n}`);
  await writeSyntheticCorpus(sourceDir, dir, n, 42);
  const indexDir = join(work, `synthetic-${n}-vec-index`);
  await rm(indexDir, { recursive: true, force: true });
  const ing = await runChild('ingest', { corpusDir: dir, indexDir, embedUrl });
  const qr = await runChild('query', { corpusDir: dir, indexDir, embedUrl, queries, iterations: quick ? 1 : 3, rankQueries: queries });
  const row: Record<string, unknown> = {
    papers: n,
    vectors: true,
    ingestMs: r1(ing.durationMs!),
    ingestPeakRssMB: ing.maxRssMB,
    search: qr.search,
    ask: qr.ask,
    queryPeakRssMB: qr.maxRssMB,
    ...(await reingestAfterChange(dir, () => runChild('ingest', { corpusDir: dir, indexDir, embedUrl }))),
  };
  console.error(`scale ${n} file store: ${JSON.stringify(row)}`);
  row.postgres = await postgresRow(dir, indexDir, embedUrl, queries.slice(0, quick ? 10 : 20), {
    queries,
    rankings: qr.rankings as Rankings,
  });
  console.error(`scale ${n} postgres: ${JSON.stringify(row.postgres)}`);
  return row;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
