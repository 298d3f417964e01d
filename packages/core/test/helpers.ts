export { sleep } from '../src/testing/conformance/fixtures.js';
export { waitFor } from '../src/testing/index.js';

import { expect } from 'vitest';
import type { StoredEvent } from '../src/contracts/events.js';
import type { Gateway } from '../src/gateway/create-gateway.js';
import type { Store } from '../src/ports/store.js';
import {
  type FakeConnector,
  type TestGatewayOptions,
  testGateway,
  testTuning,
} from '../src/testing/index.js';

/** Delays small enough for unit tests. */
export const fastTuning = testTuning;

export interface Harness {
  gateway: Gateway;
  store: Store;
  fake: FakeConnector;
}

/** A started gateway on a memory store (or the one given) and a fake connector. */
export async function startGateway(options: TestGatewayOptions = {}): Promise<Harness> {
  const { gateway, store, fake } = await testGateway({ closeStore: false, ...options });
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
