/**
 * In-process fake of the OpenAI HTTP API (embeddings, chat completions, models) for tests.
 * The real `openai` SDK talks to it over real sockets, so retries, timeouts and stream
 * parsing are exercised exactly as in production.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  at: number;
}

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'stall'; ms?: number }
  | { kind: 'cut'; afterChunks?: number }
  | { kind: 'malformed' }
  | { kind: 'delay'; ms: number }
  /**
   * Send the status line, headers and `afterChunks` SSE chunks (default 1; for non-streaming
   * responses: half of the body), then go silent with the socket open. The SDK's `timeout`
   * only covers the wait for response headers, so this is what a consumer's own idle timeout
   * must handle.
   */
  | { kind: 'stallBody'; afterChunks?: number }
  /**
   * Streaming only: send the first `afterChunks` content chunks (default all), then end the
   * response cleanly, with neither a finish_reason nor `data: [DONE]` (a proxy or server that
   * closed the stream early without an error).
   */
  | { kind: 'noFinish'; afterChunks?: number }
  /** Streaming only: the first `afterChunks` content chunks (default 3), then finish_reason "length" and [DONE]. */
  | { kind: 'finishLength'; afterChunks?: number }
  /**
   * Streaming only: ignore max_tokens and stream `text` (default "word ") over and over until the
   * client goes away (or `maxChars`, default 64 MB, is reached; then finish_reason "stop").
   */
  | { kind: 'runaway'; text?: string; maxChars?: number };

export type FaultRoute = 'embeddings' | 'chat' | 'any';

export type ChatResponder = (req: { messages: Array<{ role: string; content: string }>; model: string; body: any }) => string;

export interface FakeOpenAIServer {
  /** Base URL for the SDK, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  /** Every request, in arrival order, recorded before faults/auth are applied. */
  requests: RecordedRequest[];
  /** Number of POST /v1/embeddings requests so far, whatever their outcome. */
  embeddingCalls(): number;
  /** Number of POST /v1/chat/completions requests so far, whatever their outcome. */
  chatCalls(): number;
  /** Content characters written by `runaway` faults so far (what a client read, at most). */
  runawayChars(): number;
  /**
   * All inputs embedded so far, flattened, in order. Only requests that were answered with a
   * complete 200 response count, so a batch that failed and was retried is not double-counted.
   */
  embeddedInputs(): string[];
  setChatResponder(fn: ChatResponder): void;
  /** The next `times` (default 1) requests matching `route` get `fault` (FIFO across queued faults). */
  queueFault(route: FaultRoute, fault: Fault, times?: number): void;
  /** Every matching request gets `fault` until cleared with `null`. Queued faults take precedence. */
  setPersistentFault(route: FaultRoute, fault: Fault | null): void;
  /** Drops queued and persistent faults. */
  clearFaults(): void;
  /** Forgets recorded requests, embedded inputs and the runaway count, drops faults and restores the initial responder. */
  reset(): void;
  /** Closes the server and destroys open sockets (stalled requests too). Idempotent. */
  close(): Promise<void>;
}

export interface StartOpenAIServerOptions {
  /** Default embedding dimension (a request's own `dimensions` wins). Default 384. */
  dimensions?: number;
  /** If set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  chatResponder?: ChatResponder;
  /** Pause between SSE chunks. Default 0. */
  streamChunkDelayMs?: number;
  /** Model listed by GET /v1/models. Responses echo the requested model. Default 'fake-model'. */
  model?: string;
}

