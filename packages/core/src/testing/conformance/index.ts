import { describe } from 'vitest';
import { consumptionTests } from './consumption.js';
import { chatTests, contactTests } from './directory.js';
import { eventTests } from './events.js';
import { type StoreConformanceOptions, useStore } from './fixtures.js';
import { authTests, cursorTests, migrationTests } from './leases-auth.js';
import { messageTests } from './messages.js';
import { pluginSettingsTests } from './plugin-settings.js';
import { sessionTests } from './sessions.js';
import { transactionTests } from './transactions.js';

export type { StoreConformanceOptions } from './fixtures.js';

/**
 * The contract every {@link Store} keeps, as a vitest suite: call it at the top level of a
 * test file of the store's package. Each test gets a fresh, empty store from
 * `options.create()` and disposes of it with `cleanup()`.
 *
 * @example
 * import { storeConformance } from '@zapgate/core/testing';
 *
 * storeConformance({
 *   name: 'pglite',
 *   concurrentReads: false,
 *   async create() {
 *     const store = postgresStore({ embedded: true });
 *     await store.init();
 *     return { store, cleanup: () => store.close() };
 *   },
 * });
 */
export function storeConformance(options: StoreConformanceOptions): void {
  describe(`store conformance: ${options.name}`, () => {
    const store = useStore(options);
    sessionTests(store);
    chatTests(store);
    contactTests(store);
    messageTests(store);
    eventTests(store);
    transactionTests(store, options.concurrentReads ?? true);
    cursorTests(store);
    consumptionTests(store);
    authTests(store);
    migrationTests(store);
    pluginSettingsTests(store);
  });
}
