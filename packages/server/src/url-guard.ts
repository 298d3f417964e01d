import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { GatewayError, type MediaFetcher, readMediaResponse } from '@zapgate/core';

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  privateRanges.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  privateRanges.addSubnet(net, prefix, 'ipv6');

/** Checks outgoing URLs given by users: public addresses only, unless allow-listed. */
export interface UrlGuard {
  /** Throws `URL_NOT_ALLOWED`-style `GatewayError` (422) when the URL may not be fetched. */
  check(url: string): Promise<void>;
}

/**
 * A guard refusing private, loopback and link-local destinations, except hosts or CIDR ranges
 * in `allow` (`ZAPGATE_ALLOW_PRIVATE_URLS`, e.g. `10.0.0.0/8,chatwoot.internal`).
 */
export function urlGuard(allow: readonly string[] = []): UrlGuard {
  const allowedHosts = new Set<string>();
  const allowedRanges = new BlockList();
  for (const entry of allow) {
    const [net, prefix] = entry.split('/');
    const family = isIP(net ?? '');
    if (family && prefix !== undefined)
      allowedRanges.addSubnet(net!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    else if (family) allowedRanges.addAddress(net!, family === 4 ? 'ipv4' : 'ipv6');
    else allowedHosts.add(entry.toLowerCase());
  }
  const isPrivate = (address: string) => {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return privateRanges.check(mapped, 'ipv4') && !allowedRanges.check(mapped, 'ipv4');
    return privateRanges.check(address, family) && !allowedRanges.check(address, family);
  };
  return {
    async check(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new GatewayError('VALIDATION_FAILED', `"${raw}" is not a URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new GatewayError(
          'VALIDATION_FAILED',
          `Only http and https URLs are allowed, not ${url.protocol}`,
        );
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      if (allowedHosts.has(host)) return;
      const addresses = isIP(host)
        ? [host]
        : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
      if (addresses.length === 0) throw new GatewayError('MEDIA_FETCH_FAILED', `Cannot resolve ${host}`);
      if (addresses.some(isPrivate)) {
        throw new GatewayError(
          'MEDIA_FETCH_FAILED',
          `${host} is a private address; allow it with ZAPGATE_ALLOW_PRIVATE_URLS`,
          {
            statusCode: 422,
          },
        );
      }
    },
  };
}

/**
 * Fetches send media by URL through the guard, following at most 5 redirects and checking
 * each hop (so a public URL cannot redirect into the private network).
 */
export function guardedMediaFetcher(guard: UrlGuard): MediaFetcher {
  return async (url, maxBytes) => {
    let current = url;
    for (let hop = 0; hop <= 5; hop++) {
      await guard.check(current);
      let response: Response;
      try {
        response = await fetch(current, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        throw new GatewayError('MEDIA_FETCH_FAILED', `Could not fetch ${current}`, { cause: error });
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString();
        continue;
      }
      return readMediaResponse(response, current, maxBytes);
    }
    throw new GatewayError('MEDIA_FETCH_FAILED', `Too many redirects fetching ${url}`);
  };
}