export const DEFAULT_CHAT_ANSWER = 'Stub answer based on the sources [1].';
const defaultResponder: ChatResponder = () => DEFAULT_CHAT_ANSWER;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(text: string, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** Lowercase word tokens (Unicode letters/digits). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Deterministic, L2-normalised bag-of-words embedding: unigrams and (half-weighted) bigrams are
 * feature-hashed with FNV-1a into signed buckets. Texts sharing words get a higher cosine, which
 * is a crude but real similarity signal. Values are rounded to float32 so the SDK's base64 path
 * decodes to exactly the same numbers as the float path. Texts without any word token map to
 * a fixed unit vector (e_0).
 */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  if (!Number.isInteger(dimensions) || dimensions <= 0) {
    throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
  }
  const vec = new Float64Array(dimensions);
  const tokens = tokenize(text);
  const add = (feature: string, weight: number): void => {
    const bucket = fnv1a(feature) % dimensions;
    // A second, independently seeded hash picks the sign so that colliding features tend to cancel
    // rather than accumulate.
    const sign = fnv1a(feature, 0x9e3779b9) & 1 ? 1 : -1;
    vec[bucket] += sign * weight;
  };
  for (let i = 0; i < tokens.length; i++) {
    add(`w:${tokens[i]}`, 1);
    if (i > 0) add(`b:${tokens[i - 1]} ${tokens[i]}`, 0.5);
  }
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += vec[i] * vec[i];
  norm = Math.sqrt(norm);
  const out = new Array<number>(dimensions);
  if (norm === 0) {
    out.fill(0);
    out[0] = 1;
    return out;
  }
  for (let i = 0; i < dimensions; i++) out[i] = Math.fround(vec[i] / norm);
  return out;
}

function float32Base64(vec: number[]): string {
  const buf = Buffer.alloc(vec.length * 4);
  for (let i = 0; i < vec.length; i++) buf.writeFloatLE(vec[i], i * 4);
  return buf.toString('base64');
}

function errorBody(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

function defaultStatusBody(status: number) {
  if (status === 401) return errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
  if (status === 403) return errorBody('Forbidden.', 'invalid_request_error', 'forbidden');
  if (status === 404) return errorBody('Not found.', 'invalid_request_error', 'not_found');
  if (status === 429) {
    return errorBody('Rate limit reached. Please try again later.', 'requests', 'rate_limit_exceeded');
  }
  if (status >= 500) return errorBody('The server had an error while processing your request.', 'server_error');
  return errorBody(`Fake fault with status ${status}.`, 'invalid_request_error');
}

/** Chat message content may be a string or an array of content parts; responders get plain text. */
function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** Splits text into pieces of ~`wordsPerPiece` words whose concatenation is exactly `text`. */
function splitIntoWordGroups(text: string, wordsPerPiece = 2): string[] {
  if (text === '') return [];
  const words = text.split(/(?<=\s)(?=\S)/);
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerPiece) pieces.push(words.slice(i, i + wordsPerPiece).join(''));
  return pieces;
}

type Reply =
  | { type: 'json'; status: number; body: unknown; headers?: Record<string, string>; onDelivered?: () => void }
  | { type: 'sse'; chunks: unknown[] };

type RouteName = 'embeddings' | 'chat' | 'models' | 'model' | 'unknown';

interface QueuedFault {
  route: FaultRoute;
  fault: Fault;
  remaining: number;
}

