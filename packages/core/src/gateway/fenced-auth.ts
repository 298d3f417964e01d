import { isGatewayError } from '../errors.js';
import type { AuthRepo } from '../ports/auth.js';
import type { HeldLease } from '../ports/leases.js';
import type { Repositories, Store } from '../ports/store.js';

/** Refuses (`SESSION_LEASE_LOST`) unless `lease` is still current; holds it until commit. */
export async function checkLease(tx: Repositories, lease: HeldLease | null): Promise<void> {
  if (lease) await tx.leases?.check([lease]);
}

/**
 * The auth state a socket writes through: reads as the store's, and every write (creds, keys,
 * clear) in a transaction that first checks the socket's lease epoch, so a node that lost the
 * session (paused past its lease, partitioned) cannot overwrite the new owner's Signal state.
 * A refused write calls `onLost` (the manager drops the socket) and throws.
 */
export function fencedAuth(store: Store, lease: HeldLease, onLost: () => void): AuthRepo {
  const fenced =
    <A extends unknown[]>(write: (tx: Repositories, ...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await store.transaction(async (tx) => {
          await checkLease(tx, lease);
          await write(tx, ...args);
        });
      } catch (error) {
        if (isGatewayError(error) && error.code === 'SESSION_LEASE_LOST') onLost();
        throw error;
      }
    };
  return {
    getCreds: (sessionId) => store.auth.getCreds(sessionId),
    getKeys: (sessionId, type, ids) => store.auth.getKeys(sessionId, type, ids),
    setCreds: fenced((tx, sessionId: string, creds: unknown) => tx.auth.setCreds(sessionId, creds)),
    setKeys: fenced((tx, sessionId: string, data: Record<string, Record<string, unknown | null>>) =>
      tx.auth.setKeys(sessionId, data),
    ),
    clear: fenced((tx, sessionId: string) => tx.auth.clear(sessionId)),
  };
}
