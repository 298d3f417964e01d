import http from 'node:http';
import https from 'node:https';
import type { OutgoingPolicy } from '@zapgate/core';

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

/**
 * An HTTP client whose every connection goes through the outgoing-address policy (core's
 * guarded agents): the address is checked after DNS resolution, at connect time, so a name
 * that resolves (or re-resolves, DNS rebinding) to a loopback, private, link-local or
 * metadata address is refused unless allowed. Redirects are not followed.
 */
export function createHttpClient(policy: OutgoingPolicy): HttpClient {
  return {
    post(request) {
      const url = new URL(request.url);
      const secure = url.protocol === 'https:';
      const send = secure ? https.request : http.request;
      return new Promise<HttpResult>((resolve, reject) => {
        const signal = request.signal
          ? AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)])
          : AbortSignal.timeout(request.timeoutMs);
        const req = send(
          url,
          {
            method: 'POST',
            agent: secure ? policy.httpsAgent : policy.httpAgent,
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(request.body)),
            },
            signal,
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
      void policy.close();
    },
  };
}
