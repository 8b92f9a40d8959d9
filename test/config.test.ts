import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatEnabled, configToEnv, configUrlSecrets, databaseUrlSecrets, embeddingsEnabled, envSchema, loadConfig } from '../src/config.js';
import { AppError } from '../src/errors.js';

function configError(env: Record<string, string | undefined>): AppError {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe('CONFIG_INVALID');
  return caught as AppError;
}

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const c = loadConfig({}, { cwd: '/srv/bot' });
    expect(c.corpusDir).toBe(resolve('/srv/bot', 'data/corpus'));
    expect(c.indexDir).toBe(resolve('/srv/bot', 'data/index'));
    expect(c.feedbackDir).toBe(resolve('/srv/bot', 'data/feedback'));
    expect(c.openai).toEqual({ apiKey: undefined, baseURL: undefined });
    expect(c.embedding).toEqual({ model: undefined, dimensions: undefined, batchSize: 64, queryTimeoutMs: 5000 });
    expect(c.chat).toEqual({
      model: undefined,
      timeoutMs: 20_000,
      maxRetries: 2,
      totalBudgetMs: 45_000,
      temperature: 0.1,
      maxOutputTokens: 1024,
    });
    expect(c.chunkStrategy).toBe('abstract');
    expect(c.abstainThreshold).toBeUndefined();
    expect(c.maxCorpusFileBytes).toBe(64 * 1024 * 1024);
    expect(c.discord).toEqual({
      token: undefined,
      applicationId: undefined,
      guildId: undefined,
      apiUrl: undefined,
      qaChannelIds: [],
      adminRoleIds: [],
      threadFollowups: true,
      directMessages: true,
      userCooldownMs: 5000,
      maxConcurrentModelCalls: 4,
      streamEditIntervalMs: 1000,
      shards: 1,
      indexRefreshMs: 30_000,
    });
    expect(c.logLevel).toBeUndefined();
    expect(embeddingsEnabled(c)).toBe(false);
    expect(chatEnabled(c)).toBe(false);
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ OPENAI_BASE_URL: '', EMBEDDING_MODEL: '  ', LLM_TIMEOUT_MS: '', DISCORD_GUILD_ID: '', LOG_LEVEL: '' });
    expect(c.openai.baseURL).toBeUndefined();
    expect(c.embedding.model).toBeUndefined();
    expect(c.chat.timeoutMs).toBe(20_000);
    expect(c.discord.guildId).toBeUndefined();
    expect(c.logLevel).toBeUndefined();
  });

  it('reads and converts every kind of value', () => {
    const c = loadConfig(
      {
        CORPUS_DIR: '/data/papers',
        INDEX_DIR: 'idx',
        OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
        EMBEDDING_MODEL: 'nomic-embed-text',
        EMBEDDING_DIMENSIONS: '256',
        CHAT_MODEL: 'llama3',
        LLM_TIMEOUT_MS: '1500',
        LLM_TEMPERATURE: '0.7',
        CHUNK_STRATEGY: 'sentences',
        ABSTAIN_THRESHOLD: '0.25',
        MAX_CORPUS_FILE_MB: '3',
        DISCORD_GUILD_ID: '123456789012345678',
        QA_CHANNEL_IDS: '123456789012345678, 223456789012345678',
        ADMIN_ROLE_IDS: '323456789012345678',
        THREAD_FOLLOWUPS: 'off',
        USER_COOLDOWN_SECONDS: '2.5',
        LOG_LEVEL: 'debug',
      },
      { cwd: '/srv/bot' },
    );
    expect(c.corpusDir).toBe('/data/papers');
    expect(c.indexDir).toBe(resolve('/srv/bot', 'idx'));
    expect(c.openai.baseURL).toBe('http://127.0.0.1:11434/v1');
    expect(c.embedding).toEqual({ model: 'nomic-embed-text', dimensions: 256, batchSize: 64, queryTimeoutMs: 5000 });
    expect(c.chat.model).toBe('llama3');
    expect(c.chat.timeoutMs).toBe(1500);
    expect(c.chat.temperature).toBe(0.7);
    expect(c.chunkStrategy).toBe('sentences');
    expect(c.abstainThreshold).toBe(0.25);
    expect(c.maxCorpusFileBytes).toBe(3 * 1024 * 1024);
    expect(c.discord.guildId).toBe('123456789012345678');
    expect(c.discord.qaChannelIds).toEqual(['123456789012345678', '223456789012345678']);
    expect(c.discord.adminRoleIds).toEqual(['323456789012345678']);
    expect(c.discord.threadFollowups).toBe(false);
    expect(c.discord.userCooldownMs).toBe(2500);
    expect(c.logLevel).toBe('debug');
    expect(embeddingsEnabled(c)).toBe(true);
    expect(chatEnabled(c)).toBe(true);
  });

  it.each([
    ['LLM_TIMEOUT_MS', 'abc'],
    ['LLM_TIMEOUT_MS', '50'],
    ['LLM_MAX_RETRIES', '1.5'],
    ['OPENAI_BASE_URL', 'not-a-url'],
    ['OPENAI_BASE_URL', 'ftp://example.com/v1'],
    ['DISCORD_GUILD_ID', 'xyz'],
    ['DISCORD_APPLICATION_ID', '12'],
    ['CHUNK_STRATEGY', 'paragraphs'],
    ['THREAD_FOLLOWUPS', 'maybe'],
    ['EMBEDDING_DIMENSIONS', '4'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects %s=%s with CONFIG_INVALID naming the variable', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.message).toContain(name);
    expect(err.userMessage).toContain(name);
    expect(err.message).toContain(JSON.stringify(value));
  });

  it('names an invalid entry of a list', () => {
    const err = configError({ QA_CHANNEL_IDS: '123456789012345678,general' });
    expect(err.message).toMatch(/QA_CHANNEL_IDS/);
    expect(err.message).toMatch(/snowflake/);
  });

  it('lists every problem at once', () => {
    const err = configError({ LLM_TIMEOUT_MS: 'abc', OPENAI_BASE_URL: 'not-a-url', DISCORD_GUILD_ID: 'xyz' });
    for (const name of ['LLM_TIMEOUT_MS', 'OPENAI_BASE_URL', 'DISCORD_GUILD_ID']) expect(err.message).toContain(name);
    expect(err.message).toMatch(/expected an http\(s\) URL/);
  });

  it('never echoes secrets in the error message', () => {
    const apiKey = 'sk-proj-SuperSecretValue123456';
    const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.secret-discord-token-value';
    const err = configError({
      OPENAI_API_KEY: apiKey,
      DISCORD_TOKEN: token,
      LLM_TIMEOUT_MS: 'abc',
      OPENAI_BASE_URL: 'not-a-url',
      DISCORD_GUILD_ID: 'xyz',
    });
    for (const text of [err.message, err.userMessage, JSON.stringify(err.detail ?? {}), String(err.stack)]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(token);
      expect(text).not.toContain('SuperSecret');
      expect(text).not.toContain('secret-discord-token');
    }
  });

  it('never echoes credentials from an invalid URL variable', () => {
    const err = configError({ OPENAI_BASE_URL: 'ftp://bot:hunter2-pass@127.0.0.1/v1', DISCORD_API_URL: 'discord.example/api?k=@tok-3' });
    expect(err.userMessage).toMatch(/OPENAI_BASE_URL: expected an http\(s\) URL/);
    expect(err.userMessage).toMatch(/DISCORD_API_URL: expected an http\(s\) URL/);
    for (const text of [err.message, err.userMessage]) {
      expect(text).not.toContain('hunter2-pass');
      expect(text).not.toContain('tok-3');
    }
  });

  it('lists the credentials of every URL in the configuration for the redactor', () => {
    const c = loadConfig({
      OPENAI_BASE_URL: 'https://bot:op%40en-pass@llm.example/v1',
      DISCORD_API_URL: 'https://TOKENONLY@discord.example/api',
      STORE: 'postgres',
      DATABASE_URL: 'postgres://u:db-pass@db/x',
    });
    expect(configUrlSecrets(c)).toEqual(
      expect.arrayContaining(['db-pass', 'op%40en-pass', 'op@en-pass', 'bot:op%40en-pass', 'TOKENONLY', 'postgres://u:db-pass@db/x']),
    );
    expect(configUrlSecrets(loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }))).toEqual([]);
  });

  it('keeps secrets in the config itself', () => {
    const c = loadConfig({ OPENAI_API_KEY: 'sk-abc123456', DISCORD_TOKEN: 'tok-abc123456' });
    expect(c.openai.apiKey).toBe('sk-abc123456');
    expect(c.discord.token).toBe('tok-abc123456');
  });
});

