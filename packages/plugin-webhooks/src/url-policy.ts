import { isGatewayError, type OutgoingPolicy } from '@zapgate/core';
import { webhooksError } from './error-codes.js';

/** The plugin options that shape where webhooks may be delivered. */
export interface WebhookAddressOptions {
  allowPrivateNetworks: boolean;
  allowlist: readonly string[];
}

/**
 * The policy deliveries go through: the host's outgoing policy (the server's
 * `ZAPGATE_ALLOW_PRIVATE_URLS`) plus the plugin's own `allowlist` and `allowPrivateNetworks`.
 */
export function webhookPolicy(host: OutgoingPolicy, options: WebhookAddressOptions): OutgoingPolicy {
  return host.extend({ allow: options.allowlist, allowPrivate: options.allowPrivateNetworks });
}

/**
 * Validates a subscription URL when it is created or changed: http(s) only (https only when
 * `httpsOnly`), no credentials, no literal private, loopback, link-local or metadata address
 * or local name unless allowed. Names are checked again at every connection (the policy's
 * agents), which also defeats DNS rebinding.
 * @returns the URL's origin (the endpoint key for limits, the circuit breaker and metrics)
 */
export function checkWebhookUrl(raw: string, policy: OutgoingPolicy, httpsOnly: boolean): string {
  try {
    return policy.checkUrl(raw, {
      protocols: httpsOnly ? ['https:'] : ['http:', 'https:'],
      what: 'Webhook URL',
    }).origin;
  } catch (error) {
    if (isGatewayError(error)) throw webhooksError('WEBHOOKS_URL_NOT_ALLOWED', error.message);
    throw error;
  }
}
