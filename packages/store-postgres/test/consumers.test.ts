import { randomUUID } from 'node:crypto';
import {
  type AnyGatewayEvent,
  createGateway,
  type Gateway,
  type GatewayPlugin,
  type Metrics,
  newEvent,
  noopMetrics,
  type StoredEvent,
} from '@zapgate/core';
import { fakeConnector } from '@zapgate/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { backends, storeFactory, waitFor } from './helpers.js';

/** Waits until `check` holds (generous: the machine may be busy). */
const until = (check: () => boolean | Promise<boolean>) => waitFor(check, 30_000);

const tuning = {
  events: { pollIntervalMs: 200, leaseMs: 2000, retryMinMs: 50, retryMaxMs: 200, maxAttempts: 4 },
};

/** Counts the gateway's counter increments by name and labels. */
function countingMetrics(): Metrics & { count(name: string, labels: Record<string, string>): number } {
  const counts = new Map<string, number>();
  const key = (name: string, labels: Record<string, string> = {}) => `${name}${JSON.stringify(labels)}`;
  return {
    ...noopMetrics,
    counter: (name) => ({
      inc: (labels, value = 1) => counts.set(key(name, labels), (counts.get(key(name, labels)) ?? 0) + value),
    }),
    count: (name, labels) => counts.get(key(name, labels)) ?? 0,
  };
}

/** A presence event of `sessionId` tagged `tag` (in `jid`), optionally `daysAgo` old. */
function tagged(sessionId: string | null, tag: string, daysAgo = 0) {
  return {
    ...newEvent('presence.updated', sessionId, {
      chatJid: `${tag}@s.whatsapp.net`,
      jid: `${tag}@s.whatsapp.net`,
      presence: 'available',
      lastSeen: null,
    }),
    occurredAt: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
  };
}
const tagOf = (e: AnyGatewayEvent | StoredEvent) => (e.data as { jid: string }).jid.split('@')[0] as string;

/** A plugin that records the tags it handled and fails on the tags in `failing`. */
function recorder(id: string, extra: Partial<GatewayPlugin> = {}) {
  const seen: string[] = [];
  const attempts = new Map<string, number>();
  const failing = new Set<string>();
  const plugin: GatewayPlugin = {
    id,
    version: '1.0.0',
    events: {
      'presence.updated': (event) => {
        const tag = tagOf(event);
        attempts.set(tag, (attempts.get(tag) ?? 0) + 1);
        if (failing.has(tag)) throw new Error(`${tag} fails`);
        seen.push(tag);
      },
    },
    ...extra,
  };
  return { plugin, seen, attempts, failing };
}

