import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { allowlistAddresses, isAllowlistedHost, type UrlPolicy } from '../url-policy.js';

/** The response of a delivery request (body cut at the size cap). */
export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** True when the body was longer than the cap. */
  truncated: boolean;
}

/** A request to send. */
export interface HttpRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Aborts the request (e.g. on shutdown). */
  signal?: AbortSignal;
}

/** Sends webhook requests; the worker's only way out to the network. */
export interface HttpClient {
  post(request: HttpRequest): Promise<HttpResult>;
  close(): void;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions extends UrlPolicy {
  /** DNS lookup used before connecting (tests resolve names to chosen addresses). @default dns.lookup */
  lookup?: LookupFunction;
}

/**
 * An HTTP client whose connections are filtered by `request-filtering-agent`: the address is
 * checked after DNS resolution, at connect time, so a name that resolves (or re-resolves,
 * DNS rebinding) to a loopback, private, link-local or metadata address is refused unless
 * the policy allows it. Redirects are not followed.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const filter = { allowIPAddressList: allowlistAddresses(options.allowlist), keepAlive: true };
  const strict = {
    http: new RequestFilteringHttpAgent({ ...filter, allowPrivateIPAddress: options.allowPrivateNetworks }),
    https: new RequestFilteringHttpsAgent({ ...filter, allowPrivateIPAddress: options.allowPrivateNetworks }),
  };
  // Hosts allowlisted by name are trusted wherever they resolve.
  const trusted = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };

  return {
    post(request) {
      const url = new URL(request.url);
      const secure = url.protocol === 'https:';
      const pool = isAllowlistedHost(url.hostname.replace(/^\[|\]$/g, ''), options.allowlist)
        ? trusted
        : strict;
      const send = secure ? https.request : http.request;
      return new Promise<HttpResult>((resolve, reject) => {
        const signal = request.signal
          ? AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)])
          : AbortSignal.timeout(request.timeoutMs);
        const req = send(
          url,
          {
            method: 'POST',
            agent: secure ? pool.https : pool.http,
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(request.body)),
            },
            signal,
            ...(options.lookup ? { lookup: options.lookup } : {}),
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            let truncated = false;
            res.on('data', (chunk: Buffer) => {
              if (truncated) return;
              const room = request.maxResponseBytes - size;
              if (chunk.length > room) {
                truncated = true;
                chunks.push(chunk.subarray(0, room));
                size += room;
                // Enough read: drop the rest and the connection.
                res.destroy();
                finish();
                return;
              }
              chunks.push(chunk);
              size += chunk.length;
            });
            let done = false;
            const finish = () => {
              if (done) return;
              done = true;
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
                truncated,
              });
            };
            res.on('end', finish);
            res.on('error', (error) => (truncated ? finish() : reject(error)));
            res.on('aborted', () => !truncated && reject(new Error('response aborted')));
          },
        );
        req.on('error', (error) =>
          reject(signal.aborted && signal.reason instanceof Error ? signal.reason : error),
        );
        req.end(request.body);
      });
    },
    close() {
      for (const agent of [strict.http, strict.https, trusted.http, trusted.https]) agent.destroy();
    },
  };
}
