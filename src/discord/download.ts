/**
 * Downloading a file attached to a slash command. The URL comes from Discord's resolved interaction
 * data, but it is still only fetched from Discord's CDN hosts or the configured Discord API host
 * (the test server), without following redirects, and with bounded size and time: a forged or
 * changed URL cannot make the bot fetch anything else, or hang, or fill memory.
 */
import { ADD_MAX_FILE_BYTES, type IncomingFile, tooLargeReason } from '../corpus/add-papers.js';

export const DISCORD_CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];
export const DOWNLOAD_TIMEOUT_MS = 20_000;

export interface AttachmentRef {
  name: string;
  url: string;
  /** The size Discord reports; a file declared too large is not downloaded at all. */
  size?: number;
}

/** Why the bot will not fetch `url`, or undefined when it may. */
export function downloadRefusal(url: string, apiUrl: string | undefined): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'the attachment has no valid URL';
  }
  if (u.protocol === 'https:' && DISCORD_CDN_HOSTS.includes(u.hostname) && (u.port === '' || u.port === '443')) return undefined;
  if (apiUrl) {
    const api = new URL(apiUrl);
    if (u.protocol === api.protocol && u.host === api.host) return undefined;
  }
  return 'the attachment is not on Discord’s CDN';
}

/** The attachment's bytes (at most `maxBytes + 1`, so an oversized file is recognised), or the problem. */
export async function downloadAttachment(
  ref: AttachmentRef,
  opts: { apiUrl?: string; maxBytes?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<IncomingFile> {
  const maxBytes = opts.maxBytes ?? ADD_MAX_FILE_BYTES;
  const failed = (problem: string): IncomingFile => ({ name: ref.name, bytes: new Uint8Array(0), problem });
  const refusal = downloadRefusal(ref.url, opts.apiUrl);
  if (refusal) return failed(refusal);
  if (ref.size !== undefined && ref.size > maxBytes) return failed(tooLargeReason(maxBytes));
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    const res = await fetch(ref.url, { redirect: 'error', signal });
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      return failed(`could not download it (HTTP ${res.status})`);
    }
    const chunks: Uint8Array[] = [];
    let got = 0;
    const reader = res.body.getReader();
    while (got <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
    }
    if (got > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return failed(tooLargeReason(maxBytes));
    }
    return { name: ref.name, bytes: Buffer.concat(chunks, got) };
  } catch (err) {
    return failed(timeout.aborted ? 'could not download it in time' : `could not download it (${(err as Error).name})`);
  }
}
