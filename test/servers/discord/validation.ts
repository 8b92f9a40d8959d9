/** Discord's error bodies and the payload limits the fake enforces (message, embed and component limits). */
import { MessageFlag } from './protocol.js';

export class HttpError {
  constructor(
    readonly status: number,
    readonly body: any,
  ) {}
}

export function apiError(status: number, code: number, message: string, errors?: any): HttpError {
  return new HttpError(status, errors ? { message, code, errors } : { message, code });
}

export const invalidFormBody = (errors: any) => apiError(400, 50035, 'Invalid Form Body', errors);
export const unknownChannel = () => apiError(404, 10003, 'Unknown Channel');
export const unknownMessage = () => apiError(404, 10008, 'Unknown Message');
export const unknownWebhook = () => apiError(404, 10015, 'Unknown Webhook');
export const unknownInteraction = () => apiError(404, 10062, 'Unknown interaction');

export function fieldError(code: string, message: string) {
  return { _errors: [{ code, message }] };
}

export function maxLen(max: number) {
  return fieldError('BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
}

export function setPath(target: any, path: Array<string | number>, value: any): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] ??= {};
  node[path[path.length - 1]] = value;
}

export function strLen(v: unknown): number {
  return typeof v === 'string' ? [...v].length : 0;
}

/** Mirrors Discord's message limits closely enough to catch payloads the real API rejects. */
export function validateMessageBody(body: any, fileCount: number, prefix: Array<string | number> = []): HttpError | null {
  const errors: any = {};
  const add = (path: Array<string | number>, err: any) => setPath(errors, [...prefix, ...path], err);
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') add(['content'], fieldError('BASE_TYPE_BAD_TYPE', 'Must be a string.'));
    else if (strLen(body.content) > 2000) add(['content'], maxLen(2000));
  }
  const embeds: any[] = Array.isArray(body.embeds) ? body.embeds : [];
  if (embeds.length > 10) add(['embeds'], maxLen(10));
  let embedTotal = 0;
  embeds.forEach((e, i) => {
    if (!e || typeof e !== 'object') return;
    const checks: Array<[Array<string | number>, unknown, number]> = [
      [['title'], e.title, 256],
      [['description'], e.description, 4096],
      [['footer', 'text'], e.footer?.text, 2048],
      [['author', 'name'], e.author?.name, 256],
    ];
    for (const [p, v, max] of checks) {
      embedTotal += strLen(v);
      if (strLen(v) > max) add(['embeds', i, ...p], maxLen(max));
    }
    const fields: any[] = Array.isArray(e.fields) ? e.fields : [];
    if (fields.length > 25) add(['embeds', i, 'fields'], maxLen(25));
    fields.forEach((f, j) => {
      embedTotal += strLen(f?.name) + strLen(f?.value);
      if (!strLen(f?.name)) add(['embeds', i, 'fields', j, 'name'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
      if (strLen(f?.name) > 256) add(['embeds', i, 'fields', j, 'name'], maxLen(256));
      if (!strLen(f?.value)) add(['embeds', i, 'fields', j, 'value'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
      if (strLen(f?.value) > 1024) add(['embeds', i, 'fields', j, 'value'], maxLen(1024));
    });
  });
  if (embedTotal > 6000) add(['embeds'], fieldError('MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000'));
  const components: any[] = Array.isArray(body.components) ? body.components : [];
  const v2 = ((body.flags ?? 0) & MessageFlag.IsComponentsV2) !== 0;
  if (!v2) {
    if (components.length > 5) add(['components'], maxLen(5));
    components.forEach((row, i) => {
      if (row?.type !== 1) {
        add(['components', i, 'type'], fieldError('UNION_TYPE_CHOICES', 'Top-level components must be action rows'));
        return;
      }
      const children: any[] = Array.isArray(row.components) ? row.components : [];
      if (children.length === 0 || children.length > 5)
        add(['components', i, 'components'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.'));
      children.forEach((c, j) => {
        if (c?.type !== 2) return;
        const isLink = c.style === 5;
        if (isLink && !c.url) add(['components', i, 'components', j, 'url'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
        if (!isLink && c.style !== 6 && !c.custom_id)
          add(['components', i, 'components', j, 'custom_id'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
        if (strLen(c.custom_id) > 100) add(['components', i, 'components', j, 'custom_id'], maxLen(100));
        if (strLen(c.label) > 80) add(['components', i, 'components', j, 'label'], maxLen(80));
      });
    });
  }
  if (Object.keys(errors).length) return invalidFormBody(errors);
  const hasContent =
    strLen(body.content) > 0 ||
    embeds.length > 0 ||
    components.length > 0 ||
    fileCount > 0 ||
    (Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0) ||
    body.poll != null;
  if (!hasContent) return apiError(400, 50006, 'Cannot send an empty message');
  return null;
}
