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

/** Text input styles: short (1) and paragraph (2). */
const TEXT_INPUT_STYLES = new Set([1, 2]);

function validateTextInput(c: any, path: Array<string | number>, inLabel: boolean, add: (p: Array<string | number>, e: any) => void): void {
  if (c?.type !== 4) {
    add([...path, 'type'], fieldError('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (4,).'));
    return;
  }
  if (strLen(c.custom_id) < 1 || strLen(c.custom_id) > 100)
    add([...path, 'custom_id'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
  if (!TEXT_INPUT_STYLES.has(c.style)) add([...path, 'style'], fieldError('BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.'));
  // In an action row the input carries its own label; inside a Label component the label is the Label's.
  if (!inLabel && strLen(c.label) < 1) add([...path, 'label'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
  if (strLen(c.label) > 45) add([...path, 'label'], maxLen(45));
  if (strLen(c.placeholder) > 100) add([...path, 'placeholder'], maxLen(100));
  if (strLen(c.value) > 4000) add([...path, 'value'], maxLen(4000));
  if (c.min_length !== undefined && !(Number.isInteger(c.min_length) && c.min_length >= 0 && c.min_length <= 4000))
    add([...path, 'min_length'], fieldError('NUMBER_TYPE_MAX', 'int value should be between 0 and 4000.'));
  if (c.max_length !== undefined && !(Number.isInteger(c.max_length) && c.max_length >= 1 && c.max_length <= 4000))
    add([...path, 'max_length'], fieldError('NUMBER_TYPE_MAX', 'int value should be between 1 and 4000.'));
}

/**
 * A MODAL callback's data (callback type 9): custom_id 1–100, title 1–45, 1–5 components, each an
 * action row holding exactly one text input (the classic form) or a Label (type 18) around one.
 */
export function validateModalData(data: any): HttpError | null {
  const errors: any = {};
  const add = (path: Array<string | number>, err: any) => setPath(errors, ['data', ...path], err);
  if (strLen(data?.custom_id) < 1 || strLen(data?.custom_id) > 100)
    add(['custom_id'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
  if (strLen(data?.title) < 1 || strLen(data?.title) > 45)
    add(['title'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.'));
  const components: any[] = Array.isArray(data?.components) ? data.components : [];
  if (components.length < 1 || components.length > 5)
    add(['components'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.'));
  const ids = new Set<string>();
  components.forEach((row, i) => {
    let input: any;
    let inputPath: Array<string | number> = [];
    if (row?.type === 1) {
      const children: any[] = Array.isArray(row.components) ? row.components : [];
      if (children.length !== 1)
        add(['components', i, 'components'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 1 in length.'));
      children.forEach((c, j) => validateTextInput(c, ['components', i, 'components', j], false, add));
      input = children[0];
      inputPath = ['components', i, 'components', 0];
    } else if (row?.type === 18) {
      if (strLen(row.label) < 1 || strLen(row.label) > 45)
        add(['components', i, 'label'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.'));
      if (strLen(row.description) > 100) add(['components', i, 'description'], maxLen(100));
      validateTextInput(row.component, ['components', i, 'component'], true, add);
      input = row.component;
      inputPath = ['components', i, 'component'];
    } else {
      add(['components', i, 'type'], fieldError('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 18).'));
    }
    if (typeof input?.custom_id === 'string') {
      if (ids.has(input.custom_id))
        add([...inputPath, 'custom_id'], fieldError('COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated'));
      ids.add(input.custom_id);
    }
  });
  return Object.keys(errors).length ? invalidFormBody(errors) : null;
}
