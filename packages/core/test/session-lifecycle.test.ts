import { afterEach, describe, expect, it } from 'vitest';
import { defaultSessionSettings } from '../src/contracts/session.js';
import { eventsOf, type Harness, rejectsWith, sleep, startGateway, waitFor } from './helpers.js';

const account = { deviceJid: '15551230000:7@s.whatsapp.net', phoneNumber: '15551230000', pushName: 'Shop' };
let harness: Harness | null = null;
const start = async (options: Parameters<typeof startGateway>[0] = {}) => {
  harness = await startGateway(options);
  return harness;
};
afterEach(async () => {
  await harness?.gateway.stop();
  harness = null;
});

/** A session paired and connected through the fake. */
async function connected(h: Harness, name = 'main') {
  const session = await h.gateway.sessions.create({ name });
  await h.gateway.sessions.connect(session.id);
  await h.fake.session(session.id).open(account);
  return session;
}

describe('session lifecycle', () => {
  it('goes connecting → qr → connected, storing the QR and announcing each step', async () => {
    const { gateway, store, fake } = await start();
    const session = await gateway.sessions.create({ name: 'main' });
    expect(session.status).toBe('disconnected');
    await rejectsWith(gateway.sessions.qr(session.id), 'QR_NOT_AVAILABLE');

    const connecting = await gateway.sessions.connect(session.id);
    expect(connecting.status).toBe('connecting');
    expect(fake.connectCount(session.id)).toBe(1);

    const expiresAt = '2030-01-01T00:00:00.000Z';
    await fake.session(session.id).qr('2@first-qr', expiresAt);
    expect(await gateway.sessions.get(session.id)).toMatchObject({
      status: 'qr',
      qr: { value: '2@first-qr', expiresAt },
    });
    expect(await gateway.sessions.qr(session.id)).toEqual({ value: '2@first-qr', expiresAt });
    expect((await eventsOf(store, 'session.qr')).map((e) => e.data)).toEqual([
      { qr: '2@first-qr', expiresAt },
    ]);

    await fake.session(session.id).open(account);
    const paired = await gateway.sessions.get(session.id);
    expect(paired).toMatchObject({ status: 'connected', statusReason: null, qr: null, ...account });
    expect(await store.auth.getCreds(session.id)).toEqual({
      me: { id: account.deviceJid, name: 'Shop' },
      registered: true,
    });
    const statuses = (await eventsOf(store, 'session.status')).map((e) =>
      e.type === 'session.status' ? [e.data.previous, e.data.status] : [],
    );
    expect(statuses).toEqual([
      ['disconnected', 'disconnected'],
      ['disconnected', 'connecting'],
      ['connecting', 'qr'],
      ['qr', 'connected'],
    ]);
    expect(fake.liveSockets(session.id)).toBe(1);
    // connecting a connected session changes nothing
    await gateway.sessions.connect(session.id);
    expect(fake.connectCount(session.id)).toBe(1);
  });

  it('reconnects with backoff after a drop, never holding two sockets', async () => {
    const { gateway, store, fake } = await start();
    const session = await connected({ gateway, fake } as Harness);
    const control = fake.session(session.id);
    for (let drop = 1; drop <= 3; drop++) {
      await control.close('connection_lost', 'stream errored');
      await waitFor(async () => {
        const reasons = (await eventsOf(store, 'session.status')).map((e) =>
          e.type === 'session.status' ? e.data.reason : null,
        );
        return expect(reasons.filter((r) => r === 'Reconnecting (attempt 1): stream errored')).toHaveLength(
          drop,
        );
      });
      await control.waitForConnects(drop + 1);
      expect(control.liveSockets).toBe(1);
      await control.open(account);
      expect((await gateway.sessions.get(session.id)).status).toBe('connected');
    }
    expect(control.connectCount).toBe(4);
    expect(control.maxLiveSockets).toBe(1);
  });

  it('keeps retrying when opening a socket fails, with growing attempts', async () => {
    const { gateway, fake } = await start();
    const session = await connected({ gateway, fake } as Harness);
    const control = fake.session(session.id);
    control.failNextConnect();
    await control.close('connection_lost', 'gone');
    await control.waitForConnects(3);
    await waitFor(() => expect(control.liveSockets).toBe(1));
    await control.open(account);
    expect((await gateway.sessions.get(session.id)).status).toBe('connected');
    expect(control.maxLiveSockets).toBe(1);
  });

  it('reconnects at once when a restart is required', async () => {
    // a backoff this long would time the test out: the reconnect must not wait for it
    const { gateway, fake } = await start({
      tuning: { reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 } },
    });
    const session = await connected({ gateway, fake } as Harness);
    await fake.session(session.id).close('restart_required');
    await fake.session(session.id).waitForConnects(2, 1000);
    await fake.session(session.id).open(account);
    expect(await gateway.sessions.get(session.id)).toMatchObject({ status: 'connected', statusReason: null });
    expect(fake.session(session.id).maxLiveSockets).toBe(1);
  });

  it('ends in logged_out with creds wiped when the phone unlinks the device', async () => {
    const { gateway, store, fake } = await start();
    const session = await connected({ gateway, fake } as Harness);
    await store.auth.setKeys(session.id, { 'pre-key': { '1': { k: 1 } } });
    await fake.session(session.id).close('logged_out');
    await waitFor(async () => expect((await gateway.sessions.get(session.id)).status).toBe('logged_out'));
    expect((await gateway.sessions.get(session.id)).statusReason).toBe(
      'Logged out from the phone; pair again',
    );
    expect(await store.auth.getCreds(session.id)).toBeNull();
    expect(await store.auth.getKeys(session.id, 'pre-key', ['1'])).toEqual({});
    await sleep(50);
    expect(fake.connectCount(session.id)).toBe(1);
  });

  it('fails without a reconnect loop when another client replaced the connection', async () => {
    const { gateway, store, fake } = await start();
    const session = await connected({ gateway, fake } as Harness);
    await fake.session(session.id).close('replaced');
    await waitFor(async () => expect((await gateway.sessions.get(session.id)).status).toBe('failed'));
    await sleep(50);
    expect(fake.connectCount(session.id)).toBe(1);
    expect(await store.auth.getCreds(session.id)).not.toBeNull();
  });

  it('disconnect keeps creds and can connect again; logout wipes them', async () => {
    const { gateway, store, fake } = await start();
    const session = await connected({ gateway, fake } as Harness);
    const control = fake.session(session.id);
    const disconnected = await gateway.sessions.disconnect(session.id);
    expect(disconnected).toMatchObject({ status: 'disconnected', statusReason: 'Disconnected by request' });
    expect(control.liveSockets).toBe(0);
    expect(control.callsOf('close')).toHaveLength(1);
    expect(control.callsOf('logout')).toHaveLength(0);
    expect(await store.auth.getCreds(session.id)).not.toBeNull();
    await sleep(30);
    expect(control.connectCount).toBe(1); // a socket we closed is not reconnected

    await gateway.sessions.connect(session.id);
    await control.open(account);
    const loggedOut = await gateway.sessions.logout(session.id);
    expect(loggedOut).toMatchObject({ status: 'logged_out', deviceJid: null, qr: null });
    expect(control.callsOf('logout')).toHaveLength(1);
    expect(control.liveSockets).toBe(0);
    expect(await store.auth.getCreds(session.id)).toBeNull();
  });

  it('returns the scripted pairing code, opening a socket first', async () => {
    const { gateway, fake } = await start({ fake: { pairingCode: 'WXYZ9876' } });
    const session = await gateway.sessions.create({ name: 'pair' });
    expect(await gateway.sessions.pairingCode(session.id, '+1 (555) 123-0000')).toBe('WXYZ9876');
    expect(fake.session(session.id).callsOf('requestPairingCode')).toEqual([
      { method: 'requestPairingCode', args: ['15551230000'] },
    ]);
    await fake.session(session.id).open(account);
    await rejectsWith(gateway.sessions.pairingCode(session.id, '15551230000'), 'SESSION_ALREADY_CONNECTED');
  });

  it('reconnects stored connected sessions on start, a bounded number at a time', async () => {
    const { memoryStore } = await import('../src/testing/index.js');
    const store = memoryStore();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = await store.sessions.create({ name: `s${i}`, settings: defaultSessionSettings });
      await store.sessions.update(s.id, { status: 'connected' });
      ids.push(s.id);
    }
    const idle = await store.sessions.create({ name: 'idle', settings: defaultSessionSettings });
    const { gateway, fake } = await start({
      store,
      fake: { autoOpen: true, openDelayMs: 20 },
      tuning: { boot: { concurrency: 2, staggerMs: 0 } },
    });
    await gateway.booted;
    for (const id of ids) {
      expect(fake.connectCount(id)).toBe(1);
      expect((await gateway.sessions.get(id)).status).toBe('connected');
    }
    expect(fake.connectCount(idle.id)).toBe(0);
    expect(fake.maxConcurrentConnects).toBe(2);
  });
  it('stops at once during a long boot; sessions not started yet stay connecting for the next start', async () => {
    const { memoryStore } = await import('../src/testing/index.js');
    const store = memoryStore();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await store.sessions.create({ name: `s${i}`, settings: defaultSessionSettings });
      await store.sessions.update(s.id, { status: 'connected' });
      ids.push(s.id);
    }
    // one slot pausing ten minutes between starts: the boot would take forty
    const { gateway, fake } = await start({
      store,
      fake: { autoOpen: true },
      tuning: { boot: { concurrency: 1, staggerMs: 600_000, settleTimeoutMs: 600_000 } },
    });
    const first = ids[0] as string;
    await waitFor(async () => (await gateway.sessions.get(first)).status === 'connected');
    const stopping = Date.now();
    await gateway.stop();
    harness = null;
    expect(Date.now() - stopping).toBeLessThan(10_000);
    for (const id of ids.slice(1)) {
      expect(fake.connectCount(id)).toBe(0);
      expect((await store.sessions.get(id))?.status).toBe('connecting');
    }
    // the next start picks them up
    const next = await start({
      store,
      fake: { autoOpen: true },
      tuning: { boot: { concurrency: 5, staggerMs: 0 } },
    });
    await next.gateway.booted;
    for (const id of ids) expect((await next.gateway.sessions.get(id)).status).toBe('connected');
  });

  it('tells a send to a session whose socket is on its way to retry (503), and one that is not connecting that it is not connected (409)', async () => {
    const { memoryStore } = await import('../src/testing/index.js');
    const store = memoryStore();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await store.sessions.create({ name: `s${i}`, settings: defaultSessionSettings });
      await store.sessions.update(s.id, { status: 'connected' });
      ids.push(s.id);
    }
    const [first, waiting] = ids as [string, string];
    const { gateway, fake } = await start({
      store,
      tuning: { boot: { concurrency: 1, staggerMs: 600_000, settleTimeoutMs: 600_000 } },
    });
    await waitFor(() => fake.connectCount(first) === 1);
    const text = { type: 'text', to: '+15550002222', text: 'hi' } as const;
    // no socket, no attempt on this node yet: transient, worth a retry
    const moving = await rejectsWith(gateway.messages.send(waiting, text), 'SESSION_MOVING');
    expect(moving).toMatchObject({ retryAfterSeconds: 2 });
    expect(fake.connectCount(waiting)).toBe(0);
    // the first one's socket is being opened by this node: a retry in a moment finds it open
    expect((await gateway.sessions.get(first)).status).toBe('connecting');
    const connecting = await rejectsWith(gateway.messages.send(first, text), 'SESSION_CONNECTING');
    expect(connecting).toMatchObject({ retryAfterSeconds: 2 });
    await gateway.sessions.disconnect(first);
    await rejectsWith(gateway.messages.send(first, text), 'SESSION_NOT_CONNECTED');
  });

  it('says connecting, not connected, for every stored session until its socket is open again', async () => {
    const { memoryStore } = await import('../src/testing/index.js');
    const store = memoryStore();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await store.sessions.create({ name: `s${i}`, settings: defaultSessionSettings });
      await store.sessions.update(s.id, { status: 'connected' });
      ids.push(s.id);
    }
    // sockets never open by themselves here: boot leaves them connecting
    const { gateway, fake } = await start({
      store,
      tuning: { boot: { concurrency: 1, staggerMs: 0, settleTimeoutMs: 50 } },
    });
    for (const id of ids) {
      const session = await gateway.sessions.get(id);
      expect(session.status).toBe('connecting');
      expect(session.statusReason).toBe('Reconnecting after a restart');
    }
    const announced = (await eventsOf(store, 'session.status')).filter((e) =>
      ids.includes(e.sessionId ?? ''),
    );
    expect(
      announced.map((e) => [
        (e.data as { previous: string }).previous,
        (e.data as { status: string }).status,
      ]),
    ).toEqual(ids.map(() => ['connected', 'connecting']));
    await waitFor(() => fake.connectCount(ids[0] as string) === 1);
    await fake.session(ids[0] as string).open(account);
    expect((await gateway.sessions.get(ids[0] as string)).status).toBe('connected');
  });
});
