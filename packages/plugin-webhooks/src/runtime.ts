import { type PluginContext, SecretBox, type SqlClient } from '@zapgate/core';
import type { Sender } from './delivery/deliver-job.js';
import type { ResolvedWebhooksOptions } from './options.js';
import { SubscriptionCache } from './repo/subscription-cache.js';
import { secretsPurpose } from './secrets.js';

/** What one plugin instance holds while running (shared by its handlers, jobs and routes). */
export interface WebhooksRuntime {
  /** Set between `setup` and `teardown`. */
  sender: Sender | null;
  secrets: SecretBox | null;
  /** The enabled subscriptions the fan-out reads, built on first use. */
  subscriptions: SubscriptionCache | null;
}

/** The plugin context as this plugin sees it. */
export type WebhooksContext = PluginContext<ResolvedWebhooksOptions>;

/** The SQL client (always present: core refuses plugins with migrations on stores without SQL). */
export function sqlOf(ctx: WebhooksContext): SqlClient {
  return ctx.sql!;
}

/** The secret box of this instance, built from the host's encryption key on first use. */
export function secretsOf(runtime: WebhooksRuntime, ctx: WebhooksContext): SecretBox {
  runtime.secrets ??= new SecretBox(ctx.config.encryptionKey, { purpose: secretsPurpose });
  return runtime.secrets;
}

/** The subscription cache of this instance, built from its options on first use. */
export function subscriptionsOf(runtime: WebhooksRuntime, ctx: WebhooksContext): SubscriptionCache {
  runtime.subscriptions ??= new SubscriptionCache(ctx.options.subscriptionCacheMs);
  return runtime.subscriptions;
}
