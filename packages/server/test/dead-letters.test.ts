import { definePlugin, PermanentJobError, type PluginContext } from '@zapgate/core';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer, waitFor } from './fixtures.js';

describe.each(['postgres', 'pglite'] as const)('dead letters over REST on %s', (backend) => {
  let t: TestServer;
  let store: PostgresStore;
  let drop = async () => {};
  let ctx: PluginContext | undefined;
  let fixed = false;
  const ran: unknown[] = [];
  const handled: string[] = [];
  let session: { id: string; apiKey: string };

  const flaky = definePlugin({
    id: 'flaky',
    version: '1.0.0',
    setup: (c) => {
      ctx = c;
    },
    jobs: {
      work: {
        async handle(job) {
          if (!fixed) throw new PermanentJobError('not yet');
          ran.push({ payload: job.payload, lane: job.lane, group: job.group, attempt: job.attempt });
        },
      },
    },
    events: {
      '*': async (event) => {
        if (event.type !== ('flaky.ping' as string)) return;
        if (!fixed) throw new Error('still broken');
        handled.push(event.id);
      },
    },
  });

  const get = (url: string, headers: Record<string, string> = admin) =>
    t.app.inject({ method: 'GET', url, headers });
  const list = async (query = '') => (await get(`/v1/admin/dead-letters${query}`)).json();

  beforeAll(async () => {
    if (backend === 'postgres') {
      const database = await createTestDatabase({ prefix: 'zapgate_server_dead' });
      store = postgresStore({ databaseUrl: database.url });
      drop = () => database.drop();
    } else {
      store = postgresStore({ dataDir: 'memory://' });
    }
    t = await testServer({ plugins: [flaky], store });
    session = await t.createSession('dead-a');
  });
  afterAll(async () => {
    await t?.close();
    await drop();
  });

  it('lists dead jobs and dead events in one view, gets, filters, pages, counts them, and refuses bad input', async () => {
    await ctx!.jobs.enqueue('work', { n: 1 }, { lane: 'L', group: 'g' });
    const job = await waitFor(async () => (await list('?kind=job')).items[0]);
    expect(job).toMatchObject({
      kind: 'job',
      pluginId: 'flaky',
      name: 'work',
      sessionId: null,
      payload: { payload: { n: 1 }, lane: 'L', key: null, group: 'g' },
      error: 'PermanentJobError: not yet',
      attempts: 1,
    });
    const envelope = {
      id: '01JDEADLETTERTEST0000000001',
      type: 'flaky.ping',
      sessionId: session.id,
      occurredAt: new Date().toISOString(),
      data: { n: 2 },
    };
    const event = await store.deadLetters.add({
      kind: 'event',
      pluginId: 'flaky',
      name: 'flaky.ping',
      sessionId: session.id,
      payload: envelope,
      error: 'still broken',
      attempts: 7,
    });

    const all = await list();
    expect(all.items.map((d: { id: string }) => d.id)).toEqual([event.id, job.id]);
    expect(all.nextCursor).toBeNull();
    expect((await list('?kind=event')).items.map((d: { id: string }) => d.id)).toEqual([event.id]);
    expect((await list(`?sessionId=${session.id}`)).items.map((d: { id: string }) => d.id)).toEqual([
      event.id,
    ]);
    expect((await list('?pluginId=nobody')).items).toEqual([]);
    const first = await list('?limit=1');
    expect(first.items.map((d: { id: string }) => d.id)).toEqual([event.id]);
    const second = await list(`?limit=1&cursor=${first.nextCursor}`);
    expect(second).toEqual({ items: [expect.objectContaining({ id: job.id })], nextCursor: null });

    const one = await get(`/v1/admin/dead-letters/${event.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: event.id, kind: 'event', payload: envelope, attempts: 7 });
    const missing = await get(`/v1/admin/dead-letters/${crypto.randomUUID()}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('DEAD_LETTER_NOT_FOUND');

    for (const url of [
      '/v1/admin/dead-letters?kind=nope',
      '/v1/admin/dead-letters?cursor=nope',
      '/v1/admin/dead-letters?sessionId=x',
      '/v1/admin/dead-letters/not-a-uuid',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
    }
    const badCursor = Buffer.from(JSON.stringify(['not a date', crypto.randomUUID()])).toString('base64url');
    const bad = await get(`/v1/admin/dead-letters?cursor=${badCursor}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_CURSOR');

    const metrics = await get('/metrics', {});
    expect(metrics.body).toContain('zapgate_dead_letters{plugin="flaky",kind="job"} 1');
    expect(metrics.body).toContain('zapgate_dead_letters{plugin="flaky",kind="event"} 1');
  });

  it('counts jobs not finished by state in zapgate_jobs_queued, and 0 once they are gone', async () => {
    const metric = async () =>
      (await get('/metrics', {})).body
        .split('\n')
        .find((line) => line.startsWith('zapgate_jobs_queued{plugin="flaky"'));
    await ctx!.jobs.enqueue('work', { later: true }, { delayMs: 3_600_000, key: 'later' });
    expect(await metric()).toBe('zapgate_jobs_queued{plugin="flaky",name="work",state="scheduled"} 1');
    expect(await ctx!.jobs.cancel({ key: 'later' })).toBe(1);
    expect(await metric()).toBe('zapgate_jobs_queued{plugin="flaky",name="work",state="scheduled"} 0');
  });

  it('is admin only', async () => {
    for (const [method, url] of [
      ['GET', '/v1/admin/dead-letters'],
      ['GET', `/v1/admin/dead-letters/${crypto.randomUUID()}`],
      ['POST', `/v1/admin/dead-letters/${crypto.randomUUID()}/retry`],
      ['DELETE', `/v1/admin/dead-letters/${crypto.randomUUID()}`],
    ] as const) {
      const asSession = await t.app.inject({ method, url, headers: { 'x-api-key': session.apiKey } });
      expect(asSession.statusCode, `${method} ${url}`).toBe(403);
      const anonymous = await t.app.inject({ method, url });
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('retries an event (409 and kept while its handler fails) and a job (queued again with its lane and group), deletes', async () => {
    const { items } = await list();
    const event = items.find((d: { kind: string }) => d.kind === 'event');
    const job = items.find((d: { kind: string }) => d.kind === 'job');
    const retry = (id: string) =>
      t.app.inject({ method: 'POST', url: `/v1/admin/dead-letters/${id}/retry`, headers: admin });

    const failed = await retry(event.id);
    expect(failed.statusCode).toBe(409);
    expect(failed.json().code).toBe('DEAD_LETTER_RETRY_FAILED');
    expect((await get(`/v1/admin/dead-letters/${event.id}`)).statusCode).toBe(200);

    fixed = true;
    const retried = await retry(event.id);
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toEqual({ retried: true });
    expect(handled).toEqual([event.payload.id]);
    expect((await get(`/v1/admin/dead-letters/${event.id}`)).statusCode).toBe(404);

    expect((await retry(job.id)).statusCode).toBe(202);
    await waitFor(() => ran.length === 1);
    expect(ran).toEqual([{ payload: { n: 1 }, lane: 'L', group: 'g', attempt: 1 }]);
    expect((await list()).items).toEqual([]);
    const metrics = await get('/metrics', {});
    expect(metrics.body).toContain('zapgate_dead_letters{plugin="flaky",kind="job"} 0');

    const extra = await store.deadLetters.add({
      kind: 'job',
      pluginId: 'flaky',
      name: 'work',
      sessionId: null,
      payload: { payload: null, lane: null, key: null, group: null },
      error: 'x',
      attempts: 1,
    });
    const url = `/v1/admin/dead-letters/${extra.id}`;
    expect((await t.app.inject({ method: 'DELETE', url, headers: admin })).statusCode).toBe(204);
    const again = await t.app.inject({ method: 'DELETE', url, headers: admin });
    expect(again.statusCode).toBe(404);
    expect((await retry(extra.id)).statusCode).toBe(404);
  });
});
