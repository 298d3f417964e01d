import type { Agent } from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import { checkProxyUrl } from '../net/proxy.js';

/**
 * An agent for a session's proxy (`http`, `https`, `socks`, `socks4`, `socks5`...), dialled
 * through the outgoing-address policy: a proxy on a refused address is never connected to.
 */
export function proxyAgentFor(url: string, policy: OutgoingPolicy): Agent {
  const parsed = checkProxyUrl(url, policy);
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:')
    return new HttpsProxyAgent(parsed, { lookup: policy.lookup }) as unknown as Agent;
  return new SocksProxyAgent(parsed, { socketOptions: { lookup: policy.lookup } }) as unknown as Agent;
}
