import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedMediaFetcher } from '../src/gateway/media.js';
import { outgoingPolicy } from '../src/net/outgoing-policy.js';
import { probeProxy } from '../src/net/proxy.js';

/** Resolves `*.rebind.test` to loopback, the way a hostile DNS server would. */
const rebindingLookup: LookupFunction = (hostname, options, callback) => {
  if (!hostname.endsWith('.rebind.test')) return dns.lookup(hostname, options, callback);
  const address = '127.0.0.1';
  if (options.all)
    (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]);
  else callback(null, address, 4);
};

// A real HTTP server on loopback: /file answers 1 KiB, /hop redirects to /file by literal
// address, /cut announces 10 KiB and resets after 1 KiB.
let server: http.Server;
let port: number;
const requests: string[] = [];
const file = Buffer.alloc(1024, 7);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/file') return res.writeHead(200, { 'content-type': 'image/png' }).end(file);
    if (req.url === '/hop') return res.writeHead(302, { location: `http://127.0.0.1:${port}/file` }).end();
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '10240' });
      res.write(file);
      setImmediate(() => req.socket.destroy());
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

describe('outgoing-address policy: URLs given by users', () => {
  const strict = outgoingPolicy({ allowHint: 'ZAPGATE_ALLOW_PRIVATE_URLS' });

  it.each([
    'http://127.0.0.1/x',
    'http://10.1.2.3/x',
    'http://172.16.0.1/x',
    'http://192.168.1.1/x',
    'http://100.64.0.1/x',
    'http://0.0.0.0/x',
    'http://169.254.169.254/latest',
    'http://[::1]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://[fd00::1]/x',
    'http://localhost/x',
    'http://metadata.google.internal/x',
  ])('refuses %s, naming the setting that allows it', (url) => {
    expect(() => strict.checkUrl(url)).toThrow(
      expect.objectContaining({
        code: 'URL_NOT_ALLOWED',
        statusCode: 400,
        message: expect.stringContaining('ZAPGATE_ALLOW_PRIVATE_URLS'),
      }),
    );
  });

  it('accepts public addresses and names, and refuses other schemes and credentials', () => {
    expect(strict.checkUrl('https://93.184.216.34/a').hostname).toBe('93.184.216.34');
    expect(strict.checkUrl('https://example.com/a').hostname).toBe('example.com');
    expect(() => strict.checkUrl('file:///etc/passwd')).toThrow(
      expect.objectContaining({ code: 'URL_NOT_ALLOWED' }),
    );
    expect(() => strict.checkUrl('ftp://example.com/x')).toThrow(
      expect.objectContaining({ code: 'URL_NOT_ALLOWED' }),
    );
    expect(() => strict.checkUrl('http://u:p@example.com/')).toThrow(/credentials/);
    expect(() => strict.checkUrl('not a url')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('allows hosts, addresses and ranges listed in allow, and more through extend()', () => {
    const policy = outgoingPolicy({ allow: ['10.0.0.0/8', '192.168.1.5', 'chatwoot.internal'] });
    expect(policy.checkUrl('http://10.9.9.9/').hostname).toBe('10.9.9.9');
    expect(policy.checkUrl('http://192.168.1.5/').hostname).toBe('192.168.1.5');
    expect(() => policy.checkUrl('http://192.168.1.6/')).toThrow(/private/);
    expect(policy.checkUrl('http://chatwoot.internal/').hostname).toBe('chatwoot.internal');
    const wider = policy.extend({ allow: ['127.0.0.1'] });
    expect(wider.checkUrl('http://127.0.0.1/').hostname).toBe('127.0.0.1');
    expect(wider.allow).toEqual(['10.0.0.0/8', '192.168.1.5', 'chatwoot.internal', '127.0.0.1']);
    expect(() => policy.checkUrl('http://127.0.0.1/')).toThrow(/private/);
  });
});

describe('outgoing-address policy: checked at connect time', () => {
  it('refuses a name that resolves to loopback (DNS rebinding) in fetch and in the node agents', async () => {
    const policy = outgoingPolicy({ lookup: rebindingLookup });
    const before = requests.length;
    await expect(policy.fetch(`http://evil.rebind.test:${port}/file`)).rejects.toMatchObject({
      code: 'URL_NOT_ALLOWED',
    });
    const viaAgent = new Promise((resolve, reject) =>
      http
        .get(`http://evil.rebind.test:${port}/file`, { agent: policy.httpAgent }, resolve)
        .on('error', reject),
    );
    await expect(viaAgent).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
    const literal = new Promise((resolve, reject) =>
      http.get(`http://127.0.0.1:${port}/file`, { agent: policy.httpAgent }, resolve).on('error', reject),
    );
    await expect(literal).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
    expect(requests.length).toBe(before);
    await policy.close();
  });

  it('checks every redirect hop: an allowed name cannot redirect to a refused address', async () => {
    const policy = outgoingPolicy({ allow: ['files.rebind.test'], lookup: rebindingLookup });
    const response = await policy.fetch(`http://files.rebind.test:${port}/file`);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(file);
    await expect(policy.fetch(`http://files.rebind.test:${port}/hop`)).rejects.toMatchObject({
      code: 'URL_NOT_ALLOWED',
    });
    await policy.close();
  });

  it('fetches media from an allowed range, and a body cut short is MEDIA_FETCH_FAILED, not a crash', async () => {
    const policy = outgoingPolicy({ allow: ['127.0.0.0/8'] });
    const fetchMedia = guardedMediaFetcher(policy);
    expect(await fetchMedia(`http://127.0.0.1:${port}/file`, 4096)).toEqual({
      data: file,
      mimeType: 'image/png',
    });
    expect((await fetchMedia(`http://127.0.0.1:${port}/hop`, 4096)).data).toEqual(file);
    await expect(fetchMedia(`http://127.0.0.1:${port}/cut`, 1 << 20)).rejects.toMatchObject({
      code: 'MEDIA_FETCH_FAILED',
      statusCode: 422,
      message: expect.stringContaining('ended early'),
    });
    await expect(fetchMedia(`http://127.0.0.1:${port}/file`, 100)).rejects.toMatchObject({
      code: 'MEDIA_TOO_LARGE',
    });
    await expect(fetchMedia(`http://127.0.0.1:${port}/missing`, 4096)).rejects.toMatchObject({
      code: 'MEDIA_FETCH_FAILED',
    });
    await policy.close();
  });
});

describe('session proxies through the policy', () => {
  it('refuses a private proxy unless allowed, and fails fast on one that does not answer', async () => {
    const strict = outgoingPolicy();
    await expect(probeProxy(`http://127.0.0.1:${port}`, strict, 2000)).rejects.toMatchObject({
      code: 'URL_NOT_ALLOWED',
    });
    await expect(probeProxy('ftp://proxy.example.com', strict, 2000)).rejects.toMatchObject({
      code: 'URL_NOT_ALLOWED',
    });
    const allowed = outgoingPolicy({ allow: ['127.0.0.1'] });
    await expect(probeProxy(`socks5://127.0.0.1:${port}`, allowed, 2000)).resolves.toBeUndefined();
    // a port nobody listens on: refused at once, with the reason
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(probeProxy(`http://u:p@127.0.0.1:${closedPort}`, allowed, 2000)).rejects.toMatchObject({
      code: 'PROXY_UNREACHABLE',
      message: `Proxy http://127.0.0.1:${closedPort} cannot be reached: ECONNREFUSED`,
    });
  });
});
