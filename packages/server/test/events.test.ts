import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer, waitFor } from './fixtures.js';

interface Frame {
  id: string;
  event: string;
  data: { id: string; type: string; sessionId: string | null; data: Record<string, unknown> };
}

/** Reads SSE frames from a live response until `count` arrived. */
async function readFrames(response: Response, count: number, timeoutMs = 10_000): Promise<Frame[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Frame[] = [];
  let buffer = '';
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (frames.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(': '))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        );
        if (fields.data)
          frames.push({ id: fields.id ?? '', event: fields.event ?? '', data: JSON.parse(fields.data) });
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return frames;
}

describe('GET /v1/events (SSE)', () => {
  let t: TestServer;
  let base: string;
  let a: { id: string; apiKey: string };
  let b: { id: string; apiKey: string };
  beforeAll(async () => {
    t = await testServer();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    a = await t.createSession('sse-a');
    b = await t.createSession('sse-b');
  });
  afterAll(() => t?.close());

  const patch = (s: { id: string; apiKey: string }, markRead: boolean) =>
    t.app
      .inject({ method: 'POST', url: `/v1/sessions/${s.id}/connect`, headers: { 'x-api-key': s.apiKey } })
      .then(() =>
        t.app.inject({
          method: 'PATCH',
          url: `/v1/sessions/${s.id}`,
          headers: admin,
          payload: { settings: { markRead } },
        }),
      );

  it('streams new events of the key’s own session, filtered by type, and resumes with Last-Event-ID', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/events?types=session.*`, {
      headers: { 'x-api-key': a.apiKey },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = readFrames(response, 2);
    await patch(b, true); // another session: must not show up
    await patch(a, true); // connect → session.status connecting
    await t.fake.session(a.id).qr(); // → session.status qr, session.qr
    const frames = await reading;
    controller.abort();
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) {
      expect(frame.data.sessionId).toBe(a.id);
      expect(frame.event).toMatch(/^session\./);
      expect(frame.id).toBe(frame.data.id);
      expect(frame.data).not.toHaveProperty('seq');
    }

    // Resume after the first frame: the second one comes again, and nothing earlier.
    const resumed = await fetch(`${base}/v1/events?types=session.*`, {
      headers: { 'x-api-key': a.apiKey, 'last-event-id': frames[0]!.id },
    });
    const again = await readFrames(resumed, 1);
    expect(again[0]?.id).toBe(frames[1]!.id);
  });

  it('lets the admin stream every session; refuses unknown Last-Event-ID and foreign sessions', async () => {
    const response = await fetch(`${base}/v1/events?types=session.status`, { headers: admin });
    const reading = readFrames(response, 2);
    const c = await t.createSession('sse-c');
    const d = await t.createSession('sse-d');
    const frames = await reading;
    expect(frames.map((f) => f.data.sessionId)).toEqual([c.id, d.id]);
    expect(frames.every((f) => f.event === 'session.status')).toBe(true);

    const unknown = await fetch(`${base}/v1/events`, {
      headers: { ...admin, 'last-event-id': '01HZZZZZZZZZZZZZZZZZZZZZZZ' },
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { code: string }).code).toBe('INVALID_CURSOR');
    const foreign = await fetch(`${base}/v1/events?sessionId=${b.id}`, {
      headers: { 'x-api-key': a.apiKey },
    });
    expect(foreign.status).toBe(403);
    const anonymous = await fetch(`${base}/v1/events`);
    expect(anonymous.status).toBe(401);
  });
});

describe('GET /v1/sessions/{id}/events (history)', () => {
  let t: TestServer;
  let a: { id: string; apiKey: string };
  let b: { id: string; apiKey: string };
  type Page = {
    items: { id: string; type: string; sessionId: string; data: { status?: string; previous?: string } }[];
    nextCursor: string | null;
  };
  const history = async (id: string, query: string, headers: Record<string, string> = admin) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/events?${query}`, headers });
    return { status: res.statusCode, body: res.json() as Page & { code?: string } };
  };
  beforeAll(async () => {
    t = await testServer();
    a = await t.createSession('history-a');
    b = await t.createSession('history-b');
    await t.connectAndOpen(a);
    await waitFor(
      async () => (await history(a.id, 'types=session.status')).body.items[0]?.data.status === 'connected',
    );
  });
  afterAll(() => t?.close());

  it("lists a session's connection history newest first, page by page", async () => {
    const all = await history(a.id, 'types=session.status');
    expect(all.status).toBe(200);
    const statuses = all.body.items.map((e) => e.data.status);
    expect(statuses.slice(0, 2)).toEqual(['connected', 'connecting']);
    expect(statuses.at(-1)).toBe('disconnected'); // created
    expect(all.body.items.every((e) => e.type === 'session.status' && e.sessionId === a.id)).toBe(true);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[0]).not.toHaveProperty('seq');

    const paged: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await history(a.id, `types=session.status&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items).toHaveLength(1);
      paged.push(page.body.items[0]!.id);
      cursor = page.body.nextCursor;
    }
    expect(paged).toEqual(all.body.items.map((e) => e.id));
    // without a type filter: every event of the session, still only its own
    const any = await history(a.id, 'limit=200');
    expect(any.body.items.length).toBeGreaterThanOrEqual(all.body.items.length);
    expect(any.body.items.every((e) => e.sessionId === a.id)).toBe(true);
  });

  it('reaches only what the key reaches; refuses unknown sessions and foreign cursors', async () => {
    expect((await history(a.id, '', { 'x-api-key': a.apiKey })).status).toBe(200);
    expect((await history(b.id, '', { 'x-api-key': a.apiKey })).status).toBe(403);
    const unknown = await history('00000000-0000-4000-8000-000000000000', '');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'SESSION_NOT_FOUND']);
    const bad = await history(a.id, 'cursor=nope');
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_CURSOR']);
    expect((await history(a.id, 'limit=0')).status).toBe(400);
  });
});
