import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriptionCache } from '../src/repo/subscription-cache.js';
import { createTestDatabase, type Harness, Receiver, startHarness } from './helpers.js';

/** Subscriptions written the way another gateway process would: not through this process's repository. */
const foreign = (h: Harness) => ({
  insert: (id: string, url: string) =>
    h.store.sql.query(
      `INSERT INTO "webhookSubscriptions" ("id", "url", "endpoint", "secret") VALUES (?, ?, ?, 'whsec_x')`,
      [id, url, new URL(url).origin],
    ),
  disable: (id: string) =>
    h.store.sql.query(
      `UPDATE "webhookSubscriptions" SET "enabled" = false, "updatedAt" = clock_timestamp() WHERE "id" = ?`,
      [id],
    ),
  delete: (id: string) => h.store.sql.query(`DELETE FROM "webhookSubscriptions" WHERE "id" = ?`, [id]),
});

describe('webhook subscriptions held in memory by the fan-out (Postgres)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let h: Harness;
  const statements: string[] = [];
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await new Receiver().listen();
    receivers.push(r);
    return r;
  };
  // what the fan-out reads to find targets (before the cache: one read per event); deliveries read their own
  const subscriptionReads = () =>
    statements.filter(
      (s) =>
        s.includes('FROM "webhookSubscriptions" WHERE "enabled"') ||
        s.includes('AS "at" FROM "webhookSubscriptions"'),
    ).length;

  beforeAll(async () => {
    database = await createTestDatabase();
    // an hour: only this process's own writes (and the version check when it is due) refresh it
    h = await startHarness(database.url, { subscriptionCacheMs: 3_600_000, retryJitter: 0 });
    h.store.knex.on('query', (q: { sql?: string }) => statements.push(q.sql ?? ''));
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await Promise.all(receivers.map((r) => r.close()));
    await database?.drop();
  });

  it('fans 100 events out reading the subscriptions once, not once per event', async () => {
    const r = await receiver();
    const created = await h.call('POST', '/webhooks', {
      body: { url: `${r.url}/all`, events: ['presence.updated'] },
    });
    expect(created.status).toBe(201);
    const before = subscriptionReads();
    const sessionId = (await h.gateway.sessions.create({ name: 'many' })).id;
    for (let i = 0; i < 100; i++)
      await h.emit('presence.updated', sessionId, {
        chatJid: `c${i}`,
        jid: 'j',
        presence: 'available',
        lastSeen: null,
      });
    await r.waitFor((reqs) => reqs.length === 100);
    // one version check and one load after the create invalidated the cache, nothing per event
    expect(subscriptionReads() - before).toBeLessThanOrEqual(2);
  });

  it('applies a create, disable and delete made through this process at once', async () => {
    const r = await receiver();
    const sessionId = (await h.gateway.sessions.create({ name: 'own-writes' })).id;
    const sub = await h.call('POST', `/sessions/${sessionId}/webhooks`, {
      body: { url: `${r.url}/own`, events: ['presence.updated'] },
    });
    const presence = (n: number) =>
      h.emit('presence.updated', sessionId, {
        chatJid: `c${n}`,
        jid: 'j',
        presence: 'available',
        lastSeen: null,
      });
    await presence(1);
    await r.waitFor((reqs) => reqs.length === 1);
    expect(
      (await h.call('PATCH', `/sessions/${sessionId}/webhooks/${sub.body.id}`, { body: { enabled: false } }))
        .status,
    ).toBe(200);
    await presence(2);
    // a second subscription, created after the disable, proves event 2 was fanned out
    const other = await receiver();
    await h.call('POST', `/sessions/${sessionId}/webhooks`, {
      body: { url: `${other.url}/other`, events: ['presence.updated'] },
    });
    await presence(3);
    await other.waitFor((reqs) => reqs.some((q) => (q.json.data as { chatJid: string }).chatJid === 'c3'));
    expect(r.requests.map((q) => (q.json.data as { chatJid: string }).chatJid)).toEqual(['c1']);
    await h.call('DELETE', `/sessions/${sessionId}/webhooks/${sub.body.id}`);
    const left = await new SubscriptionCache(0).enabledFor(h.store.sql, sessionId);
    expect(left.filter((s) => s.sessionId === sessionId).map((s) => s.url)).toEqual([`${other.url}/other`]);
  });

  it("sees another process's insert, disable and delete once its snapshot is older than its age, reloading only what changed", async () => {
    let now = 0;
    const cache = new SubscriptionCache(300, () => now);
    const sessionId = (await h.gateway.sessions.create({ name: 'foreign' })).id;
    // this cache's own statements (the gateway's fan-out runs beside it)
    const own: string[] = [];
    const sql = {
      ...h.store.sql,
      query: (text: string, params?: readonly unknown[]) => {
        own.push(text);
        return h.store.sql.query(text, params);
      },
    } as typeof h.store.sql;
    const subscriptionReads = () => own.length;
    const ids = async () => (await cache.enabledFor(sql, sessionId)).map((s) => s.id).sort();
    const globalIds = await ids();
    const id = randomUUID();
    await foreign(h).insert(id, 'http://127.0.0.1:9/foreign');
    // the snapshot is 299 ms old: used as it is, without a read
    now += 299;
    let reads = subscriptionReads();
    expect(await ids()).toEqual(globalIds);
    expect(subscriptionReads()).toBe(reads);
    // 300 ms: the version check sees the insert and loads again
    now += 1;
    expect(await ids()).toEqual([...globalIds, id].sort());
    expect(subscriptionReads() - reads).toBe(2);
    // nothing changed: the version check alone
    now += 300;
    reads = subscriptionReads();
    expect(await ids()).toEqual([...globalIds, id].sort());
    expect(subscriptionReads() - reads).toBe(1);
    expect(own.at(-1)).toContain('count(*)');
    await foreign(h).disable(id);
    now += 300;
    expect(await ids()).toEqual(globalIds);
    const other = randomUUID();
    await foreign(h).insert(other, 'http://127.0.0.1:9/other');
    now += 300;
    expect(await ids()).toEqual([...globalIds, other].sort());
    await foreign(h).delete(other);
    now += 300;
    expect(await ids()).toEqual(globalIds);
  });
});
