import type http from 'node:http';
import type https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Dispatcher, fetch as undiciFetch } from 'undici';
import { GatewayError, isGatewayError } from '../errors.js';
import { AddressMatcher, type AddressRules, bareHost, urlNotAllowed } from './address-policy.js';
import {
  assertLiteralAllowed,
  type ConnectGuard,
  guardedAgents,
  guardedDispatcher,
  guardedLookup,
  loadUndici,
} from './guarded-connect.js';

/** Options of {@link outgoingPolicy}. */
export interface OutgoingPolicyOptions extends AddressRules {
  /**
   * How a user allows a private destination, named in every refusal (the server sets
   * `ZAPGATE_ALLOW_PRIVATE_URLS`). @default 'the allowPrivateUrls setting'
   */
  allowHint?: string;
  /** DNS lookup behind the guard (tests resolve names to chosen addresses). @default dns.lookup */
  lookup?: LookupFunction;
}

/** What {@link OutgoingPolicy.checkUrl} accepts besides the address rules. */
export interface CheckUrlOptions {
  /** Accepted schemes, with the colon. @default ['http:', 'https:'] */
  protocols?: readonly string[];
  /** Accept `user:password@` in the URL (proxies). @default false */
  allowCredentials?: boolean;
  /** What the URL is, for messages ("Webhook URL", "Proxy"). @default 'URL' */
  what?: string;
}

/**
 * The one outgoing-address policy: every request to a user-given URL (media URLs, webhooks,
 * Chatwoot, session proxies, plugins' HTTP) goes through it. Public addresses are reachable;
 * loopback, private, link-local, metadata and other special addresses are refused unless
 * allowed. Names are checked when they resolve, at connect time, so DNS rebinding cannot
 * slip past a check made earlier.
 */
export interface OutgoingPolicy {
  /** Hosts, addresses and CIDR ranges allowed although private. */
  readonly allow: readonly string[];
  readonly allowPrivate: boolean;
  /**
   * Parses a user-given URL and refuses (400) a bad scheme, credentials, a literal private
   * address or a local name (`URL_NOT_ALLOWED`). Use it when a URL is stored; the guarded
   * clients below check every connection again.
   */
  checkUrl(url: string, options?: CheckUrlOptions): URL;
  /** True when an address may be dialled. */
  isAddressAllowed(address: string): boolean;
  /** A DNS lookup refusing names that resolve to refused addresses (for `net.connect` and agents). */
  readonly lookup: LookupFunction;
  /** Throws `URL_NOT_ALLOWED` when `host` is a refused literal address or local name. */
  assertHost(host: string): void;
  /** Keep-alive `node:http` agent checking every connection. */
  readonly httpAgent: http.Agent;
  /** Keep-alive `node:https` agent checking every connection. */
  readonly httpsAgent: https.Agent;
  /** An undici dispatcher checking every connection (also after redirects). */
  readonly dispatcher: Dispatcher;
  /**
   * `fetch` through {@link OutgoingPolicy.dispatcher}: http(s) only, refused destinations
   * reject with `URL_NOT_ALLOWED`, redirects are followed and each hop is checked.
   */
  fetch(url: string | URL, init?: Parameters<typeof undiciFetch>[1]): Promise<Response>;
  /** This policy plus more allowed destinations (e.g. a plugin's own allowlist). */
  extend(rules: AddressRules): OutgoingPolicy;
  /** Closes the pooled connections of the agents and the dispatcher. */
  close(): Promise<void>;
}

const httpProtocols = ['http:', 'https:'];

/**
 * Builds an {@link OutgoingPolicy}.
 *
 * @example
 * const policy = outgoingPolicy({ allow: ['10.0.0.0/8', 'chatwoot.internal'] });
 * policy.checkUrl(input.url); // when storing a URL
 * const response = await policy.fetch(input.url); // checked again at connect time
 */
export function outgoingPolicy(options: OutgoingPolicyOptions = {}): OutgoingPolicy {
  const matcher = new AddressMatcher(options);
  const hint = options.allowHint ?? 'the allowPrivateUrls setting';
  const guard: ConnectGuard = {
    matcher,
    refuse: (host) => urlNotAllowed('Destination', host, hint),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
  let agents: ReturnType<typeof guardedAgents> | undefined;
  let dispatcher: Dispatcher | undefined;
  const getAgents = () => {
    agents ??= guardedAgents(guard);
    return agents;
  };

  const policy: OutgoingPolicy = {
    allow: matcher.allow,
    allowPrivate: matcher.allowPrivate,
    checkUrl(raw, check = {}) {
      const what = check.what ?? 'URL';
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new GatewayError('VALIDATION_FAILED', `${what} "${raw}" is not an absolute URL`);
      }
      const protocols = check.protocols ?? httpProtocols;
      if (!protocols.includes(url.protocol)) {
        throw new GatewayError(
          'URL_NOT_ALLOWED',
          `${what} must use ${protocols.map((p) => p.slice(0, -1)).join(', ')}, not ${url.protocol.slice(0, -1)}`,
        );
      }
      if (!check.allowCredentials && (url.username || url.password))
        throw new GatewayError('URL_NOT_ALLOWED', `${what} must not carry credentials`);
      if (!url.hostname) throw new GatewayError('VALIDATION_FAILED', `${what} "${raw}" has no host`);
      const refused = matcher.literalRefusal(url.hostname);
      if (refused) throw urlNotAllowed(what, refused, hint);
      return url;
    },
    isAddressAllowed: (address) => matcher.isAddressAllowed(address),
    lookup: guardedLookup(guard),
    assertHost: (host) => assertLiteralAllowed(guard, bareHost(host)),
    get httpAgent() {
      return getAgents().http;
    },
    get httpsAgent() {
      return getAgents().https;
    },
    get dispatcher() {
      dispatcher ??= guardedDispatcher(guard);
      return dispatcher;
    },
    async fetch(url, init = {}) {
      const target = policy.checkUrl(String(url));
      try {
        const { fetch } = loadUndici();
        return (await fetch(target, { ...init, dispatcher: policy.dispatcher })) as unknown as Response;
      } catch (error) {
        // undici wraps connect failures: surface our refusal as itself
        const cause = (error as { cause?: unknown }).cause;
        if (isGatewayError(cause)) throw cause;
        throw error;
      }
    },
    extend: (rules) =>
      outgoingPolicy({
        ...options,
        allow: [...matcher.allow, ...(rules.allow ?? [])],
        allowPrivate: matcher.allowPrivate || (rules.allowPrivate ?? false),
      }),
    async close() {
      agents?.http.destroy();
      agents?.https.destroy();
      await dispatcher?.close();
    },
  };
  return policy;
}
