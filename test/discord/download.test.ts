/** Attachment downloads for /add-papers: only Discord's hosts, no redirects, bounded size and time. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadAttachment, downloadRefusal } from '../../src/discord/download.js';

let server: Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/big') {
      // Endless: the reader must stop on its own.
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent >= 64) res.end();
        else res.once('drain', pump);
      };
      pump();
    } else if (req.url === '/slow') {
      res.writeHead(200);
      res.write('{"title":');
      // Never finishes; the client must give up.
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else if (req.url === '/missing') {
      res.writeHead(404);
      res.end();
    } else res.end('ok bytes');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('downloadAttachment', () => {
  it('allows Discord CDN hosts over https and the configured API host only', () => {
    const api = 'http://127.0.0.1:4000/api';
    expect(downloadRefusal('https://cdn.discordapp.com/ephemeral-attachments/1/2/a.txt', api)).toBeUndefined();
    expect(downloadRefusal('https://media.discordapp.net/attachments/1/2/a.txt', undefined)).toBeUndefined();
    expect(downloadRefusal('http://127.0.0.1:4000/attachments/1/a.txt', api)).toBeUndefined();
    for (const url of [
      'http://cdn.discordapp.com/attachments/1/a.txt',
      'https://cdn.discordapp.com.evil.example/a.txt',
      'https://cdn.discordapp.com:8443/a.txt',
      'http://127.0.0.1:4001/attachments/1/a.txt',
      'http://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(downloadRefusal(url, api), url).toBeDefined();
  });

  it('reads the bytes; stops one byte past the limit; refuses a declared oversize file, redirects, errors and a stalled server', async () => {
    const opts = { apiUrl: `${base}/api`, maxBytes: 100_000, timeoutMs: 500 };
    expect(Buffer.from((await downloadAttachment({ name: 'a.txt', url: `${base}/ok` }, opts)).bytes).toString()).toBe('ok bytes');
    const big = await downloadAttachment({ name: 'b.txt', url: `${base}/big`, size: 10 }, opts);
    expect(big.problem).toBe('file too large (over the 0.1 MB limit)');
    hits.length = 0;
    expect((await downloadAttachment({ name: 'c.txt', url: `${base}/ok`, size: 100_001 }, opts)).problem).toMatch(/too large/);
    expect(hits).toEqual([]);
    expect((await downloadAttachment({ name: 'd.txt', url: `${base}/redirect` }, opts)).problem).toMatch(/^could not download it/);
    expect((await downloadAttachment({ name: 'e.txt', url: `${base}/missing` }, opts)).problem).toBe('could not download it (HTTP 404)');
    const started = Date.now();
    expect((await downloadAttachment({ name: 'f.txt', url: `${base}/slow` }, opts)).problem).toBe('could not download it in time');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