describe('loadConfig: the index store', () => {
  it('defaults to vectra and needs no database', () => {
    const c = loadConfig({});
    expect(c.store).toBe('vectra');
    expect(c.databaseUrl).toBeUndefined();
  });

  it('reads STORE=postgres with DATABASE_URL', () => {
    const url = 'postgres://bot:pa%40ss-word@db.example.com:5432/research';
    const c = loadConfig({ STORE: 'postgres', DATABASE_URL: url });
    expect(c.store).toBe('postgres');
    expect(c.databaseUrl).toBe(url);
    expect(databaseUrlSecrets(url)).toEqual([url, 'pa%40ss-word', 'pa@ss-word', 'bot:pa%40ss-word']);
    expect(databaseUrlSecrets(undefined)).toEqual([]);
  });

  it('requires DATABASE_URL when STORE=postgres, naming the variable', () => {
    const err = configError({ STORE: 'postgres' });
    expect(err.userMessage).toMatch(/DATABASE_URL: required when STORE=postgres/);
  });

  it('rejects an unknown STORE and a non-postgres DATABASE_URL without echoing the URL', () => {
    expect(configError({ STORE: 'sqlite' }).userMessage).toMatch(/STORE: .*"sqlite"/);
    const err = configError({ STORE: 'postgres', DATABASE_URL: 'mysql://bot:hunter2-secret@db/research' });
    expect(err.userMessage).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL/);
    expect(err.userMessage).not.toContain('hunter2-secret');
    expect(err.message).not.toContain('hunter2-secret');
  });
});