describe.each(backends)('plugin event consumption on %s', (backend) => {
  const stores = storeFactory(backend);
  const running: Gateway[] = [];
  beforeAll(() => stores.setup(), 60_000);
  afterEach(async () => {
    await Promise.all(running.splice(0).map((g) => g.stop()));
  });
  afterAll(() => stores.teardown());

  let schemas = 0;
  async function freshStore(): Promise<PostgresStore> {
    const store = stores.create({ schema: `consumers_${++schemas}` });
    await store.init();
    return store;
  }
  async function start(
    store: PostgresStore,
    plugins: GatewayPlugin[],
    options: Partial<Parameters<typeof createGateway>[0]> = {},
  ) {
    const gateway = createGateway({ store, connector: fakeConnector(), plugins, tuning, ...options });
    await gateway.start();
    running.push(gateway);
    return gateway;
  }
  async function stop(gateway: Gateway) {
    running.splice(running.indexOf(gateway), 1);
    await gateway.stop();
  }
  const append = (store: PostgresStore, event: ReturnType<typeof tagged>) =>
    store.transaction((tx) => tx.events.append(event));

  it("a failing event of session A holds back only A's events; B's are handled while A retries", async () => {
    const store = await freshStore();
    const a = randomUUID();
    const b = randomUUID();
    const sink = recorder('sink');
    sink.failing.add('a1');
    // many attempts: A is still retrying when B's events are checked
    await start(store, [sink.plugin], { tuning: { events: { ...tuning.events, maxAttempts: 1000 } } });
    await append(store, tagged(a, 'a1'));
    await until(() => (sink.attempts.get('a1') ?? 0) >= 1);
    await append(store, tagged(a, 'a2'));
    for (const tag of ['b1', 'b2', 'b3']) await append(store, tagged(b, tag));
    await append(store, tagged(null, 'n1')); // events without a session are a stream of their own

    await until(() => ['b1', 'b2', 'b3', 'n1'].every((t) => sink.seen.includes(t)));
    // B went through while A's first event was still failing, and A's later event waited behind it
    expect(sink.seen).not.toContain('a1');
    expect(sink.seen).not.toContain('a2');
    const retriesWhenBWasDone = sink.attempts.get('a1') ?? 0;
    expect(retriesWhenBWasDone).toBeGreaterThanOrEqual(1);
    expect(sink.seen.filter((t) => t.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    await until(() => (sink.attempts.get('a1') ?? 0) > retriesWhenBWasDone); // still retrying
    expect(await store.cursors.parked('plugin:sink')).toEqual([{ stream: a, position: expect.any(Number) }]);

    // B keeps flowing while A is parked
    await append(store, tagged(b, 'b4'));
    await until(() => sink.seen.includes('b4'));
    expect(sink.seen).not.toContain('a1');

    sink.failing.delete('a1');
    await append(store, tagged(a, 'a3'));
    await until(() => sink.seen.includes('a3'));
    // A's events in log order, each once after it succeeded; the stream is no longer parked
    expect(sink.seen.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    await until(async () => (await store.cursors.parked('plugin:sink')).length === 0);
    await append(store, tagged(a, 'a4'));
    await until(() => sink.seen.includes('a4'));
    expect(sink.seen.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('a parked session resumes after a restart, from the store, without losing or reordering', async () => {
    const store = await freshStore();
    const a = randomUUID();
    const first = recorder('sink');
    first.failing.add('a1');
    const gateway = await start(store, [first.plugin], {
      tuning: { events: { ...tuning.events, maxAttempts: 1000 } },
    });
    await append(store, tagged(a, 'a1'));
    await append(store, tagged(a, 'a2'));
    await append(store, tagged(null, 'n1'));
    await until(() => first.seen.includes('n1'));
    await until(async () => (await store.cursors.parked('plugin:sink')).length === 1);
    await stop(gateway);

    const second = recorder('sink');
    await start(store, [second.plugin]);
    await append(store, tagged(a, 'a3'));
    await until(() => second.seen.includes('a3'));
    expect(second.seen.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(second.seen).not.toContain('n1'); // handled before the stop: the cursor moved past it
  });

  it('after the last attempt an event is a dead letter (listed, counted); retrying it re-delivers it', async () => {
    const store = await freshStore();
    const a = randomUUID();
    const metrics = countingMetrics();
    const sink = recorder('sink');
    sink.failing.add('a1');
    const gateway = await start(store, [sink.plugin], { metrics });
    const event = tagged(a, 'a1');
    await append(store, event);
    await append(store, tagged(a, 'a2'));
    await until(() => sink.seen.includes('a2')); // the stream moved on after the dead letter
    expect(sink.attempts.get('a1')).toBe(tuning.events.maxAttempts);
    const { items } = await gateway.deadLetters.list({ kind: 'event' });
    expect(items).toEqual([
      {
        id: expect.any(String),
        kind: 'event',
        pluginId: 'sink',
        name: 'presence.updated',
        sessionId: a,
        payload: { ...event, seq: expect.any(Number) },
        error: 'a1 fails',
        attempts: tuning.events.maxAttempts,
        createdAt: expect.any(String),
      },
    ]);
    expect(metrics.count('zapgate_event_dead_letters_total', { plugin: 'sink' })).toBe(1);
    const letter = items[0] as (typeof items)[number];

    // still failing: the retry says so and keeps the dead letter
    await expect(gateway.deadLetters.retry(letter.id)).rejects.toMatchObject({
      code: 'DEAD_LETTER_RETRY_FAILED',
    });
    expect(await gateway.deadLetters.get(letter.id)).toEqual(letter);

    sink.failing.delete('a1');
    await gateway.deadLetters.retry(letter.id);
    expect(sink.seen.filter((t) => t === 'a1')).toEqual(['a1']);
    expect((await gateway.deadLetters.list()).items).toEqual([]);
    await expect(gateway.deadLetters.retry(letter.id)).rejects.toMatchObject({
      code: 'DEAD_LETTER_NOT_FOUND',
    });
  });

  it('a new plugin starts at the end of the log; with eventsStartAt "beginning" it replays it', async () => {
    const store = await freshStore();
    const old = recorder('old');
    const gateway = await start(store, [old.plugin]);
    for (const tag of ['h1', 'h2']) await append(store, tagged(null, tag));
    await until(() => old.seen.length === 2);
    await stop(gateway);

    const late = recorder('late');
    const replay = recorder('replay', { eventsStartAt: 'beginning' });
    const again = recorder('old');
    await start(store, [again.plugin, late.plugin, replay.plugin]);
    await append(store, tagged(null, 'new'));
    await until(() => late.seen.includes('new') && replay.seen.includes('new') && again.seen.includes('new'));
    expect(late.seen).toEqual(['new']);
    expect(replay.seen).toEqual(['h1', 'h2', 'new']);
    expect(again.seen).toEqual(['new']); // an existing plugin resumes where it was
  });

  it('retention prunes old events every consumer has seen, never one a consumer has not', async () => {
    const store = await freshStore();
    const a = randomUUID();
    const b = randomUUID();
    const sink = recorder('sink');
    sink.failing.add('a-old');
    await start(store, [sink.plugin], {
      eventRetention: '30d',
      tuning: { events: { ...tuning.events, maxAttempts: 1000, pruneIntervalMs: 1000 } },
    });
    const seenOld = tagged(b, 'b-old', 40);
    const stuck = tagged(a, 'a-old', 40);
    await append(store, seenOld);
    await append(store, stuck);
    await append(store, tagged(a, 'a-later', 40));
    const young = tagged(b, 'b-young');
    await append(store, young);
    await until(() => sink.seen.includes('b-young'));
    // B's old event was handled by every consumer: it goes; A's are still unhandled: they stay
    await until(async () => (await store.events.get(seenOld.id)) === null);
    expect(await store.events.get(stuck.id)).not.toBeNull();
    expect(await store.events.get(young.id)).not.toBeNull();
    const kept = await store.events.list({ afterSeq: 0, limit: 10 });
    expect(kept.map(tagOf)).toEqual(['a-old', 'a-later', 'b-young']);

    sink.failing.delete('a-old');
    await until(() => sink.seen.includes('a-later'));
    expect(sink.seen.filter((t) => t.startsWith('a'))).toEqual(['a-old', 'a-later']);
    await until(async () => (await store.events.get(stuck.id)) === null);
    expect((await store.events.list({ afterSeq: 0, limit: 10 })).map(tagOf)).toEqual(['b-young']);
  });
});
