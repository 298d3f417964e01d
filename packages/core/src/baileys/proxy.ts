import type { Agent } from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { GatewayError } from '../errors.js';

/** An agent for a session's proxy: `http://`, `https://`, `socks://`, `socks4://`, `socks5://`. */
export function proxyAgentFor(url: string): Agent {
  const protocol = new URL(url).protocol;
  if (protocol === 'http:' || protocol === 'https:') return new HttpsProxyAgent(url) as unknown as Agent;
  if (protocol.startsWith('socks')) return new SocksProxyAgent(url) as unknown as Agent;
  throw new GatewayError('VALIDATION_FAILED', `Unsupported proxy protocol ${protocol}`);
}
