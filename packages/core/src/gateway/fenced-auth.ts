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
 * clear) checked against the socket's lease epoch atomically with the write, so a node that
 * lost the session (paused past its lease, partitioned) cannot overwrite the new owner's Signal
 * state. Creds and keys pass the lease to the store (`fence`: one statement on Postgres, where
 * a transaction with a separate check took four); a clear checks it in its transaction.
 * A refused write calls `onLost` (the manager drops the socket) and throws.
 */
export function fencedAuth(store: Store, lease: HeldLease, onLost: () => void): AuthRepo {
  const fenced =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await write(...args);
      } catch (error) {
        if (isGatewayError(error) && error.code === 'SESSION_LEASE_LOST') onLost();
        throw error;
      }
    };
  return {
    getCreds: (sessionId) => store.auth.getCreds(sessionId),
    getKeys: (sessionId, type, ids) => store.auth.getKeys(sessionId, type, ids),
    setCreds: fenced((sessionId: string, creds: unknown) => store.auth.setCreds(sessionId, creds, lease)),
    setKeys: fenced((sessionId: string, data: Record<string, Record<string, unknown | null>>) =>
      store.auth.setKeys(sessionId, data, lease),
    ),
    clear: fenced((sessionId: string) =>
      store.transaction(async (tx) => {
        await checkLease(tx, lease);
        await tx.auth.clear(sessionId);
      }),
    ),
  };
}
