import { randomBytes, randomUUID } from 'node:crypto';
import { initAuthCreds, proto, type SignalDataSet, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import { defaultSessionSettings } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { backends, storeFactory, waitFor } from './helpers.js';

const bytes = (n: number) => randomBytes(n);
const same = (a: Uint8Array | null | undefined, b: Uint8Array) =>
  a != null && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** One value of every Signal key type Baileys stores, shaped as Baileys writes them. */
function sampleKeys() {
  return {
    'pre-key': {
      '1': { public: bytes(32), private: bytes(32) },
      '2': { public: bytes(32), private: bytes(32) },
    },
    session: { '15550001111.0': bytes(220), '15550001111:2@s.whatsapp.net': bytes(180) },
    'sender-key': { '123@g.us::15550001111::0': bytes(120) },
    'sender-key-memory': { '123@g.us': { '15550001111:0@s.whatsapp.net': true, '15550002222@lid': false } },
    'app-state-sync-key': {
      AAAAAJRz: {
        keyData: bytes(32),
        fingerprint: { rawId: 1234, currentIndex: 3, deviceIndexes: [0, 1] },
        timestamp: 1_700_000_000,
      },
    },
    'app-state-sync-version': {
      regular_high: { version: 12, hash: bytes(128), indexValueMap: { 'aW5kZXg=': { valueMac: bytes(32) } } },
    },
    'lid-mapping': { '15550001111': '98765@lid', '98765_reverse': '15550001111' },
    'device-list': { '15550001111': ['0', '2', '5'] },
    tctoken: { '15550001111@s.whatsapp.net': { token: bytes(24), timestamp: '1700000000' } },
    'identity-key': { '15550001111.0': bytes(33) },
  } satisfies { [T in keyof SignalDataTypeMap]: Record<string, SignalDataTypeMap[T]> };
}

describe.each(backends)('Baileys auth state on %s', (backend) => {
  const stores = storeFactory(backend);
  let store: PostgresStore;
  beforeAll(async () => {
    await stores.setup();
    store = stores.create();
    await store.init();
  });
  afterAll(() => stores.teardown());

  const newSession = () => store.sessions.create({ name: randomUUID(), settings: defaultSessionSettings });

  it('round-trips creds from initAuthCreds() byte for byte', async () => {
    const { id } = await newSession();
    const first = await store.authState(id);
    first.state.creds.me = { id: '15550001111:2@s.whatsapp.net', lid: '98765:2@lid', name: 'Ana' };
    first.state.creds.registered = true;
    await first.saveCreds();

    const { creds } = (await store.authState(id)).state;
    const original = first.state.creds;
    // JSON drops `undefined` fields, exactly as Baileys' own file auth state does
    const defined = (o: object) =>
      Object.entries(o)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k)
        .sort();
    expect(defined(creds)).toEqual(defined(original));
    expect(same(creds.noiseKey.private, original.noiseKey.private)).toBe(true);
    expect(same(creds.noiseKey.public, original.noiseKey.public)).toBe(true);
    expect(same(creds.pairingEphemeralKeyPair.private, original.pairingEphemeralKeyPair.private)).toBe(true);
    expect(same(creds.signedIdentityKey.private, original.signedIdentityKey.private)).toBe(true);
    expect(same(creds.signedPreKey.keyPair.public, original.signedPreKey.keyPair.public)).toBe(true);
    expect(same(creds.signedPreKey.signature, original.signedPreKey.signature)).toBe(true);
    expect(Buffer.isBuffer(creds.noiseKey.private)).toBe(true);
    expect(creds.signedPreKey.keyId).toBe(original.signedPreKey.keyId);
    expect(creds.registrationId).toBe(original.registrationId);
    expect(creds.advSecretKey).toBe(original.advSecretKey);
    expect(creds.me).toEqual(original.me);
    expect(creds.registered).toBe(true);
  });

  it('round-trips every key type, revives app-state-sync-key as a proto object, deletes nulls', async () => {
    const { id } = await newSession();
    const { state } = await store.authState(id);
    const keys = sampleKeys();
    await state.keys.set(keys as SignalDataSet);

    const pre = await state.keys.get('pre-key', ['1', '2', '404']);
    expect(Object.keys(pre).sort()).toEqual(['1', '2']);
    expect(same(pre['1']?.private, keys['pre-key']['1'].private)).toBe(true);
    expect(same(pre['2']?.public, keys['pre-key']['2'].public)).toBe(true);
    for (const [sid, value] of Object.entries(keys.session)) {
      expect(same((await state.keys.get('session', [sid]))[sid], value)).toBe(true);
    }
    const senderKey = Object.keys(keys['sender-key'])[0] as string;
    expect(
      same(
        (await state.keys.get('sender-key', [senderKey]))[senderKey],
        keys['sender-key'][senderKey as '123@g.us::15550001111::0'],
      ),
    ).toBe(true);
    expect(await state.keys.get('sender-key-memory', ['123@g.us'])).toEqual(keys['sender-key-memory']);

    const sync = (await state.keys.get('app-state-sync-key', ['AAAAAJRz'])).AAAAAJRz;
    expect(sync).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(same(sync?.keyData, keys['app-state-sync-key'].AAAAAJRz.keyData)).toBe(true);
    expect(sync?.fingerprint?.rawId).toBe(1234);
    expect(sync?.fingerprint?.deviceIndexes).toEqual([0, 1]);
    expect(Number(sync?.timestamp)).toBe(1_700_000_000);

    const version = (await state.keys.get('app-state-sync-version', ['regular_high'])).regular_high;
    expect(version?.version).toBe(12);
    expect(same(version?.hash, keys['app-state-sync-version'].regular_high.hash)).toBe(true);
    expect(
      same(
        version?.indexValueMap['aW5kZXg=']?.valueMac,
        keys['app-state-sync-version'].regular_high.indexValueMap['aW5kZXg='].valueMac,
      ),
    ).toBe(true);
    expect(await state.keys.get('lid-mapping', ['15550001111', '98765_reverse'])).toEqual(
      keys['lid-mapping'],
    );
    expect(await state.keys.get('device-list', ['15550001111'])).toEqual(keys['device-list']);
    const token = (await state.keys.get('tctoken', ['15550001111@s.whatsapp.net']))[
      '15550001111@s.whatsapp.net'
    ];
    expect(same(token?.token, keys.tctoken['15550001111@s.whatsapp.net'].token)).toBe(true);
    expect(token?.timestamp).toBe('1700000000');
    expect(
      same(
        (await state.keys.get('identity-key', ['15550001111.0']))['15550001111.0'],
        keys['identity-key']['15550001111.0'],
      ),
    ).toBe(true);

    await state.keys.set({ 'pre-key': { '1': null }, 'lid-mapping': { '15550001111': null } });
    expect(Object.keys(await state.keys.get('pre-key', ['1', '2']))).toEqual(['2']);
    expect(await state.keys.get('lid-mapping', ['15550001111'])).toEqual({});
    // deleting what is gone is a no-op
    await state.keys.set({ 'pre-key': { '1': null } });
  });

  it('keeps a consistent state under concurrent keys.set on the same ids', async () => {
    const { id } = await newSession();
    const { state } = await store.authState(id);
    const ids = Array.from({ length: 40 }, (_, i) => String(i));
    const writes = Array.from({ length: 8 }, (_, w) => ({
      'pre-key': Object.fromEntries(
        ids.map((k) => [k, { public: Buffer.alloc(32, w), private: Buffer.alloc(32, w) }]),
      ),
      session: Object.fromEntries(ids.map((k) => [`${k}.0`, Buffer.alloc(64, w)])),
    }));
    // writers also list ids in different orders
    await Promise.all(
      writes.map((data, w) =>
        state.keys.set(
          w % 2
            ? { session: data.session, 'pre-key': data['pre-key'] }
            : { 'pre-key': data['pre-key'], session: data.session },
        ),
      ),
    );
    const pre = await state.keys.get('pre-key', ids);
    const sessions = await state.keys.get(
      'session',
      ids.map((k) => `${k}.0`),
    );
    expect(Object.keys(pre)).toHaveLength(ids.length);
    expect(Object.keys(sessions)).toHaveLength(ids.length);
    // each key holds exactly one writer's value, never a mix of bytes
    for (const k of ids) {
      const value = pre[k];
      const w = value?.public[0] as number;
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThan(writes.length);
      expect(same(value?.public, Buffer.alloc(32, w))).toBe(true);
      expect(same(value?.private, Buffer.alloc(32, w))).toBe(true);
      expect(same(sessions[`${k}.0`], Buffer.alloc(64, sessions[`${k}.0`]?.[0] ?? -1))).toBe(true);
    }
  });

  it('clear and session delete wipe creds and keys together', async () => {
    const a = await newSession();
    const b = await newSession();
    for (const s of [a, b]) {
      const { state, saveCreds } = await store.authState(s.id);
      await saveCreds();
      await state.keys.set({ 'pre-key': { '1': { public: bytes(32), private: bytes(32) } } });
    }
    await store.auth.clear(a.id);
    expect(await store.auth.getCreds(a.id)).toBeNull();
    expect(await store.auth.getKeys(a.id, 'pre-key', ['1'])).toEqual({});
    expect(await store.auth.getCreds(b.id)).not.toBeNull();

    await store.sessions.delete(b.id, { keepData: true });
    expect(await store.auth.getCreds(b.id)).toBeNull();
    expect(await store.auth.getKeys(b.id, 'pre-key', ['1'])).toEqual({});
  });

  it('surfaces a read failure instead of creating new creds', async () => {
    const own = stores.create();
    await own.init();
    const { id } = await own.sessions.create({ name: 'failing', settings: defaultSessionSettings });
    await (await own.authState(id)).saveCreds();
    await own.close();
    await expect(own.authState(id)).rejects.toThrow();
    await expect(own.auth.getKeys(id, 'pre-key', ['1'])).rejects.toThrow();
  });

  it('starts a never-paired session with fresh creds', async () => {
    const { id } = await newSession();
    const { creds } = (await store.authState(id)).state;
    expect(Object.keys(creds).sort()).toEqual(Object.keys(initAuthCreds()).sort());
    expect(await store.auth.getCreds(id)).toBeNull(); // nothing saved until saveCreds
  });
});

