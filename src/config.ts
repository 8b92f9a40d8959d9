/**
 * The one place that reads process.env. Everything else receives a typed `Config`.
 * A bad value fails at start with the variable's name and what it expects.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';
import { DEFAULT_INT8_MIN_ROWS } from './index/vector-matrix.js';
import { registerSecret, type LogLevel } from './logger.js';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());
const optionalUrl = z.preprocess(
  emptyToUndefined,
  z.url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://127.0.0.1:11434/v1' }).optional(),
);
const bool = (def: boolean) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? def : v),
    z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])])
      .transform((v) => (typeof v === 'boolean' ? v : ['true', '1', 'yes', 'on'].includes(v))),
  );
const int = (def: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? def : v),
    z.coerce
      .number({ error: `expected a whole number between ${min} and ${max}` })
      .int()
      .min(min)
      .max(max),
  );
const num = (def: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? def : v),
    z.coerce
      .number({ error: `expected a number between ${min} and ${max}` })
      .min(min)
      .max(max),
  );
const snowflake = z.string().regex(/^\d{15,22}$/, 'expected a Discord snowflake id (digits)');
const idList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (v ?? []),
  z.array(snowflake),
);

const SHARDS_ERROR = 'expected "auto" or a whole number of shards from 1 to 4096';

export const envSchema = z
  .object({
    // Paths
    CORPUS_DIR: z.string().default('data/corpus'),
    INDEX_DIR: z.string().default('data/index'),
    FEEDBACK_DIR: z.string().default('data/feedback'),
    // OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio)
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    EMBEDDING_MODEL: optionalString,
    EMBEDDING_DIMENSIONS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(8).max(8192).optional()),
    EMBEDDING_BATCH_SIZE: int(64, 1, 2048),
    EMBEDDING_QUERY_TIMEOUT_MS: int(5_000, 100, 600_000),
    CHAT_MODEL: optionalString,
    LLM_TIMEOUT_MS: int(20_000, 100, 600_000),
    LLM_MAX_RETRIES: int(2, 0, 10),
    LLM_TOTAL_BUDGET_MS: int(45_000, 500, 600_000),
    LLM_TEMPERATURE: num(0.1, 0, 2),
    LLM_MAX_OUTPUT_TOKENS: int(1_024, 16, 65_536),
    // Retrieval
    CHUNK_STRATEGY: z.enum(['abstract', 'sentences']).default('abstract'),
    ABSTAIN_THRESHOLD: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1).optional()),
    MAX_CORPUS_FILE_MB: int(64, 1, 4096),
    VECTOR_INT8_MIN_ROWS: int(DEFAULT_INT8_MIN_ROWS, 0, 2 ** 31 - 1),
    // Discord
    DISCORD_TOKEN: optionalString,
    DISCORD_APPLICATION_ID: z.preprocess(emptyToUndefined, snowflake.optional()),
    DISCORD_GUILD_ID: z.preprocess(emptyToUndefined, snowflake.optional()),
    DISCORD_API_URL: optionalUrl,
    QA_CHANNEL_IDS: idList,
    ADMIN_ROLE_IDS: idList,
    THREAD_FOLLOWUPS: bool(true),
    DIRECT_MESSAGES: bool(true),
    USER_COOLDOWN_SECONDS: num(5, 0, 3600),
    MAX_CONCURRENT_MODEL_CALLS: int(4, 1, 256),
    STREAM_EDIT_INTERVAL_MS: int(1_000, 250, 10_000),
    DISCORD_SHARDS: z.preprocess(
      (v) =>
        v === undefined || (typeof v === 'string' && v.trim() === '')
          ? 1
          : typeof v === 'string' && v.trim().toLowerCase() === 'auto'
            ? 'auto'
            : v,
      z.union([z.literal('auto'), z.coerce.number().int(SHARDS_ERROR).min(1, SHARDS_ERROR).max(4096, SHARDS_ERROR)], {
        error: SHARDS_ERROR,
      }),
    ),
    INDEX_REFRESH_SECONDS: num(30, 0, 86_400),
    // Index store
    STORE: z.preprocess(emptyToUndefined, z.enum(['vectra', 'postgres']).default('vectra')),
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
          error: 'expected a postgres:// URL, e.g. postgres://bot:password@db.example.com:5432/research',
        })
        .optional(),
    ),
    // Postgres store: vector search on the generation's vectors loaded in each process, or through pgvector's HNSW index.
    PG_VECTOR_SEARCH: z.preprocess(emptyToUndefined, z.enum(['memory', 'hnsw']).default('memory')),
    // Logging
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional()),
  })
  .superRefine((e, ctx) => {
    if (e.STORE === 'postgres' && !e.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'required when STORE=postgres (e.g. postgres://bot:password@db.example.com:5432/research)',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  corpusDir: string;
  indexDir: string;
  feedbackDir: string;
  openai: { apiKey?: string; baseURL?: string };
  /** queryTimeoutMs bounds embedding a question (retries included); past it the answer uses lexical retrieval. */
  embedding: { model?: string; dimensions?: number; batchSize: number; queryTimeoutMs: number };
  /** totalBudgetMs bounds a whole answer's model time; maxOutputTokens is sent as max_tokens. */
  chat: { model?: string; timeoutMs: number; maxRetries: number; totalBudgetMs: number; temperature: number; maxOutputTokens: number };
  chunkStrategy: 'abstract' | 'sentences';
  abstainThreshold?: number;
  maxCorpusFileBytes: number;
  /** Vector rows from which searches shortlist through the int8 copy and re-score exactly. */
  vectorInt8MinRows: number;
  discord: {
    token?: string;
    applicationId?: string;
    guildId?: string;
    apiUrl?: string;
    qaChannelIds: string[];
    /** Roles allowed admin commands (/add-papers) besides members with Manage Server. */
    adminRoleIds: string[];
    threadFollowups: boolean;
    /** Answer direct messages (asks Discord for the DIRECT_MESSAGES intent, which is not privileged). */
    directMessages: boolean;
    userCooldownMs: number;
    maxConcurrentModelCalls: number;
    streamEditIntervalMs: number;
    /** Gateway shards: 1 = one process (no ShardingManager); 'auto' = Discord's recommendation. */
    shards: number | 'auto';
    /** How often the bot checks for an index generation made live by another process; 0 = never. */
    indexRefreshMs: number;
  };
  /** Where the index lives: files under indexDir (vectra) or a Postgres database (pgvector). */
  store: 'vectra' | 'postgres';
  /** postgres:// URL; required when store is postgres, also used by `migrate-store`. Holds a password: never log it. */
  databaseUrl?: string;
  /** Postgres store's vector search: 'memory' (vectors loaded into each process, same hits as the file store) or 'hnsw' (in SQL). */
  pgVectorSearch: 'memory' | 'hnsw';
  /** Unset means each entry point picks its own default (CLI: warn, bot: info). */
  logLevel?: LogLevel;
}

