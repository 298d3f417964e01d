import net from 'node:net';
import { GatewayError, isGatewayError } from '../errors.js';
import { bareHost } from './address-policy.js';
import type { OutgoingPolicy } from './outgoing-policy.js';

/** Schemes a session proxy may use. */
export const proxyProtocols: readonly string[] = [
  'http:',
  'https:',
  'socks:',
  'socks4:',
  'socks4a:',
  'socks5:',
  'socks5h:',
];

/**
 * Checks a session's `proxyUrl` when it is set: http, https or socks only, and not a literal
 * private address or local name unless the policy allows it (names are checked again when
 * the proxy is dialled). Throws `VALIDATION_FAILED` or `URL_NOT_ALLOWED`.
 */
export function checkProxyUrl(url: string, policy: OutgoingPolicy): URL {
  return policy.checkUrl(url, { protocols: proxyProtocols, allowCredentials: true, what: 'Proxy' });
}

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The `host:port` a proxy URL dials (credentials left out, for logs and statuses). */
export function proxyEndpoint(url: URL): { host: string; port: number; label: string } {
  const host = bareHost(url.hostname);
  const port = url.port ? Number(url.port) : (defaultPorts[url.protocol] ?? 1080);
  return { host, port, label: `${url.protocol}//${url.host}` };
}

/**
 * Opens (and closes) a TCP connection to a proxy through the policy, so an unreachable or
 * refused proxy fails in `timeoutMs` with a reason instead of stalling the WhatsApp handshake.
 * Throws `URL_NOT_ALLOWED` or `PROXY_UNREACHABLE`.
 */
export async function probeProxy(proxyUrl: string, policy: OutgoingPolicy, timeoutMs: number): Promise<void> {
  const url = checkProxyUrl(proxyUrl, policy);
  const { host, port, label } = proxyEndpoint(url);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port, lookup: policy.lookup, timeout: timeoutMs });
    const fail = (reason: string, cause?: unknown) => {
      socket.destroy();
      reject(
        new GatewayError('PROXY_UNREACHABLE', `Proxy ${label} cannot be reached: ${reason}`, {
          ...(cause ? { cause } : {}),
        }),
      );
    };
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (isGatewayError(error)) {
        socket.destroy();
        reject(error);
      } else fail(error.code ?? error.message, error);
    });
  });
}
