import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.js';

describe('webhook subscriptions: strict events and paged lists (PGlite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(undefined);
  }, 180_000);
  afterAll(() => h?.stop());

  it('refuses events patterns that match no event type, core or plugin (nope.* was accepted and never fired)', async () => {
    const refused = await h.call('POST', '/webhooks', {
      body: { url: 'http://127.0.0.1:9/a', events: ['message.*', 'nope.*', 'mesage.received'] },
    });
    expect(refused).toMatchObject({ status: 400, body: { code: 'WEBHOOKS_UNKNOWN_EVENT' } });
    expect(refused.body.message).toContain('"nope.*", "mesage.received" match no event type');
    // core's types, wildcards, `*` and this plugin's own `webhook.test` are all known
    const ok = await h.call('POST', '/webhooks', {
      body: { url: 'http://127.0.0.1:9/a', events: ['message.received', 'group.*', '*', 'webhook.test'] },
    });
    expect(ok.status).toBe(201);
    const patched = await h.call('PATCH', `/webhooks/${ok.body.id}`, { body: { events: ['nope.*'] } });
    expect(patched).toMatchObject({ status: 400, body: { code: 'WEBHOOKS_UNKNOWN_EVENT' } });
    const kept = await h.call('GET', `/webhooks/${ok.body.id}`);
    expect(kept.body.events).toEqual(['message.received', 'group.*', '*', 'webhook.test']);
  });

  it('lists subscriptions as { items, nextCursor }, every one exactly once across pages', async () => {
    const session = (await h.gateway.sessions.create({ name: 'paged' })).id;
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = await h.call('POST', `/sessions/${session}/webhooks`, {
        body: { url: `http://127.0.0.1:9/h${i}` },
      });
      created.push(reply.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await h.call('GET', `/sessions/${session}/webhooks`, {
        query: { limit: 2, ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      expect(Object.keys(page.body).sort()).toEqual(['items', 'nextCursor']);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((s: { id: string }) => s.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual([...created].sort());
    const bad = await h.call('GET', `/sessions/${session}/webhooks`, { query: { cursor: 'bm9wZQ' } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
  });
});
