/** HTTP plumbing: query strings, JSON and multipart request bodies, and the shape of a REST route. */
import type http from 'node:http';
import { apiError, type HttpError } from './validation.js';

export function parseQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  return out;
}

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType: string;
  data: Buffer;
}

export async function readBody(req: http.IncomingMessage): Promise<{ body: any; files: UploadedFile[] | undefined; error?: HttpError }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = String(req.headers['content-type'] ?? '');
  if (raw.length === 0) return { body: undefined, files: undefined };
  if (type.startsWith('multipart/form-data')) {
    // undici's Response implements a spec-compliant multipart parser.
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const files: UploadedFile[] = [];
    let body: any = {};
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = { ...body, ...JSON.parse(value) };
        else body[field] = value;
      } else {
        files.push({ field, name: value.name, size: value.size, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
      }
    }
    return { body, files };
  }
  const text = raw.toString('utf8');
  if (type.startsWith('application/json')) {
    try {
      return { body: JSON.parse(text), files: undefined };
    } catch {
      return { body: text, files: undefined, error: apiError(400, 50109, 'The request body contains invalid JSON.') };
    }
  }
  return { body: text, files: undefined };
}

export interface Route {
  method: string;
  parts: string[];
  auth: boolean;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

export interface RouteContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: any;
  files: UploadedFile[];
  at: number;
}

export interface RouteResult {
  status: number;
  body?: any;
  headers?: Record<string, string>;
}
