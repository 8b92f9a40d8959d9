/**
 * Structured JSON-lines logger on stderr (stdout stays clean for `--json` output).
 * Every registered secret is masked in every line, whatever field it ends up in.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

const secrets = new Set<string>();
let secretPattern: RegExp | undefined;

/**
 * Register a secret value (token, API key, password) so it never appears in a log line, an
 * error message or model output. Every length counts: a short key is still a key.
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  // A log line is JSON, so a secret with quotes or backslashes appears there in escaped form.
  for (const form of [value, JSON.stringify(value).slice(1, -1)]) secrets.add(form);
  secretPattern = undefined;
}

/** The longest secret first, so a secret that contains another is masked whole. */
function compiledSecrets(): RegExp | undefined {
  if (!secretPattern && secrets.size) {
    const alternatives = [...secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    secretPattern = new RegExp(alternatives.join('|'), 'g');
  }
  return secretPattern;
}

// The password in any scheme://user:password@host URL (up to the last "@", in case one is not
// encoded). The user name stays: it helps to find the account and is no secret on its own; a token
// used as a user name (https://TOKEN@host) is registered from the configuration instead.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#]*@/gi;

/**
 * The one redactor: registered secrets, URL credentials, bearer and Discord bot tokens. Used for
 * log lines, error messages shown to users and model output alike. One pass, so a mask is never
 * itself masked again by a shorter secret.
 */
export function redact(text: string): string {
  const pattern = compiledSecrets();
  let out = pattern ? text.replace(pattern, '[redacted]') : text;
  out = out.replace(URL_CREDENTIALS, '$1:[redacted]@');
  // Belt and braces for values never registered: bearer tokens and Discord bot tokens.
  out = out.replace(/(Bearer|Bot)\s+[A-Za-z0-9._-]{12,}/g, '$1 [redacted]');
  return out;
}

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const anyErr = err as unknown as Record<string, unknown>;
  if (typeof anyErr.code === 'string') out.code = anyErr.code;
  if (typeof anyErr.status === 'number') out.status = anyErr.status;
  if (err.stack) out.stack = err.stack.split('\n').slice(0, 6).join('\n');
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  return out;
}

export function createLogger(opts: { level?: LogLevel; sink?: LogSink; base?: Record<string, unknown> } = {}): Logger {
  const min = LEVELS[opts.level ?? 'info'];
  const sink: LogSink = opts.sink ?? ((line) => process.stderr.write(`${line}\n`));
  const base = opts.base ?? {};
  const write = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg, ...base };
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = v instanceof Error ? serializeError(v) : v;
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record.time, level, msg, note: 'unserializable fields' });
    }
    sink(redact(line));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ level: opts.level, sink, base: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