export async function startOpenAIServer(opts: StartOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const defaultDimensions = opts.dimensions ?? 384;
  const listedModel = opts.model ?? 'fake-model';
  const chunkDelayMs = opts.streamChunkDelayMs ?? 0;
  const initialResponder = opts.chatResponder ?? defaultResponder;

  let responder = initialResponder;
  const requests: RecordedRequest[] = [];
  const embedded: string[] = [];
  let queued: QueuedFault[] = [];
  const persistent = new Map<FaultRoute, Fault>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let idCounter = 0;
  let runawayChars = 0;

  const later = (ms: number, fn: () => void): void => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  const takeFault = (route: RouteName): Fault | undefined => {
    const matches = (r: FaultRoute) => r === 'any' || r === route;
    const idx = queued.findIndex((q) => matches(q.route));
    if (idx >= 0) {
      const q = queued[idx];
      if (--q.remaining <= 0) queued.splice(idx, 1);
      return q.fault;
    }
    if (route === 'embeddings' || route === 'chat') {
      const specific = persistent.get(route);
      if (specific) return specific;
    }
    return persistent.get('any');
  };

  const routeOf = (method: string, path: string): RouteName => {
    const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
    if (method === 'POST' && p === '/v1/embeddings') return 'embeddings';
    if (method === 'POST' && p === '/v1/chat/completions') return 'chat';
    if (method === 'GET' && p === '/v1/models') return 'models';
    if (method === 'GET' && p.startsWith('/v1/models/')) return 'model';
    return 'unknown';
  };

  const jsonReply = (status: number, body: unknown, onDelivered?: () => void): Reply => ({
    type: 'json',
    status,
    body,
    onDelivered,
  });

  const handleEmbeddings = (body: any): Reply => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return jsonReply(400, errorBody('Request body must be a JSON object.', 'invalid_request_error'));
    }
    const input = body.input;
    let inputs: string[];
    const isTokenArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
    if (typeof input === 'string') {
      inputs = [input];
    } else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string')) {
      inputs = input;
    } else if (isTokenArray(input) && input.length > 0) {
      inputs = [input.map((t) => `t${t}`).join(' ')];
    } else if (Array.isArray(input) && input.length > 0 && input.every(isTokenArray)) {
      inputs = input.map((toks) => toks.map((t) => `t${t}`).join(' '));
    } else {
      return jsonReply(
        400,
        errorBody(
          input === undefined || input === null
            ? "Missing required parameter: 'input'."
            : "'$.input' is invalid. It must be a non-empty string or a non-empty array of strings or token arrays.",
          'invalid_request_error',
          null,
          'input',
        ),
      );
    }
    let dims = defaultDimensions;
    if (body.dimensions !== undefined) {
      if (!Number.isInteger(body.dimensions) || body.dimensions <= 0) {
        return jsonReply(400, errorBody("'dimensions' must be a positive integer.", 'invalid_request_error', null, 'dimensions'));
      }
      dims = body.dimensions;
    }
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      return jsonReply(400, errorBody("'encoding_format' must be 'float' or 'base64'.", 'invalid_request_error', null, 'encoding_format'));
    }
    const data = inputs.map((text, index) => {
      const vec = deterministicEmbedding(text, dims);
      return { object: 'embedding', index, embedding: format === 'base64' ? float32Base64(vec) : vec };
    });
    const promptTokens = inputs.reduce((n, t) => n + tokenize(t).length, 0);
    return jsonReply(
      200,
      {
        object: 'list',
        data,
        model: typeof body.model === 'string' ? body.model : listedModel,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      () => embedded.push(...inputs),
    );
  };

  const handleChat = (body: any): Reply => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return jsonReply(400, errorBody('Request body must be a JSON object.', 'invalid_request_error'));
    }
    if (typeof body.model !== 'string' || body.model === '') {
      return jsonReply(400, errorBody('You must provide a model parameter.', 'invalid_request_error', null, 'model'));
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return jsonReply(400, errorBody("'messages' must be a non-empty array.", 'invalid_request_error', null, 'messages'));
    }
    const messages = body.messages.map((m: any) => ({
      role: typeof m?.role === 'string' ? m.role : '',
      content: contentToText(m?.content),
    }));
    let text: string;
    try {
      text = String(responder({ messages, model: body.model, body }));
    } catch (err) {
      return jsonReply(500, errorBody(`Chat responder threw: ${(err as Error)?.message ?? String(err)}`, 'server_error'));
    }
    const id = `chatcmpl-fake${++idCounter}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = messages.reduce((n: number, m: { content: string }) => n + tokenize(m.content).length, 0);
    const completionTokens = tokenize(text).length;
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    if (body.stream === true) {
      const base = { id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_fake' };
      const chunk = (delta: object, finish: string | null) => ({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
      const chunks: unknown[] = [chunk({ role: 'assistant', content: '' }, null)];
      for (const piece of splitIntoWordGroups(text)) chunks.push(chunk({ content: piece }, null));
      chunks.push(chunk({}, 'stop'));
      if (body.stream_options?.include_usage === true) chunks.push({ ...base, choices: [], usage });
      return { type: 'sse', chunks };
    }
    return jsonReply(200, {
      id,
      object: 'chat.completion',
      created,
      model: body.model,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
    });
  };

  const modelObject = (id: string) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake-openai' });

  const buildReply = (route: RouteName, method: string, path: string, body: any): Reply => {
    switch (route) {
      case 'embeddings':
        return handleEmbeddings(body);
      case 'chat':
        return handleChat(body);
      case 'models':
        return jsonReply(200, { object: 'list', data: [modelObject(listedModel)] });
      case 'model': {
        const id = decodeURIComponent(path.slice('/v1/models/'.length).replace(/\/+$/, ''));
        return id === listedModel
          ? jsonReply(200, modelObject(id))
          : jsonReply(404, errorBody(`The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'));
      }
      default:
        return jsonReply(404, errorBody(`Unknown route: ${method} ${path}`, 'invalid_request_error', 'not_found'));
    }
  };

  const writeJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-request-id': `req_fake${idCounter}`,
      ...headers,
    });
    res.end(text);
  };

  const sseEvent = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

  const writeSseHead = (res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_fake${idCounter}`,
    });
    res.flushHeaders();
  };

  /** Writes SSE chunks one by one (spaced by the chunk delay); calls `then` after the last one. */
  const writeSseChunks = (res: ServerResponse, chunks: string[], then: () => void) => {
    let i = 0;
    const next = (): void => {
      if (closed || res.destroyed) return;
      if (i >= chunks.length) {
        then();
        return;
      }
      res.write(chunks[i++]);
      if (chunkDelayMs > 0) later(chunkDelayMs, next);
      else setImmediate(next);
    };
    next();
  };

  /**
   * Destroying right after writing races with the client: if the reset arrives before undici has
   * parsed the headers, the SDK sees a connection error (and retries) instead of a body cut, and
   * undici drops body bytes it has not yet handed to the reader. A short grace period makes the
   * cut land after the headers and the chunks that were sent.
   */
  const CUT_GRACE_MS = 30;
  const cutSocket = (res: ServerResponse) => later(CUT_GRACE_MS, () => res.socket?.destroy());

  const sendNormal = (res: ServerResponse, reply: Reply) => {
    if (closed || res.destroyed) return;
    if (reply.type === 'json') {
      writeJson(res, reply.status, reply.body, reply.headers);
      reply.onDelivered?.();
      return;
    }
    writeSseHead(res);
    writeSseChunks(res, [...reply.chunks.map(sseEvent), 'data: [DONE]\n\n'], () => res.end());
  };

  const sendWithFault = (res: ServerResponse, fault: Fault, reply: () => Reply) => {
    switch (fault.kind) {
      case 'status':
        writeJson(res, fault.status, fault.body === undefined ? defaultStatusBody(fault.status) : fault.body, fault.headers);
        return;
      case 'stall':
        if (fault.ms !== undefined) later(fault.ms, () => sendNormal(res, reply()));
        return;
      case 'delay':
        later(fault.ms, () => sendNormal(res, reply()));
        return;
      case 'malformed': {
        const r = reply();
        if (r.type === 'sse') {
          writeSseHead(res);
          res.end('data: {"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"delta":\n\ndata: [DONE]\n\n');
        } else {
          writeJson(res, 200, '{"object":"list","data":[{"object":"embedding",,,garbage');
        }
        return;
      }
      case 'noFinish':
      case 'finishLength':
      case 'runaway': {
        const r = reply();
        if (r.type !== 'sse') return sendNormal(res, r);
        const chunks = r.chunks as Array<{ choices?: Array<{ delta?: { content?: string }; finish_reason: string | null }> }>;
        const content = chunks.filter((c) => c.choices?.[0]?.delta?.content);
        const template = chunks[0];
        const withChoice = (choice: object) => ({ ...template, choices: [{ index: 0, logprobs: null, ...choice }] });
        writeSseHead(res);
        if (fault.kind === 'noFinish') {
          const n = fault.afterChunks ?? content.length;
          writeSseChunks(res, [template, ...content.slice(0, n)].map(sseEvent), () => res.end());
        } else if (fault.kind === 'finishLength') {
          const n = fault.afterChunks ?? 3;
          const tail = [withChoice({ delta: {}, finish_reason: 'length' })].map(sseEvent);
          writeSseChunks(res, [...[template, ...content.slice(0, n)].map(sseEvent), ...tail, 'data: [DONE]\n\n'], () => res.end());
        } else {
          const piece = fault.text ?? 'word ';
          const max = fault.maxChars ?? 64 * 1024 * 1024;
          const event = sseEvent(withChoice({ delta: { content: piece }, finish_reason: null }));
          let sent = 0;
          res.write(sseEvent(template));
          // Bounded by maxChars; stops as soon as the client closes the connection.
          const pump = (): void => {
            if (closed || res.destroyed || res.writableEnded) return;
            while (sent < max) {
              sent += piece.length;
              runawayChars += piece.length;
              if (!res.write(event)) {
                res.once('drain', pump);
                return;
              }
            }
            res.end(`${sseEvent(withChoice({ delta: {}, finish_reason: 'stop' }))}data: [DONE]\n\n`);
          };
          res.on('close', () => res.off('drain', pump));
          setImmediate(pump);
        }
        return;
      }
      case 'cut':
      case 'stallBody': {
        const r = reply();
        const stop = () => (fault.kind === 'cut' ? cutSocket(res) : undefined);
        if (r.type === 'sse') {
          writeSseHead(res);
          const n = Math.max(0, fault.afterChunks ?? 1);
          writeSseChunks(res, r.chunks.slice(0, n).map(sseEvent), stop);
        } else {
          const text = JSON.stringify(r.body);
          res.writeHead(r.status, {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(text)),
          });
          res.write(text.slice(0, Math.floor(text.length / 2)));
          stop();
        }
        return;
      }
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let body: any;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badJson = true;
      }
    }
    requests.push({ method, path, headers: { ...req.headers }, body, at: Date.now() });
    idCounter++;

    const route = routeOf(method, path);
    const fault = takeFault(route);
    const reply = (): Reply =>
      badJson
        ? jsonReply(400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error'))
        : buildReply(route, method, path, body);
    if (fault) return sendWithFault(res, fault, reply);

    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return writeJson(
        res,
        401,
        errorBody(
          req.headers.authorization
            ? 'Incorrect API key provided.'
            : "You didn't provide an API key. Provide it in an Authorization header (Bearer auth).",
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    }
    sendNormal(res, reply());
  };

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(parts).toString('utf8')));
    req.on('error', () => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Stray client-side resets (e.g. after a timeout) must not crash the test process.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    embeddingCalls: () => requests.filter((r) => routeOf(r.method, r.path) === 'embeddings').length,
    chatCalls: () => requests.filter((r) => routeOf(r.method, r.path) === 'chat').length,
    runawayChars: () => runawayChars,
    embeddedInputs: () => [...embedded],
    setChatResponder(fn) {
      responder = fn;
    },
    queueFault(route, fault, times = 1) {
      if (times > 0) queued.push({ route, fault, remaining: times });
    },
    setPersistentFault(route, fault) {
      if (fault) persistent.set(route, fault);
      else persistent.delete(route);
    },
    clearFaults() {
      queued = [];
      persistent.clear();
    },
    reset() {
      requests.length = 0;
      runawayChars = 0;
      embedded.length = 0;
      queued = [];
      persistent.clear();
      responder = initialResponder;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
