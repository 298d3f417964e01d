export { sleep, waitFor } from '../src/testing/conformance/fixtures.js';

import { expect } from 'vitest';
import type { StoredEvent } from '../src/contracts/events.js';
import { createGateway, type Gateway, type GatewayOptions } from '../src/gateway/create-gateway.js';
import type { Store } from '../src/ports/store.js';
import {
  type FakeConnector,
  type FakeConnectorOptions,
  fakeConnector,
  memoryStore,
} from '../src/testing/index.js';

/** Delays small enough for unit tests. */
export const fastTuning = {
  reconnect: { minDelayMs: 5, maxDelayMs: 20 },
  boot: { staggerMs: 0, settleTimeoutMs: 2000 },
  events: { pollIntervalMs: 10, leaseMs: 1000, retryMinMs: 5, retryMaxMs: 20 },
} satisfies GatewayOptions['tuning'];

export interface Harness {
  gateway: Gateway;
  store: Store;
  fake: FakeConnector;
}

/** A started gateway on a memory store and a fake connector. */
export async function startGateway(
  options: Partial<GatewayOptions> & { fake?: FakeConnectorOptions } = {},
): Promise<Harness> {
  const store = options.store ?? memoryStore();
  const fake = fakeConnector(options.fake);
  const gateway = createGateway({ connector: fake, tuning: fastTuning, ...options, store });
  await gateway.start();
  return { gateway, store, fake };
}

/** Every event in the log (optionally of some types), oldest first. */
export async function eventsOf(store: Store, ...types: string[]): Promise<StoredEvent[]> {
  return store.events.list({ afterSeq: 0, limit: 1000, ...(types.length ? { types } : {}) });
}

/** Expects `promise` to reject with a GatewayError of `code`; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<{ details?: unknown }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: 'GatewayError', code });
  return error as { details?: unknown };
}
