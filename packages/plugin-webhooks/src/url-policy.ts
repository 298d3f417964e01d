import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { webhooksError } from './error-codes.js';

/** What {@link checkWebhookUrl} needs from the options. */
export interface UrlPolicy {
  allowPrivateNetworks: boolean;
  allowlist: readonly string[];
  httpsOnly: boolean;
}

/**
 * The policy in force: the plugin's options, with the host's `allowPrivateUrls` (the server's
 * `ZAPGATE_ALLOW_PRIVATE_URLS`) added to the allowlist, so one setting covers every outgoing call.
 */
export function urlPolicyOf(options: UrlPolicy, host: { allowPrivateUrls?: readonly string[] }): UrlPolicy {
  return {
    allowPrivateNetworks: options.allowPrivateNetworks,
    httpsOnly: options.httpsOnly,
    allowlist: [...options.allowlist, ...(host.allowPrivateUrls ?? [])],
  };
}

/** Host names that always mean this machine or a cloud metadata service. */
const localNames = /^(localhost|localhost\.localdomain|metadata\.google\.internal|metadata)$|\.localhost$/i;

/** Allowlist entries that are addresses or CIDRs (what the connect-time filter understands). */
export function allowlistAddresses(allowlist: readonly string[]): string[] {
  return allowlist.filter((entry) => isIP(entry) !== 0 || ipaddr.isValidCIDR(entry));
}

/** True when `hostname` is allowlisted by name (not by address). */
export function isAllowlistedHost(hostname: string, allowlist: readonly string[]): boolean {
  const host = hostname.toLowerCase();
  return allowlist.some((entry) => entry.toLowerCase() === host);
}

/** True when an address may be reached under the policy (public unicast, or allowed). */
export function isAddressAllowed(address: string, policy: UrlPolicy): boolean {
  if (policy.allowPrivateNetworks) return true;
  const parsed = ipaddr.process(address);
  for (const entry of policy.allowlist) {
    if (isIP(entry) !== 0 && ipaddr.process(entry).toString() === parsed.toString()) return true;
    if (ipaddr.isValidCIDR(entry)) {
      const range = ipaddr.parseCIDR(entry);
      if (range[0].kind() === parsed.kind() && parsed.match(range)) return true;
    }
  }
  return parsed.range() === 'unicast';
}

/**
 * Validates a subscription URL when it is created or changed: http(s) only (https only when
 * configured), no credentials, and no literal private, loopback, link-local or metadata
 * address or local host name unless allowed. Names are checked again, after DNS, when each
 * request connects (see the delivery HTTP client), which also defeats DNS rebinding.
 * @returns the URL's origin (the endpoint key for limits, the circuit breaker and metrics)
 */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw webhooksError('WEBHOOKS_URL_NOT_ALLOWED', `"${raw}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && (url.protocol !== 'http:' || policy.httpsOnly)) {
    throw webhooksError(
      'WEBHOOKS_URL_NOT_ALLOWED',
      `Webhook URLs must use ${policy.httpsOnly ? 'https' : 'http or https'}, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw webhooksError('WEBHOOKS_URL_NOT_ALLOWED', 'Webhook URLs must not carry credentials');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateNetworks && !isAllowlistedHost(host, policy.allowlist)) {
    if (isIP(host) !== 0 ? !isAddressAllowed(host, policy) : localNames.test(host)) {
      throw webhooksError(
        'WEBHOOKS_URL_NOT_ALLOWED',
        `${url.hostname} is a loopback, private, link-local or metadata address; allow it with the ` +
          'plugin options allowlist or allowPrivateNetworks',
      );
    }
  }
  return url.origin;
}
