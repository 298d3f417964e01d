import type { ConsumerCursorRepo } from '../../ports/store.js';
import type { CursorRow, MemoryState } from './state.js';

/** Consumer cursors with leases and parked streams, timed by this process's clock. */
export function cursorRepo(state: MemoryState): ConsumerCursorRepo {
  const held = (consumer: string, owner: string): CursorRow | null => {
    const row = state.cursors.get(consumer);
    return row && row.owner === owner && row.leaseUntil >= Date.now() ? row : null;
  };
  return {
    async claim(consumer, owner, leaseMs, initialPosition = 0) {
      const now = Date.now();
      const row = state.cursors.get(consumer) ?? {
        position: initialPosition,
        owner: null,
        leaseUntil: 0,
        parked: new Map(),
      };
      if (row.owner !== null && row.owner !== owner && row.leaseUntil >= now) return null;
      state.cursors.set(consumer, { ...row, owner, leaseUntil: now + leaseMs });
      return row.position;
    },
    async commit(consumer, owner, position, leaseMs) {
      const row = held(consumer, owner);
      if (!row) return false;
      row.position = Math.max(row.position, position);
      row.leaseUntil = Date.now() + leaseMs;
      return true;
    },
    async release(consumer, owner) {
      const row = state.cursors.get(consumer);
      if (row?.owner === owner) state.cursors.set(consumer, { ...row, owner: null, leaseUntil: 0 });
    },
    async parked(consumer) {
      const row = state.cursors.get(consumer);
      return [...(row?.parked ?? [])].map(([stream, position]) => ({ stream, position }));
    },
    async park(consumer, owner, stream, position) {
      const row = held(consumer, owner);
      if (!row) return false;
      row.parked.set(stream, position);
      return true;
    },
    async unpark(consumer, owner, stream) {
      const row = held(consumer, owner);
      if (!row) return false;
      row.parked.delete(stream);
      return true;
    },
  };
}
