import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { GatewayError } from '../errors.js';

/** What may be reached besides public addresses. */
export interface AddressRules {
  /**
   * Host names, addresses or CIDR ranges (`10.0.0.0/8`, `chatwoot.internal`) reachable although
   * private or loopback. A host allowed by name is trusted wherever it resolves. @default []
   */
  allow?: readonly string[];
  /** Reach every private, loopback and link-local address (receivers on your own network). @default false */
  allowPrivate?: boolean;
}

/** Host names that always mean this machine or a cloud metadata service. */
const localNames = /^(localhost|localhost\.localdomain|metadata\.google\.internal|metadata)$|\.localhost$/i;

/** A URL host without IPv6 brackets or a trailing dot, lower case. */
export function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    // IPv4-mapped IPv6 (::ffff:127.0.0.1) becomes the IPv4 address it carries.
    return ipaddr.process(address.replace(/%.*$/, ''));
  } catch {
    return null;
  }
}

/** The compiled form of {@link AddressRules}: answers "may this host or address be dialled?". */
export class AddressMatcher {
  private readonly names = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  readonly allowPrivate: boolean;
  readonly allow: readonly string[];

  constructor(rules: AddressRules) {
    this.allowPrivate = rules.allowPrivate ?? false;
    this.allow = Object.freeze([...(rules.allow ?? [])]);
    for (const raw of this.allow) {
      const entry = raw.trim();
      if (ipaddr.isValidCIDR(entry)) this.ranges.push(ipaddr.parseCIDR(entry));
      else if (isIP(entry)) {
        const parsed = parseAddress(entry)!;
        this.ranges.push([parsed, parsed.kind() === 'ipv4' ? 32 : 128]);
      } else this.names.add(bareHost(entry));
    }
  }

  /** True when `hostname` is allowed by name (wherever it resolves). */
  isNameAllowed(hostname: string): boolean {
    return this.allowPrivate || this.names.has(bareHost(hostname));
  }

  /** True for public unicast addresses and for allowed private ones; false for anything unparsable. */
  isAddressAllowed(address: string): boolean {
    const parsed = parseAddress(bareHost(address));
    if (!parsed) return false;
    if (this.allowPrivate) return true;
    for (const range of this.ranges) {
      if (range[0].kind() === parsed.kind() && parsed.match(range)) return true;
    }
    return parsed.range() === 'unicast';
  }

  /**
   * Refusal of a host that is known without DNS to be local: a literal private address or
   * a local name (`localhost`, `metadata.google.internal`). Other names are checked when
   * they resolve. @returns null when the host may be tried
   */
  literalRefusal(hostname: string): string | null {
    const host = bareHost(hostname);
    if (this.isNameAllowed(host)) return null;
    if (isIP(host)) return this.isAddressAllowed(host) ? null : host;
    return localNames.test(host) ? host : null;
  }
}

/** The error every refused destination raises: `URL_NOT_ALLOWED` (400), naming the setting that allows it. */
export function urlNotAllowed(what: string, host: string, hint: string): GatewayError {
  return new GatewayError(
    'URL_NOT_ALLOWED',
    `${what} ${host} is not allowed: it is a loopback, private, link-local or metadata address; allow it with ${hint}`,
  );
}
