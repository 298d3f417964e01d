import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { encSha256Token } from './media-crypto.js';

/** One stored media blob (always the encrypted form). */
export interface StoredMedia {
  id: string;
  data: Buffer;
  /** Upload path type segment (`/mms/image` …) or `inbound`. */
  path: string;
  directPath: string;
}

/**
 * Media host: an HTTPS server with a throwaway certificate (uploads from devices, and
 * downloads by `directPath`) and a plain HTTP server for inbound media `url`s.
 */
export class MediaServer {
  private readonly blobs = new Map<string, StoredMedia>();
  private readonly byDirectPath = new Map<string, StoredMedia>();
  private httpsServer: https.Server | undefined;
  private httpServer: http.Server | undefined;
  /** PEM certificate of the HTTPS server (trust it as a CA). */
  certificate = '';
  /** Called after every accepted upload. */
  onUpload: ((media: StoredMedia, url: string) => void) | undefined;

  /** Starts both servers on 127.0.0.1 with ephemeral ports. */
  async start(host = '127.0.0.1'): Promise<void> {
    const pems = await generate([{ name: 'commonName', value: host }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: host },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    });
    this.certificate = pems.cert;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.httpsServer = https.createServer({ key: pems.private, cert: pems.cert }, handler);
    this.httpServer = http.createServer(handler);
    await Promise.all([listen(this.httpsServer, host), listen(this.httpServer, host)]);
  }

  /** `host:port` of the HTTPS server, as given to clients in `media_conn`. */
  get httpsHost(): string {
    return `127.0.0.1:${portOf(this.httpsServer)}`;
  }

  /** Base URL of the plain HTTP server. */
  get httpBase(): string {
    return `http://127.0.0.1:${portOf(this.httpServer)}`;
  }

  /** Stores an encrypted blob a simulated contact sends; returns its public `url`. */
  storeInbound(data: Buffer): string {
    const id = randomBytes(12).toString('hex');
    const media = { id, data, path: 'inbound', directPath: `/m/${id}` };
    this.blobs.set(id, media);
    this.byDirectPath.set(media.directPath, media);
    return `${this.httpBase}/m/${id}`;
  }

  /** The encrypted blob behind a `url` or `directPath` a device sent. */
  find(urlOrPath: string): StoredMedia | undefined {
    const path = urlOrPath.startsWith('http') ? new URL(urlOrPath).pathname : urlOrPath.split('?')[0]!;
    return this.byDirectPath.get(path);
  }

  /** Stops both servers. */
  async close(): Promise<void> {
    await Promise.all([this.httpsServer, this.httpServer].map((server) => closeServer(server)));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      if (req.method === 'POST' && url.pathname.startsWith('/mms/'))
        return this.upload(url, Buffer.concat(chunks), res);
      if (req.method === 'GET') {
        const media = this.byDirectPath.get(url.pathname);
        if (media) {
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': media.data.length,
          });
          res.end(media.data);
          return;
        }
      }
      res.writeHead(404).end();
    });
  }

  private upload(url: URL, body: Buffer, res: http.ServerResponse): void {
    const segments = url.pathname.split('/');
    const token = segments.pop() ?? '';
    if (url.searchParams.get('auth') !== 'sim-auth' || encSha256Token(body) !== token) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'hash mismatch' }));
      return;
    }
    const id = randomBytes(12).toString('hex');
    const media: StoredMedia = { id, data: body, path: segments.join('/'), directPath: `/v/t62/${id}` };
    this.blobs.set(id, media);
    this.byDirectPath.set(media.directPath, media);
    const publicUrl = `https://${this.httpsHost}${media.directPath}`;
    this.onUpload?.(media, publicUrl);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: publicUrl, direct_path: media.directPath }));
  }
}

const listen = (server: http.Server, host: string) =>
  new Promise<void>((resolve) => server.listen(0, host, () => resolve()));

const closeServer = (server: http.Server | undefined) =>
  new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

const portOf = (server: http.Server | undefined): number => {
  const address = server?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error('media server is not listening');
  return address.port;
};