describe('Baileys auth state when Postgres ends its connection', () => {
  const stores = storeFactory('postgres');
  let store: PostgresStore;
  let holder: PostgresStore;
  beforeAll(async () => {
    await stores.setup();
    store = stores.create();
    await store.init();
    holder = stores.create({ pool: { min: 0, max: 1 } });
  });
  afterAll(() => stores.teardown());

  it('writes Signal keys on a new connection when the one in use is terminated mid-write', async () => {
    const { id } = await store.sessions.create({ name: 'terminated', settings: defaultSessionSettings });
    const { state } = await store.authState(id);
    await state.keys.set({ session: { '15550001111.0': Buffer.alloc(16, 1) } });
    const written = Buffer.alloc(16, 2);
    // another connection holds the key's row: the store's write waits on it...
    const { write } = await holder.transaction(async (tx) => {
      await tx.sql!.query('SELECT 1 FROM "authKeys" WHERE "sessionId" = ? FOR UPDATE', [id]);
      const write = Promise.resolve(state.keys.set({ session: { '15550001111.0': written } })).then(
        () => 'written',
        (error: unknown) => `failed: ${String(error)}`,
      );
      // ...until Postgres ends the waiting connection (an admin, a restart, a failover)
      const waiting = await waitFor(
        async () =>
          (
            await tx.sql!.query<{ pid: number }>(
              `SELECT "pid" FROM pg_stat_activity WHERE "datname" = current_database() AND "wait_event_type" = 'Lock'`,
            )
          )[0]?.pid ?? null,
        10_000,
        'the write waiting on the row lock',
      );
      await tx.sql!.query('SELECT pg_terminate_backend(?)', [waiting]);
      return { write }; // not awaited here: the retried write waits for this transaction's end
    });
    expect(await write).toBe('written');
    const stored = await state.keys.get('session', ['15550001111.0']);
    expect(same(stored['15550001111.0'], written)).toBe(true);
  });
});
