import type { Agent } from 'node:https';
import type { Logger } from '../logger.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';

/** Options of {@link baileysConnector}. */
export interface BaileysConnectorOptions {
  /** WhatsApp's WebSocket URL; point it at `@zapgate/wa-sim` in tests. @default Baileys' own (web.whatsapp.com) */
  waWebSocketUrl?: string;
  /** WhatsApp Web version to announce. @default the version bundled with Baileys (never fetched) */
  version?: [number, number, number];
  /** Name shown in the phone's linked devices: [client, browser, version]. @default ['Zapgate', 'Chrome', '1.0.0'] */
  browser?: [string, string, string];
  /** Allow Baileys to fetch link previews when a send asks for one (an outbound HTTP call). @default false */
  linkPreviews?: boolean;
  /** Agent for media uploads. @default Node's default agent */
  fetchAgent?: Agent;
  /** Extra `fetch` options for media downloads (e.g. a dispatcher trusting a test CA). @default {} */
  mediaRequestOptions?: RequestInit;
  /**
   * Builds the agent for a session's `proxyUrl`, dialling through the gateway's outgoing policy.
   * @default http(s) and socks proxies via proxy-agent packages
   */
  proxyAgent?: (url: string, policy: OutgoingPolicy) => Agent;
  /** How long a session's proxy may take to accept a TCP connection before the attempt fails. @default 5000 */
  proxyConnectTimeoutMs?: number;
  /** Lifetime of the first QR code. @default 60000 */
  qrTimeoutMs?: number;
  /** Timeout of the WebSocket handshake. @default 20000 */
  connectTimeoutMs?: number;
  /** Keep-alive ping interval. @default 30000 */
  keepAliveIntervalMs?: number;
  /**
   * The in-memory cache of each session's Signal keys (in front of the store): keys held at
   * most and how long an unused one stays. Pre-keys are never held (read once, at most).
   * @default { maxKeys: 1000, ttlMs: 300000 }
   */
  signalKeyCache?: { maxKeys?: number; ttlMs?: number };
  /** Logger for Baileys' own logs (mapped one level down: Baileys' info is our debug). @default silent */
  logger?: Logger;
}
