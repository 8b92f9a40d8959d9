/** Rate limits: injected faults (`failNext`: 429 with Discord's headers, or any status) and the x-ratelimit bucket headers. */
import http from 'node:http';
import type { RouteResult } from './http.js';
import type { FakeState } from './state.js';
import type { Fault } from './types.js';

export type RateLimits = ReturnType<typeof createRateLimits>;

export function createRateLimits(state: FakeState) {
  const { faults } = state;

  function bucketHash(method: string, path: string): string {
    const template = path.replace(/\d{17,19}/g, ':id').replace(/\/webhooks\/:id\/[^/]+/, '/webhooks/:id/:token');
    let h = 0;
    for (const ch of `${method}:${template}`) h = (h * 31 + ch.charCodeAt(0)) | 0;
    return `fake${(h >>> 0).toString(16)}`;
  }

  function takeFault(method: string, path: string, rawPath: string): Fault | null {
    const i = faults.findIndex(
      (f) => (!f.method || f.method.toUpperCase() === method) && (path.includes(f.pathIncludes) || rawPath.includes(f.pathIncludes)),
    );
    if (i < 0) return null;
    const f = faults[i];
    if (--f.remaining <= 0) faults.splice(i, 1);
    return f.fault;
  }

  function faultResponse(fault: Fault, method: string, path: string): RouteResult {
    if (fault.status === 429 && 'retryAfter' in fault) {
      const global = fault.global ?? fault.scope === 'global';
      const scope = global ? 'global' : (fault.scope ?? 'user');
      const headers: Record<string, string> = {
        // Exact seconds (Discord rounds the header up); lets tests use sub-second waits.
        'retry-after': String(fault.retryAfter),
        'x-ratelimit-scope': scope,
      };
      if (global) headers['x-ratelimit-global'] = 'true';
      else {
        headers['x-ratelimit-limit'] = '5';
        headers['x-ratelimit-remaining'] = '0';
        headers['x-ratelimit-reset'] = ((Date.now() + fault.retryAfter * 1000) / 1000).toFixed(3);
        headers['x-ratelimit-reset-after'] = String(fault.retryAfter);
        headers['x-ratelimit-bucket'] = bucketHash(method, path);
      }
      return { status: 429, headers, body: { message: 'You are being rate limited.', retry_after: fault.retryAfter, global } };
    }
    const body =
      'body' in fault && fault.body !== undefined
        ? fault.body
        : { message: `${fault.status}: ${http.STATUS_CODES[fault.status] ?? 'Error'}`, code: 0 };
    return { status: fault.status, body };
  }

  return { bucketHash, takeFault, faultResponse };
}
