import type { LookupAddress } from 'node:dns';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { GatewayError } from '../errors.js';
import type { AddressMatcher } from './address-policy.js';

/** What the connect-time guards need: the rules and how to word a refusal. */
export interface ConnectGuard {
  matcher: AddressMatcher;
  refuse(host: string): GatewayError;
  /** @default dns.lookup */
  lookup?: LookupFunction;
}

type LookupOptions = Parameters<LookupFunction>[1];
type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
type OneCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * A DNS lookup that refuses a name when any address it resolves to may not be dialled.
 * Sockets connect to the addresses this returns, so the check holds at connect time (no
 * window for DNS rebinding between a check and the connection).
 */
export function guardedLookup(guard: ConnectGuard): LookupFunction {
  const resolve = guard.lookup ?? (dns.lookup as unknown as LookupFunction);
  return (hostname, options, callback) => {
    const opts = (typeof options === 'object' && options ? options : { family: options }) as LookupOptions;
    resolve(hostname, { ...opts, all: true }, ((error: NodeJS.ErrnoException | null, found: unknown) => {
      if (error) return (callback as AllCallback)(error, []);
      const addresses = (
        Array.isArray(found) ? found : [{ address: String(found), family: 4 }]
      ) as LookupAddress[];
      if (!guard.matcher.isNameAllowed(hostname)) {
        const refused = addresses.find((a) => !guard.matcher.isAddressAllowed(a.address));
        if (refused || addresses.length === 0)
          return (callback as AllCallback)(guard.refuse(hostname) as NodeJS.ErrnoException, []);
      }
      if (opts.all) return (callback as AllCallback)(null, addresses);
      const [first] = addresses;
      (callback as OneCallback)(null, first!.address, first!.family);
    }) as never);
  };
}

/** Throws when `host` is a literal address (sockets skip DNS for those) that may not be dialled. */
export function assertLiteralAllowed(guard: ConnectGuard, host: string | null | undefined): void {
  const refused = host ? guard.matcher.literalRefusal(host) : null;
  if (refused) throw guard.refuse(refused);
}

type CreateConnection = (options: { host?: string | null }, callback?: unknown) => Duplex | undefined;

/** Wraps an agent's `createConnection` so a refused literal address fails the request. */
function checkedConnection(guard: ConnectGuard, create: CreateConnection): CreateConnection {
  return function (this: unknown, options, callback) {
    try {
      assertLiteralAllowed(guard, options.host);
    } catch (error) {
      // the agent passes a callback and waits for it when nothing is returned
      if (typeof callback === 'function') {
        process.nextTick(callback as (e: unknown) => void, error);
        return undefined;
      }
      throw error;
    }
    return create.call(this, options, callback);
  };
}

/** `node:http` and `node:https` agents (keep-alive) whose every connection is checked. */
export function guardedAgents(guard: ConnectGuard): { http: http.Agent; https: https.Agent } {
  const lookup = guardedLookup(guard);
  const plain = new http.Agent({ keepAlive: true, lookup });
  const secure = new https.Agent({ keepAlive: true, lookup });
  for (const agent of [plain, secure] as unknown as { createConnection: CreateConnection }[])
    agent.createConnection = checkedConnection(guard, agent.createConnection);
  return { http: plain, https: secure };
}

const require = createRequire(import.meta.url);
/**
 * undici, loaded with the first outgoing `fetch` rather than with the gateway (its 110 modules
 * are a tenth of a boot); synchronous, so {@link OutgoingPolicy.dispatcher} stays a getter.
 */
export const loadUndici = (): typeof import('undici') => require('undici');

/** An undici dispatcher (keep-alive pool) whose every connection is checked, for `fetch`. */
export function guardedDispatcher(
  guard: ConnectGuard,
  options: { connectTimeoutMs?: number } = {},
): Dispatcher {
  const { Agent, buildConnector } = loadUndici();
  const connect = buildConnector({
    lookup: guardedLookup(guard),
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  return new Agent({
    connect: (opts, callback) => {
      try {
        assertLiteralAllowed(guard, opts.hostname);
      } catch (error) {
        callback(error as Error, null);
        return;
      }
      connect(opts, callback);
    },
  });
}
