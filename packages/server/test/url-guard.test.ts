import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedMediaFetcher, urlGuard } from '../src/url-guard.js';

// A real HTTP server on loopback: /file answers 1 KiB, /big 10 KiB, /hop redirects to /file.
let server: Server;
let base: string;
const file = Buffer.alloc(1024, 7);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/file') return res.writeHead(200, { 'content-type': 'image/png' }).end(file);
    if (req.url === '/big') return res.writeHead(200).end(Buffer.alloc(10 * 1024));
    if (req.url === '/hop') return res.writeHead(302, { location: '/file' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('media URLs given by API callers', () => {
  it.each([
    'http://127.0.0.1/x',
    'http://10.1.2.3/x',
    'http://169.254.169.254/latest',
    'http://[::1]/x',
    'http://localhost/x',
  ])('refuses %s by default (private, loopback, link-local or metadata)', async (url) => {
    await expect(urlGuard().check(url)).rejects.toMatchObject({
      code: 'MEDIA_FETCH_FAILED',
      statusCode: 422,
    });
  });

  it('refuses schemes other than http(s)', async () => {
    await expect(urlGuard().check('file:///etc/passwd')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('fetches from an allowed private range, follows redirects, and keeps the content type', async () => {
    const fetchMedia = guardedMediaFetcher(urlGuard(['127.0.0.0/8']));
    expect(await fetchMedia(`${base}/file`, 4096)).toEqual({ data: file, mimeType: 'image/png' });
    expect((await fetchMedia(`${base}/hop`, 4096)).data).toEqual(file);
  });

  it('cuts off media larger than the limit', async () => {
    const fetchMedia = guardedMediaFetcher(urlGuard(['127.0.0.1']));
    await expect(fetchMedia(`${base}/big`, 4096)).rejects.toMatchObject({
      code: 'MEDIA_TOO_LARGE',
      statusCode: 413,
    });
  });

  it('answers a failed fetch with MEDIA_FETCH_FAILED', async () => {
    const fetchMedia = guardedMediaFetcher(urlGuard(['127.0.0.1']));
    await expect(fetchMedia(`${base}/missing`, 4096)).rejects.toMatchObject({ code: 'MEDIA_FETCH_FAILED' });
  });
});
