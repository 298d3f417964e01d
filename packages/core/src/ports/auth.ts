import type { HeldLease, SessionLeaseRepo } from './leases.js';

/**
 * Storage of one WhatsApp companion's credentials and Signal keys. Values are plain JSON
 * (core encodes Buffers with Baileys' BufferJSON before they get here).
 */
export interface AuthRepo {
  /** The creds of a session, `null` when it was never paired. A read failure throws. */
  getCreds(sessionId: string): Promise<unknown | null>;
  /**
   * Stores the creds. With `fence` (a lease this node holds), see {@link AuthRepo.setKeys}.
   */
  setCreds(sessionId: string, creds: unknown, fence?: HeldLease): Promise<void>;
  /** The keys of one type by id; missing ids are absent from the result. */
  getKeys(sessionId: string, type: string, ids: readonly string[]): Promise<Record<string, unknown>>;
  /**
   * Upserts every value and deletes every `null`, all in one transaction. Repeating the same
   * call leaves the same state.
   *
   * With `fence`, the write happens only while the session's lease is still at `fence.epoch`,
   * checked atomically with the write (in the same statement or transaction, the lease row held
   * until commit, as {@link SessionLeaseRepo.check} does); otherwise nothing is written and it
   * throws `SESSION_LEASE_LOST`. Stores without leases ignore it.
   */
  setKeys(
    sessionId: string,
    data: Record<string, Record<string, unknown | null>>,
    fence?: HeldLease,
  ): Promise<void>;
  /** Deletes creds and keys of a session in one transaction. */
  clear(sessionId: string): Promise<void>;
}
