/**
 * `research-bot` command line. Each command parses its own flags; `--json` prints one JSON
 * document on stdout and nothing else (logs and progress go to stderr).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configUrlSecrets, loadConfig, type Config } from './config.js';
import { openRetriever, openStore, requireDatabaseUrl, runIngest } from './context.js';
import { AppError, isAppError, toAppError } from './errors.js';
import { createProgress, noProgress } from './index/progress.js';
import { answerQuestion, similarPapers, summarizeTopic, type AnswerResult, type SummaryResult } from './answer/engine.js';
import { formatEvalTable, readQuestions, runEval, selectSplit } from './answer/eval.js';
import { createChatModel } from './answer/llm.js';
import { sanitizeModelText } from './answer/safe-text.js';
import { findPaper, type SearchFilter } from './index/search.js';
import { createLogger, redact, registerSecret, type Logger } from './logger.js';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  stderrStream?: NodeJS.WriteStream;
}

interface CommandContext {
  args: string[];
  config: Config;
  logger: Logger;
  io: CliIO;
}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const jsonOpt = { json: { type: 'boolean' } } as const;
const filterOpts = { from: { type: 'string' }, to: { type: 'string' }, source: { type: 'string' } } as const;

function printJson(io: CliIO, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

function positiveInt(value: unknown, name: string, def: number, max = 100): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('QUESTION_INVALID', `${name} must be a whole number from 1 to ${max}.`);
  return n;
}

export const commands: Record<string, Command> = {
  ingest: {
    summary: 'Parse the corpus and (re)build the index incrementally.',
    usage: 'research-bot ingest [--corpus DIR] [--index DIR] [--force] [--json]',
    options: { corpus: { type: 'string' }, index: { type: 'string' }, force: { type: 'boolean' }, ...jsonOpt },
    async run({ config, logger, io }, v) {
      const corpusDir = (v.corpus as string | undefined) ?? config.corpusDir;
      const indexDir = (v.index as string | undefined) ?? config.indexDir;
      const progress = v.json ? noProgress : createProgress(io.stderrStream ?? process.stderr);
      const s = await runIngest(config, { corpusDir, indexDir, force: Boolean(v.force), progress, logger });
      if (v.json) {
        printJson(io, s);
        return 0;
      }
      if (s.upToDate) {
        io.out(`Index is up to date (${s.papers} papers, ${s.chunks} chunks; generation ${s.generation}). Nothing to do.\n`);
        return 0;
      }
      const emb = s.embedding
        ? `${s.embedding.model}, ${s.embedding.dimensions} dims: ${s.embedding.embedded} embedded, ${s.embedding.reused} reused, ${s.embedding.calls} requests`
        : 'lexical only (no EMBEDDING_MODEL)';
      io.out(
        `Indexed ${s.papers} papers from ${s.files} files (${s.blocks} blocks, ${s.duplicatesMerged} duplicates ` +
          `merged) into ${s.chunks} chunks in ${(s.durationMs / 1000).toFixed(1)}s.\n` +
          `Embeddings: ${emb}.\n`,
      );
      if (s.filesSkipped.length || s.blocksSkipped.length) {
        io.out(`Skipped ${s.filesSkipped.length} files and ${s.blocksSkipped.length} blocks:\n`);
        for (const f of s.filesSkipped) io.out(`  ${f.file}: ${f.reason}\n`);
        for (const b of s.blocksSkipped) io.out(`  ${b.file}${b.line ? `:${b.line}` : ''}: ${b.reason}\n`);
      }
      return 0;
    },
  },
  search: {
    summary: 'Top papers for a query.',
    usage: 'research-bot search "<query>" [-k N] [--json]',
    options: {
      k: { type: 'string', short: 'k' },
      from: { type: 'string' },
      to: { type: 'string' },
      source: { type: 'string' },
      ...jsonOpt,
    },
    async run({ config, logger, io }, v, pos) {
      const query = requireText(pos.join(' '), 'query');
      const k = positiveInt(v.k, '-k', 10);
      const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
      const hits = await retriever.search(query, {
        k,
        filter: { from: v.from as string | undefined, to: v.to as string | undefined, source: v.source as string | undefined },
      });
      if (v.json) {
        printJson(io, {
          query,
          mode: retriever.mode,
          results: hits.map((h) => ({ rank: h.rank, paperId: h.paper.id, title: h.paper.title, score: round(h.score) })),
        });
        return 0;
      }
      if (!hits.length) io.out('No matching papers.\n');
      for (const h of hits) io.out(`${String(h.rank).padStart(2)}. [${h.paper.id}] ${h.paper.title}  (${round(h.score)})\n`);
      return 0;
    },
  },
  paper: {
    summary: 'Show one paper by id or title.',
    usage: 'research-bot paper <id-or-title> [--json]',
    options: { ...jsonOpt },
    async run({ config, logger, io }, v, pos) {
      const q = requireText(pos.join(' '), 'paper id or title');
      const retriever = await openRetriever(config, { logger, autoIngest: true, embedder: null });
      const paper = findPaper(retriever.store, q);
      if (!paper) throw new AppError('PAPER_NOT_FOUND', `No paper matches "${q.slice(0, 100)}". Try \`research-bot search\`.`);
      if (v.json) {
        printJson(io, paper);
        return 0;
      }
      io.out(`${paper.title}\n  id: ${paper.id}\n`);
      if (paper.date) io.out(`  date: ${paper.date}\n`);
      if (paper.authorsCount) io.out(`  authors: ${paper.authors?.join(', ') ?? paper.authorsCount}\n`);
      io.out(`  sources: ${paper.sources.join(', ')}\n`);
      if (paper.links.length) io.out(`  links: ${paper.links.join(' ')}\n`);
      io.out(`\n${paper.abstract}\n`);
      return 0;
    },
  },
  stats: {
    summary: 'Index statistics.',
    usage: 'research-bot stats [--json]',
    options: { ...jsonOpt },
    async run({ config, logger, io }, v) {
      const store = await openStore(config, { logger });
      try {
        const m = store.manifest;
        const where =
          store.kind === 'postgres'
            ? { database: (await import('./index/postgres/connection.js')).describeDatabase(requireDatabaseUrl(config)) }
            : { indexDir: config.indexDir };
        const stats = {
          store: store.kind,
          papers: m.counts.papers,
          chunks: m.counts.chunks,
          vectors: m.counts.vectors,
          mode: m.embedding ? 'hybrid' : 'lexical',
          embeddingModel: m.embedding?.model ?? null,
          embeddingDimensions: m.embedding?.dimensions ?? null,
          chatModel: config.chat.model ?? null,
          chunkStrategy: m.chunkStrategy,
          generation: m.generation,
          builtAt: m.createdAt,
          files: m.files.length,
          skipped: m.report.skipped.length,
          ...where,
        };
        if (v.json) printJson(io, stats);
        else for (const [k2, val] of Object.entries(stats)) io.out(`${k2.padEnd(20)} ${val ?? '-'}\n`);
        return 0;
      } finally {
        await store.close();
      }
    },
  },
  'migrate-store': {
    summary: 'Copy the live index between stores (vectors included, nothing re-embedded) and make the copy live.',
    usage: 'research-bot migrate-store --from vectra|postgres --to postgres|vectra [--index DIR] [--json]',
    options: { from: { type: 'string' }, to: { type: 'string' }, index: { type: 'string' }, ...jsonOpt },
    async run({ config, logger, io }, v) {
      const kinds = ['vectra', 'postgres'] as const;
      const from = kinds.find((k) => k === v.from);
      const to = kinds.find((k) => k === v.to);
      if (!from || !to || from === to)
        throw new AppError('QUESTION_INVALID', 'Use --from vectra --to postgres, or --from postgres --to vectra.');
      const { migrateStore } = await import('./index/migrate.js');
      const s = await migrateStore({
        from,
        to,
        indexDir: (v.index as string | undefined) ?? config.indexDir,
        databaseUrl: requireDatabaseUrl(config, 'migrate-store'),
        logger,
      });
      if (v.json) {
        printJson(io, s);
        return 0;
      }
      io.out(
        `Copied generation ${s.sourceGeneration} from ${s.from} to ${s.to} as ${s.generation} (now live): ` +
          `${s.papers} papers, ${s.chunks} chunks, ${s.vectors} vectors, in ${(s.durationMs / 1000).toFixed(1)}s. ` +
          `Nothing was re-embedded.\n` +
          (s.to !== config.store ? `Set STORE=${s.to} to serve it.\n` : ''),
      );
      return 0;
    },
  },
  ask: {
    summary: 'Answer a question with citations (LLM when CHAT_MODEL is set, else an extractive digest).',
    usage: 'research-bot ask "<question>" [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--source FILE] [--json]',
    options: { ...filterOpts, ...jsonOpt },
    async run({ config, logger, io }, v, pos) {
      const question = requireText(pos.join(' '), 'question');
      const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
      const chat = createChatModel(config);
      const streaming = Boolean(chat && !v.json && io.stderrStream?.isTTY);
      const result = await answerQuestion({ retriever, chat, logger, abstainThreshold: config.abstainThreshold }, question, {
        filter: filterFrom(v),
        onToken: streaming ? (d) => io.err(d) : undefined,
      });
      if (streaming) io.err('\n\n');
      if (v.json) printJson(io, answerJson(result));
      else io.out(renderAnswer(result));
      return 0;
    },
  },
  summarize: {
    summary: 'A short cited synthesis of what the corpus says about a topic.',
    usage: 'research-bot summarize "<topic>" [--json]',
    options: { ...filterOpts, ...jsonOpt },
    async run({ config, logger, io }, v, pos) {
      const topic = requireText(pos.join(' '), 'topic');
      const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
      const result = await summarizeTopic(
        { retriever, chat: createChatModel(config), logger, abstainThreshold: config.abstainThreshold },
        topic,
        { filter: filterFrom(v) },
      );
      if (v.json) printJson(io, answerJson(result));
      else io.out(renderAnswer(result));
      return 0;
    },
  },
  similar: {
    summary: 'Papers similar to a given paper.',
    usage: 'research-bot similar <paper-id-or-title> [-k N] [--json]',
    options: { k: { type: 'string', short: 'k' }, ...jsonOpt },
    async run({ config, logger, io }, v, pos) {
      const q = requireText(pos.join(' '), 'paper id or title');
      const retriever = await openRetriever(config, { logger, autoIngest: true });
      const paper = findPaper(retriever.store, q);
      if (!paper) throw new AppError('PAPER_NOT_FOUND', `No paper matches "${q.slice(0, 100)}". Try \`research-bot search\`.`);
      const result = await similarPapers(retriever, paper, positiveInt(v.k, '-k', 5, 25));
      if (v.json) {
        printJson(io, { paper: { paperId: paper.id, title: paper.title }, similar: result.similar });
        return 0;
      }
      io.out(`Papers similar to "${paper.title}":\n`);
      result.similar.forEach((s, i) => {
        io.out(`${String(i + 1).padStart(2)}. [${s.paperId}] ${s.title}\n      ${s.why.slice(0, 200)}\n`);
      });
      return 0;
    },
  },
  eval: {
    summary: 'Evaluate retrieval, abstention, numeric answers and citations on a JSONL question set.',
    usage: 'research-bot eval <questions.jsonl> [--split tuning|heldout] [--json]',
    options: { split: { type: 'string' }, ...jsonOpt },
    async run({ config, logger, io }, v, pos) {
      const file = requireText(pos.join(' '), 'questions file');
      const { questions: all, errors } = await readQuestions(file);
      const questions = selectSplit(all, v.split as string | undefined);
      if (!questions.length)
        throw new AppError('QUESTION_INVALID', `No usable questions in ${file}${errors.length ? ` (${errors[0]})` : ''}.`);
      const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
      const report = {
        ...(await runEval({ retriever, chat: createChatModel(config), logger, abstainThreshold: config.abstainThreshold }, questions)),
        errors,
      };
      if (v.json) printJson(io, report);
      else io.out(formatEvalTable(report));
      return 0;
    },
  },
  bot: {
    summary: 'Run the Discord bot (builds the index first if it is missing; DISCORD_SHARDS for several processes).',
    usage: 'research-bot bot',
    options: {},
    async run({ config }) {
      // discord.js is loaded only here, so the other commands start fast.
      const { serveBot, serveShards } = await import('./discord/index.js');
      const logger = createLogger({ level: config.logLevel ?? 'info' });
      // DISCORD_SHARDS=1 (default): one process; otherwise a ShardingManager with one child per shard.
      return config.discord.shards !== 1 ? serveShards(config, logger) : serveBot(config, logger);
    },
  },
  'register-commands': {
    summary: 'Register the slash commands with Discord (guild-scoped when DISCORD_GUILD_ID is set).',
    usage: 'research-bot register-commands [--json]',
    options: { ...jsonOpt },
    async run({ config, io }, v) {
      const { registerCommands } = await import('./discord/index.js');
      const r = await registerCommands(config, createLogger({ level: config.logLevel ?? 'info' }));
      if (v.json) printJson(io, r);
      else
        io.out(
          `Registered ${r.commands.length} commands ${r.scope === 'guild' ? `in guild ${r.guildId}` : 'globally (they can take up to an hour to appear)'}.\n`,
        );
      return 0;
    },
  },
};

function filterFrom(v: Record<string, unknown>): SearchFilter | undefined {
  const f: SearchFilter = {};
  for (const key of ['from', 'to'] as const) {
    const val = v[key] as string | undefined;
    if (val === undefined) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(val)) throw new AppError('QUESTION_INVALID', `--${key} must be a date like 2024-01-31.`);
    f[key] = val;
  }
  if (v.source) f.source = String(v.source);
  return Object.keys(f).length ? f : undefined;
}

function answerJson(r: AnswerResult | SummaryResult) {
  return {
    answer: r.answer,
    mode: r.mode,
    confidence: r.confidence,
    abstained: r.abstained,
    citations: r.citations.map((c) => ({ marker: c.marker, paperId: c.paperId, title: c.title, url: c.url, links: c.links })),
    sources: r.sources,
    droppedCitations: r.droppedCitations,
    ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
    ...(r.abstainReason ? { abstainReason: r.abstainReason } : {}),
    ...('query' in r && r.query !== r.question ? { query: r.query } : {}),
  };
}

export function renderAnswer(r: AnswerResult | SummaryResult): string {
  // The engine already cleaned the text; this renderer must be safe for a terminal on its own too.
  const lines = [sanitizeModelText(r.answer), ''];
  // An abstention already names the possibly related papers in its text.
  if (!r.abstained && r.citations.length) {
    lines.push('Sources:');
    for (const c of r.citations) {
      lines.push(`  [${c.marker}] ${c.title}`, `      ${c.url}`);
      for (const l of c.links) lines.push(`      mentioned in the abstract: ${l}`);
    }
  }
  lines.push(
    '',
    `(${r.mode === 'llm' ? 'LLM answer' : 'offline extractive digest'}` +
      `${r.droppedCitations ? `; ${r.droppedCitations} invalid citation(s) removed` : ''}; ${r.durationMs} ms)`,
  );
  return `${lines.join('\n')}\n`;
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}

export function requireText(text: string, what: string): string {
  const t = text.trim();
  if (!t) throw new AppError('QUESTION_INVALID', `Please give a ${what}.`);
  return t;
}

function helpText(): string {
  const lines = ['research-bot: cited answers over a local corpus of ML papers', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(18)} ${c.summary}`, `      ${c.usage}`);
  return `${lines.join('\n')}\n`;
}

export async function main(
  argv: string[],
  io: CliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${helpText()}`);
    return 2;
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\nUsage: ${command.usage}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${command.summary}\nUsage: ${command.usage}\n`);
    return 0;
  }
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    registerSecret(config.openai.apiKey);
    registerSecret(config.discord.token);
    for (const secret of configUrlSecrets(config)) registerSecret(secret);
    logger = createLogger({ level: config.logLevel ?? 'warn' });
    return await command.run({ args: rest, config, logger, io }, values, positionals);
  } catch (err) {
    const e = toAppError(err);
    if (!isAppError(err) || e.code === 'INTERNAL') logger?.error('command failed', { command: name, code: e.code, err });
    // Endpoint error texts can echo credentials back; nothing printed may carry a secret.
    const message = redact(e.userMessage);
    if (values.json) printJson(io, { error: { code: e.code, message } });
    else io.err(`error [${e.code}]: ${message}\n`);
    return 1;
  }
}
