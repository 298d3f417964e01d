import { afterEach, describe, expect, it } from 'vitest';
import type { AnyGatewayEvent, StoredEvent } from '../src/contracts/events.js';
import type { Gateway } from '../src/gateway/create-gateway.js';
import { appendEvent } from '../src/gateway/event-writer.js';
import type { GatewayPlugin } from '../src/plugin/types.js';
import type { Store } from '../src/ports/store.js';
import { memoryStore } from '../src/testing/index.js';
import { startGateway, waitFor } from './helpers.js';

const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
});
async function start(store: Store, plugins: GatewayPlugin[]) {
  const { gateway } = await startGateway({ store, plugins });
  gateways.push(gateway);
  return gateway;
}
const presence = (n: number) => ({
  chatJid: `${n}@s.whatsapp.net`,
  jid: `${n}@s.whatsapp.net`,
  presence: 'available' as const,
  lastSeen: null,
});
async function append(store: Store, count: number, from = 0) {
  for (let i = from; i < from + count; i++) {
    await store.transaction((tx) => appendEvent(tx, 'presence.updated', null, presence(i)));
  }
}
const jidOf = (e: StoredEvent) => (e.data as { jid: string }).jid;
const recorder = (id: string, seen: StoredEvent[], events: string[] = ['*']): GatewayPlugin => ({
  id,
  version: '1.0.0',
  events: Object.fromEntries(
    events.map((pattern) => [pattern, (e: AnyGatewayEvent) => void seen.push(e as StoredEvent)]),
  ),
});

describe('durable event delivery', () => {
  it('delivers every event in order; a failing handler is retried and blocks no other plugin', async () => {
    const store = memoryStore();
    const good: StoredEvent[] = [];
    const flaky: StoredEvent[] = [];
    let failures = 0;
    let healthy = false;
    const failing: GatewayPlugin = {
      id: 'flaky',
      version: '1.0.0',
      events: {
        'presence.updated': (event) => {
          flaky.push(event as StoredEvent);
          if (!healthy) {
            failures++;
            throw new Error('downstream is down');
          }
        },
      },
    };
    await start(store, [recorder('good', good), failing]);
    await append(store, 5);
    await waitFor(() => expect(good).toHaveLength(5));
    expect(good.map(jidOf)).toEqual([0, 1, 2, 3, 4].map((n) => `${n}@s.whatsapp.net`));
    await waitFor(() => expect(failures).toBeGreaterThanOrEqual(3));
    // still stuck on the first event, retrying it
    expect(new Set(flaky.map(jidOf))).toEqual(new Set(['0@s.whatsapp.net']));
    healthy = true;
    await waitFor(() => expect(new Set(flaky.map(jidOf)).size).toBe(5));
    const afterRetries = flaky.slice(failures).map(jidOf);
    expect(afterRetries).toEqual([0, 1, 2, 3, 4].map((n) => `${n}@s.whatsapp.net`));
  });

  it('matches wildcard patterns', async () => {
    const store = memoryStore();
    const messages: StoredEvent[] = [];
    const all: StoredEvent[] = [];
    await start(store, [recorder('messages', messages, ['message.*']), recorder('all', all)]);
    await store.transaction(async (tx) => {
      await appendEvent(tx, 'presence.updated', null, presence(1));
      await appendEvent(tx, 'message.deleted', null, {
        messageId: 'm',
        chatId: 'c',
        waid: 'w',
        deletedBy: null,
      });
      await appendEvent(tx, 'chat.deleted', null, { chatJid: 'c' });
      await appendEvent(tx, 'message.reaction', null, {
        messageId: null,
        chatId: 'c',
        targetWaid: 'w',
        senderJid: 's',
        emoji: '👍',
      });
    });
    await waitFor(() => expect(all).toHaveLength(4));
    await waitFor(() => expect(messages.map((e) => e.type)).toEqual(['message.deleted', 'message.reaction']));
  });

  it('resumes from the committed cursor after a stop, losing nothing', async () => {
    const store = memoryStore();
    const first: StoredEvent[] = [];
    let reached!: () => void;
    const halfway = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const slow: GatewayPlugin = {
      id: 'sink',
      version: '1.0.0',
      events: {
        'presence.updated': async (event) => {
          first.push(event as StoredEvent);
          if (first.length === 4) reached();
          await new Promise((resolve) => setTimeout(resolve, 2));
        },
      },
    };
    const gateway = await start(store, [slow]);
    await append(store, 12);
    await halfway;
    await gateway.stop();
    gateways.splice(gateways.indexOf(gateway), 1);
    const handledBeforeStop = first.length;
    expect(handledBeforeStop).toBeLessThan(12);

    const second: StoredEvent[] = [];
    await start(store, [recorder('sink', second)]);
    await waitFor(() => expect(second.map(jidOf)).toContain('11@s.whatsapp.net'));
    const seen = [...first, ...second].map((e) => e.seq);
    // in order, nothing skipped; at most the event in flight at the stop comes again
    expect([...new Set(seen)]).toEqual([...new Set(seen)].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(12);
    expect(seen.length - 12).toBeLessThanOrEqual(1);
    expect(second[0]?.seq).toBeGreaterThanOrEqual(first.at(-1)?.seq ?? 0);
  });

  it('hands a batch handler the waiting events of a session in one call, in order; a failed batch goes one event per call', async () => {
    const store = memoryStore();
    // in the log before the start, read in one go (the plugin starts at the beginning)
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) await appendEvent(tx, 'presence.updated', null, presence(i));
    });
    const calls: string[][] = [];
    let failed = false;
    const batcher: GatewayPlugin = {
      id: 'batcher',
      version: '1.0.0',
      eventsStartAt: 'beginning',
      events: {
        'presence.updated': {
          async batch(events) {
            calls.push(events.map((e) => jidOf(e as StoredEvent).split('@')[0]!));
            if (events.length > 1 && !failed) {
              failed = true;
              throw new Error('one statement for all failed');
            }
          },
        },
      },
    };
    await start(store, [batcher]);
    await waitFor(() => expect(calls.at(-1)).toEqual(['9']));
    const rest = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
    // the first event starts the stream alone; the nine queued meanwhile come in one call, which
    // fails, so each of them is handled again on its own
    expect(calls).toEqual([['0'], rest, ...rest.map((n) => [n])]);
  });

  it('moves the cursor past a handled batch: a restart hands none of its events again', async () => {
    const store = memoryStore();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) await appendEvent(tx, 'presence.updated', null, presence(i));
    });
    const calls: number[] = [];
    const batcher = (): GatewayPlugin => ({
      id: 'batcher',
      version: '1.0.0',
      eventsStartAt: 'beginning',
      events: { '*': { batch: async (events) => void calls.push(events.length) } },
    });
    const gateway = await start(store, [batcher()]);
    await waitFor(() => expect(calls).toEqual([1, 9]));
    await gateway.stop();
    gateways.splice(gateways.indexOf(gateway), 1);
    await start(store, [batcher()]);
    await append(store, 1, 10);
    await waitFor(() => expect(calls).toEqual([1, 9, 1]));
  });
});
