import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../src/contracts/events.js';
import type { Gateway } from '../src/gateway/create-gateway.js';
import { type EventFollower, followEvents } from '../src/gateway/event-follower.js';
import { appendEvent } from '../src/gateway/event-writer.js';
import type { GatewayPlugin } from '../src/plugin/types.js';
import type { Store } from '../src/ports/store.js';
import { memoryStore } from '../src/testing/index.js';
import { startGateway, waitFor } from './helpers.js';

const presence = (n: number) => ({
  chatJid: `${n}@s.whatsapp.net`,
  jid: `${n}@s.whatsapp.net`,
  presence: 'available' as const,
  lastSeen: null,
});
/** `count` events, each committed on its own (each wakes the followers). */
async function append(store: Store, count: number) {
  for (let i = 0; i < count; i++) {
    await store.transaction((tx) => appendEvent(tx, 'presence.updated', null, presence(i)));
  }
}

const followers: EventFollower[] = [];
const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(followers.splice(0).map((f) => f.stop()));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
});

describe('following the event log after a burst of commits', () => {
  it('reads the commits of the coalescing window in one read, handed over as one batch', async () => {
    const store = memoryStore();
    const reads = vi.spyOn(store.events, 'list');
    const batches: StoredEvent[][] = [];
    followers.push(
      followEvents({ store, coalesceMs: 100, pollIntervalMs: 60_000, onEvents: (e) => void batches.push(e) }),
    );
    // the first read, at the head, finds nothing; then it waits for a wake-up
    await waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    await append(store, 5);
    await waitFor(() => expect(batches.flat()).toHaveLength(5));
    expect(batches.map((b) => b.length)).toEqual([5]);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('follows a full batch at once, in order', async () => {
    const store = memoryStore();
    const batches: StoredEvent[][] = [];
    followers.push(
      followEvents({
        store,
        after: 0,
        batchSize: 2,
        coalesceMs: 100,
        pollIntervalMs: 60_000,
        onEvents: (e) => void batches.push(e),
      }),
    );
    await append(store, 5);
    await waitFor(() => expect(batches.flat()).toHaveLength(5));
    expect(batches.flat().map((e) => (e.data as { jid: string }).jid)).toEqual(
      [0, 1, 2, 3, 4].map((n) => `${n}@s.whatsapp.net`),
    );
    expect(batches.every((b) => b.length <= 2)).toBe(true);
  });

  it('a plugin consumer commits its cursor once for the events handled in the window, not once per event', async () => {
    const store = memoryStore();
    const seen: StoredEvent[] = [];
    const recorder: GatewayPlugin = {
      id: 'recorder',
      version: '1.0.0',
      events: { 'presence.updated': (e) => void seen.push(e as StoredEvent) },
    };
    const { gateway } = await startGateway({
      store,
      plugins: [recorder],
      tuning: { events: { coalesceMs: 100, pollIntervalMs: 60_000 } },
    });
    gateways.push(gateway);
    const commits = vi.spyOn(store.cursors, 'commit');
    await append(store, 20);
    await waitFor(() => expect(seen).toHaveLength(20));
    const last = seen.at(-1)?.seq as number;
    await waitFor(() =>
      expect(commits).toHaveBeenLastCalledWith('plugin:recorder', expect.anything(), last, expect.anything()),
    );
    // one read and one commit for the burst; a second of each at most if the window split it
    expect(commits.mock.calls.length).toBeLessThanOrEqual(2);
  });
});