/** Load `.env` from the working directory if present; real environment variables win. */
function loadDotEnv(cwd: string): void {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return;
  const loader = (process as unknown as { loadEnvFile?: (p: string) => void }).loadEnvFile;
  if (loader) loader(file);
}

export function loadConfig(env?: Record<string, string | undefined>, opts: { cwd?: string; dotenv?: boolean } = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  if (!env) {
    if (opts.dotenv !== false) loadDotEnv(cwd);
    env = process.env;
  }
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = i.path.join('.') || '(environment)';
      const got = env![String(i.path[0])];
      // Secrets are never echoed. Any URL may carry user:password@ (a bad one too, which the
      // redactor's URL pattern might not recognise), so a value with an "@" is not echoed either.
      const hidden = got === undefined || /KEY|TOKEN|DATABASE_URL/.test(name) || got.includes('@');
      const shown = hidden ? '' : ` (got ${JSON.stringify(got.slice(0, 60))})`;
      return `${name}: ${i.message}${shown}`;
    });
    throw new AppError('CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    corpusDir: resolve(cwd, e.CORPUS_DIR),
    indexDir: resolve(cwd, e.INDEX_DIR),
    feedbackDir: resolve(cwd, e.FEEDBACK_DIR),
    openai: { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL },
    embedding: {
      model: e.EMBEDDING_MODEL,
      dimensions: e.EMBEDDING_DIMENSIONS,
      batchSize: e.EMBEDDING_BATCH_SIZE,
      queryTimeoutMs: e.EMBEDDING_QUERY_TIMEOUT_MS,
    },
    chat: {
      model: e.CHAT_MODEL,
      timeoutMs: e.LLM_TIMEOUT_MS,
      maxRetries: e.LLM_MAX_RETRIES,
      totalBudgetMs: e.LLM_TOTAL_BUDGET_MS,
      temperature: e.LLM_TEMPERATURE,
      maxOutputTokens: e.LLM_MAX_OUTPUT_TOKENS,
    },
    chunkStrategy: e.CHUNK_STRATEGY,
    abstainThreshold: e.ABSTAIN_THRESHOLD,
    maxCorpusFileBytes: e.MAX_CORPUS_FILE_MB * 1024 * 1024,
    vectorInt8MinRows: e.VECTOR_INT8_MIN_ROWS,
    discord: {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      guildId: e.DISCORD_GUILD_ID,
      apiUrl: e.DISCORD_API_URL,
      qaChannelIds: e.QA_CHANNEL_IDS,
      adminRoleIds: e.ADMIN_ROLE_IDS,
      threadFollowups: e.THREAD_FOLLOWUPS,
      directMessages: e.DIRECT_MESSAGES,
      userCooldownMs: Math.round(e.USER_COOLDOWN_SECONDS * 1000),
      maxConcurrentModelCalls: e.MAX_CONCURRENT_MODEL_CALLS,
      streamEditIntervalMs: e.STREAM_EDIT_INTERVAL_MS,
      shards: e.DISCORD_SHARDS,
      indexRefreshMs: Math.round(e.INDEX_REFRESH_SECONDS * 1000),
    },
    store: e.STORE,
    databaseUrl: e.DATABASE_URL,
    pgVectorSearch: e.PG_VECTOR_SEARCH,
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * The environment that reproduces `config` through loadConfig: how the shard manager hands its
 * exact configuration to each shard process, which then validates it like any other.
 */
export function configToEnv(config: Config): Record<string, string> {
  const d = config.discord;
  const env: Record<string, string | number | boolean | undefined> = {
    CORPUS_DIR: config.corpusDir,
    INDEX_DIR: config.indexDir,
    FEEDBACK_DIR: config.feedbackDir,
    OPENAI_API_KEY: config.openai.apiKey,
    OPENAI_BASE_URL: config.openai.baseURL,
    EMBEDDING_MODEL: config.embedding.model,
    EMBEDDING_DIMENSIONS: config.embedding.dimensions,
    EMBEDDING_BATCH_SIZE: config.embedding.batchSize,
    EMBEDDING_QUERY_TIMEOUT_MS: config.embedding.queryTimeoutMs,
    CHAT_MODEL: config.chat.model,
    LLM_TIMEOUT_MS: config.chat.timeoutMs,
    LLM_MAX_RETRIES: config.chat.maxRetries,
    LLM_TOTAL_BUDGET_MS: config.chat.totalBudgetMs,
    LLM_TEMPERATURE: config.chat.temperature,
    LLM_MAX_OUTPUT_TOKENS: config.chat.maxOutputTokens,
    CHUNK_STRATEGY: config.chunkStrategy,
    ABSTAIN_THRESHOLD: config.abstainThreshold,
    MAX_CORPUS_FILE_MB: config.maxCorpusFileBytes / (1024 * 1024),
    VECTOR_INT8_MIN_ROWS: config.vectorInt8MinRows,
    DISCORD_TOKEN: d.token,
    DISCORD_APPLICATION_ID: d.applicationId,
    DISCORD_GUILD_ID: d.guildId,
    DISCORD_API_URL: d.apiUrl,
    QA_CHANNEL_IDS: d.qaChannelIds.join(','),
    ADMIN_ROLE_IDS: d.adminRoleIds.join(','),
    THREAD_FOLLOWUPS: d.threadFollowups,
    DIRECT_MESSAGES: d.directMessages,
    USER_COOLDOWN_SECONDS: d.userCooldownMs / 1000,
    MAX_CONCURRENT_MODEL_CALLS: d.maxConcurrentModelCalls,
    STREAM_EDIT_INTERVAL_MS: d.streamEditIntervalMs,
    DISCORD_SHARDS: d.shards,
    INDEX_REFRESH_SECONDS: d.indexRefreshMs / 1000,
    STORE: config.store,
    DATABASE_URL: config.databaseUrl,
    PG_VECTOR_SEARCH: config.pgVectorSearch,
    LOG_LEVEL: config.logLevel,
  } satisfies Record<keyof Env, unknown>;
  return Object.fromEntries(Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
}

/** Where a parent process puts the configuration for the child processes it creates (see handConfigToChildren). */
const HANDED_CONFIG_ENV = 'RESEARCH_BOT_HANDED_CONFIG';

/**
 * Child processes created from now on (they copy this process's environment) run with exactly
 * `config`. Returns the function that stops handing it over.
 */
export function handConfigToChildren(config: Config): () => void {
  const saved = process.env[HANDED_CONFIG_ENV];
  process.env[HANDED_CONFIG_ENV] = JSON.stringify(configToEnv(config));
  return () => {
    if (saved === undefined) delete process.env[HANDED_CONFIG_ENV];
    else process.env[HANDED_CONFIG_ENV] = saved;
  };
}

/** In a child process: the configuration its parent handed over (validated by the schema), else the environment and .env. */
export function loadHandedConfig(): Config {
  const handed = process.env[HANDED_CONFIG_ENV];
  if (handed === undefined) return loadConfig();
  let env: unknown;
  try {
    env = JSON.parse(handed);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Invalid configuration: ${HANDED_CONFIG_ENV} is not JSON.`, { cause: err });
  }
  if (!env || typeof env !== 'object' || Array.isArray(env))
    throw new AppError('CONFIG_INVALID', `Invalid configuration: ${HANDED_CONFIG_ENV} is not an object of variables.`);
  return loadConfig(env as Record<string, string>);
}

/** The shard id discord.js gives a shard process (its SHARDS variable), for log lines; undefined outside a shard. */
export function shardProcessId(): number | undefined {
  const id = Number(process.env.SHARDS);
  return process.env.SHARDS !== undefined && Number.isInteger(id) ? id : undefined;
}

/** Values derived from DATABASE_URL that must never appear in a log line or error message. */
export function databaseUrlSecrets(url: string | undefined): string[] {
  return url ? [url, ...urlCredentials(url)] : [];
}

/** The credentials in a URL's user:password@ part, as written and decoded; none when it has none. */
export function urlCredentials(url: string | undefined): string[] {
  if (!url) return [];
  const out: string[] = [];
  try {
    const { username, password } = new URL(url);
    const decode = (v: string) => {
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    };
    // A password is the secret; a username alone (https://TOKEN@host) is one too.
    const secret = password || username;
    if (secret) out.push(secret, decode(secret));
    if (username && password) out.push(`${username}:${password}`);
  } catch {
    // An unparsable URL was already refused by the schema.
  }
  return [...new Set(out)];
}

/**
 * Every secret carried by a URL in the configuration (DATABASE_URL, OPENAI_BASE_URL,
 * DISCORD_API_URL): each entry point registers these with the logger's redactor.
 */
export function configUrlSecrets(config: Config): string[] {
  return [...databaseUrlSecrets(config.databaseUrl), ...urlCredentials(config.openai.baseURL), ...urlCredentials(config.discord.apiUrl)];
}

/** How to reach the OpenAI-compatible endpoint, the same for chat and embeddings. */
export function endpointOptions(config: Config): { apiKey?: string; baseURL?: string; timeoutMs: number; maxRetries: number } {
  return {
    apiKey: config.openai.apiKey,
    baseURL: config.openai.baseURL,
    timeoutMs: config.chat.timeoutMs,
    maxRetries: config.chat.maxRetries,
  };
}

/**
 * Register every secret the configuration holds with the logger, so that no log line, error
 * message or reply can show it. Every entry point calls this right after loading its Config.
 */
export function registerSecrets(config: Config): void {
  registerSecret(config.openai.apiKey);
  registerSecret(config.discord.token);
  for (const secret of configUrlSecrets(config)) registerSecret(secret);
}

/** Embeddings are used only when a model is named; the endpoint defaults to OpenAI's. */
export function embeddingsEnabled(config: Config): boolean {
  return Boolean(config.embedding.model);
}

export function chatEnabled(config: Config): boolean {
  return Boolean(config.chat.model);
}
