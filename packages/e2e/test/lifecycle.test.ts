import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  backends,
  pairOverHttp,
  type ServerStack,
  startServerStack,
  waitForStatus,
} from './server-stack.js';
import { eventsOf, waitFor } from './stack.js';

describe.each(backends)('session lifecycle over HTTP on %s', (backend: Backend) => {
  let stack: ServerStack;

  beforeAll(async () => {
    stack = await startServerStack(backend);
  });
  afterAll(() => stack?.close());

  it('onboards by QR: text and PNG data URL, then connected with device, phone and events', async () => {
    const { id, qr, session, paired } = await pairOverHttp(stack, 'qr-flow', '15551110001');
    expect(qr.qr.startsWith('https://wa.me/settings/linked_devices#')).toBe(true);
    expect(qr.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect(session).toMatchObject({
      status: 'connected',
      phoneNumber: '15551110001',
      deviceJid: paired.deviceJid,
      qr: null,
    });
    const statuses = (await eventsOf(stack.store, 'session.status', id)).map(
      (e) => (e.data as { status: string }).status,
    );
    expect(statuses).toContain('qr');
    expect(statuses.at(-1)).toBe('connected');
  });

  it('onboards by pairing code', async () => {
    const created = await stack.api('POST', '/v1/sessions', { name: 'code-flow' });
    const id = created.body.id as string;
    const code = await stack.api('POST', `/v1/sessions/${id}/pairing-code`, {
      phoneNumber: '+1 555 111 0002',
    });
    expect(code.status).toBe(200);
    expect(code.body.code).toMatch(/^[A-Z0-9]{8}$/);
    const paired = await stack.sim.enterPairingCode(code.body.code, { phoneNumber: '15551110002' });
    const session = await waitForStatus(stack, id, 'connected');
    expect(session).toMatchObject({ phoneNumber: '15551110002', deviceJid: paired.deviceJid });
  });

  it('reconnects every paired session after a server restart without pairing again', async () => {
    const before = (await stack.api('GET', '/v1/sessions')).body.items.filter(
      (s: { status: string }) => s.status === 'connected',
    );
    expect(before.length).toBeGreaterThanOrEqual(2);
    const qrEventsBefore = (await eventsOf(stack.store, 'session.qr')).length;
    const pairedBefore = stack.sim.devices().length;
    await stack.restart();
    for (const session of before) {
      const after = await waitForStatus(stack, session.id, 'connected');
      expect(after.deviceJid).toBe(session.deviceJid);
    }
    expect((await eventsOf(stack.store, 'session.qr')).length).toBe(qrEventsBefore);
    expect(stack.sim.devices().length).toBe(pairedBefore);
    // and the reconnected socket still works: a message gets through
    const alice = stack.sim.contact('15551119999', { name: 'Alice' });
    const waid = await alice.sendText(before[0].deviceJid, 'after restart');
    await waitFor(
      () => stack.store.messages.getByWaid(before[0].id, '15551119999@s.whatsapp.net', waid),
      20_000,
      'message after restart',
    );
  });

  it('reconnects with backoff after the socket drops', async () => {
    const { id, session } = await pairOverHttp(stack, 'drop-flow', '15551110003');
    const seqBefore = await stack.store.events.head();
    stack.sim.dropConnection(session.deviceJid);
    const reconnected = await waitFor(
      async () => {
        const events = await stack.store.events.list({
          afterSeq: seqBefore,
          limit: 100,
          sessionId: id,
          types: ['session.status'],
        });
        const statuses = events.map((e) => (e.data as { status: string }).status);
        return statuses.includes('connecting') && statuses.at(-1) === 'connected' ? events : null;
      },
      30_000,
      'reconnect',
    );
    const connecting = reconnected.find((e) => (e.data as { status: string }).status === 'connecting');
    expect(connecting).toBeDefined();
    expect((connecting!.data as { reason: string }).reason).toMatch(/^Reconnecting \(attempt 1\)/);
    expect((await stack.api('GET', `/v1/sessions/${id}`)).body.deviceJid).toBe(session.deviceJid);
  });

  it('ends in logged_out with creds wiped when the phone unlinks the device', async () => {
    const { id, session } = await pairOverHttp(stack, 'logout-flow', '15551110004');
    expect(await stack.store.auth.getCreds(id)).not.toBeNull();
    stack.sim.logout(session.deviceJid);
    const after = await waitForStatus(stack, id, 'logged_out');
    expect(after.statusReason).toMatch(/Logged out/);
    expect(await stack.store.auth.getCreds(id)).toBeNull();
    const last = (await eventsOf(stack.store, 'session.status', id)).at(-1);
    expect(last?.data).toMatchObject({ status: 'logged_out', previous: 'connected' });
  });

  it('stops with failed (no fight loop) when another client replaces the connection', async () => {
    const { id, session } = await pairOverHttp(stack, 'replace-flow', '15551110005');
    const loginsBefore = stack.sim.devices().find((d) => d.deviceJid === session.deviceJid);
    expect(loginsBefore?.online).toBe(true);
    stack.sim.replaceConnection(session.deviceJid);
    const after = await waitForStatus(stack, id, 'failed');
    expect(after.statusReason).toMatch(/replaced/);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.api('GET', `/v1/sessions/${id}`)).body.status).toBe('failed');
  });

  it('disconnects keeping creds, then connects again without a QR; logout over HTTP wipes them', async () => {
    const { id } = await pairOverHttp(stack, 'manual-flow', '15551110006');
    const disconnected = await stack.api('POST', `/v1/sessions/${id}/disconnect`);
    expect(disconnected.body.status).toBe('disconnected');
    expect(await stack.store.auth.getCreds(id)).not.toBeNull();
    await stack.api('POST', `/v1/sessions/${id}/connect`);
    await waitForStatus(stack, id, 'connected');
    const loggedOut = await stack.api('POST', `/v1/sessions/${id}/logout`);
    expect(loggedOut.body.status).toBe('logged_out');
    expect(await stack.store.auth.getCreds(id)).toBeNull();
    const deleted = await stack.api('DELETE', `/v1/sessions/${id}`);
    expect(deleted.status).toBe(204);
    expect((await stack.api('GET', `/v1/sessions/${id}`)).status).toBe(404);
  });
});
