import type { Store } from '../ports/store.js';
import { createMemoryStore } from './memory/store.js';

export { type StoreConformanceOptions, storeConformance } from './conformance/index.js';

/**
 * An in-memory {@link Store} for unit tests and demos: every repository, the event log with
 * consumer cursors, auth state and `transaction(fn)` with real rollback (a unit of work writes
 * to a copy-on-write overlay that is dropped when `fn` throws). One writer at a time; reads
 * see committed state only. There is no SQL: `sql` is undefined and `migrate()` only records
 * migration names. State lives as long as the returned object; `init()` never clears it.
 *
 * @example
 * const gateway = createGateway({ store: memoryStore(), connector: fakeConnector() });
 */
export function memoryStore(): Store {
  return createMemoryStore();
}
export { deferred } from '../deferred.js';
export {
  type FakeCall,
  FakeConnection,
  type FakeSend,
  fakeToJid,
} from './fake-connection.js';
export {
  type FakeAccount,
  type FakeConnector,
  type FakeConnectorOptions,
  type FakeSession,
  fakeConnector,
} from './fake-connector.js';
export {
  type RouteCallReply,
  type TestGateway,
  type TestGatewayOptions,
  testGateway,
  testTuning,
} from './harness.js';
export { type Truthy, waitFor } from './wait-for.js';