describe('loadConfig: several bot processes', () => {
  it('reads DISCORD_SHARDS as a count or auto, and INDEX_REFRESH_SECONDS', () => {
    expect(loadConfig({ DISCORD_SHARDS: '3', INDEX_REFRESH_SECONDS: '2.5' }).discord).toMatchObject({ shards: 3, indexRefreshMs: 2500 });
    expect(loadConfig({ DISCORD_SHARDS: 'AUTO' }).discord.shards).toBe('auto');
    expect(loadConfig({ INDEX_REFRESH_SECONDS: '0' }).discord.indexRefreshMs).toBe(0);
  });

  it('refuses a bad shard count, naming the variable', () => {
    for (const bad of ['0', '-1', '1.5', 'many']) {
      expect(configError({ DISCORD_SHARDS: bad }).userMessage).toMatch(/DISCORD_SHARDS: expected "auto" or a whole number of shards/);
    }
  });
});

describe('configToEnv: the configuration a shard manager hands to its shards', () => {
  it('loadConfig(configToEnv(config)) is the same configuration, every variable set', () => {
    const full = loadConfig({
      CORPUS_DIR: '/srv/corpus',
      INDEX_DIR: '/srv/index',
      FEEDBACK_DIR: '/srv/feedback',
      OPENAI_API_KEY: 'sk-roundtrip-123456',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      EMBEDDING_MODEL: 'nomic-embed-text',
      EMBEDDING_DIMENSIONS: '384',
      EMBEDDING_BATCH_SIZE: '16',
      CHAT_MODEL: 'llama3',
      LLM_TIMEOUT_MS: '1500',
      LLM_MAX_RETRIES: '1',
      LLM_TOTAL_BUDGET_MS: '9000',
      LLM_TEMPERATURE: '0.3',
      CHUNK_STRATEGY: 'sentences',
      ABSTAIN_THRESHOLD: '0.2',
      MAX_CORPUS_FILE_MB: '3',
      DISCORD_TOKEN: 'MTIzNDU2.roundtrip-token',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DISCORD_GUILD_ID: '223456789012345678',
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
      QA_CHANNEL_IDS: '323456789012345678, 423456789012345678',
      THREAD_FOLLOWUPS: 'false',
      USER_COOLDOWN_SECONDS: '2.5',
      MAX_CONCURRENT_MODEL_CALLS: '3',
      STREAM_EDIT_INTERVAL_MS: '500',
      DISCORD_SHARDS: 'auto',
      INDEX_REFRESH_SECONDS: '0.5',
      STORE: 'postgres',
      DATABASE_URL: 'postgres://bot:pw@127.0.0.1:5432/research',
      PG_VECTOR_SEARCH: 'hnsw',
      LOG_LEVEL: 'debug',
    });
    const env = configToEnv(full);
    expect(Object.keys(env).sort()).toEqual(Object.keys(envSchema.shape).sort());
    expect(loadConfig(env)).toEqual(full);
    const defaults = loadConfig({});
    expect(loadConfig(configToEnv(defaults))).toEqual(defaults);
  });
});
