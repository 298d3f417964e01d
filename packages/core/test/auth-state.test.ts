import { randomBytes } from 'node:crypto';
import {
  type AuthenticationCreds,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
} from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { useStoreAuthState } from '../src/baileys/auth-state.js';
import type { AuthRepo } from '../src/ports/auth.js';

/** An AuthRepo that keeps JSON text, like a database would, and counts its calls. */
function jsonAuthRepo() {
  const creds = new Map<string, string>();
  const keys = new Map<string, string>();
  const calls = { setKeys: 0, getKeys: 0 };
  const repo: AuthRepo = {
    async getCreds(sessionId) {
      const text = creds.get(sessionId);
      return text === undefined ? null : JSON.parse(text);
    },
    async setCreds(sessionId, value) {
      creds.set(sessionId, JSON.stringify(value));
    },
    async getKeys(sessionId, type, ids) {
      calls.getKeys++;
      const out: Record<string, unknown> = {};
      for (const id of ids) {
        const text = keys.get(`${sessionId}/${type}/${id}`);
        if (text !== undefined) out[id] = JSON.parse(text);
      }
      return out;
    },
    async setKeys(sessionId, data) {
      calls.setKeys++;
      for (const [type, values] of Object.entries(data)) {
        for (const [id, value] of Object.entries(values)) {
          const key = `${sessionId}/${type}/${id}`;
          if (value === null) keys.delete(key);
          else keys.set(key, JSON.stringify(value));
        }
      }
    },
    async clear(sessionId) {
      creds.delete(sessionId);
      for (const key of keys.keys()) if (key.startsWith(`${sessionId}/`)) keys.delete(key);
    },
  };
  return { repo, calls, keys };
}

const sid = '00000000-0000-4000-8000-000000000001';

describe('useStoreAuthState', () => {
  it('creates creds once and reloads the saved ones byte for byte', async () => {
    const { repo } = jsonAuthRepo();
    const first = await useStoreAuthState(repo, sid);
    expect(first.state.creds.registrationId).toBeTypeOf('number');
    await first.saveCreds();

    const second = await useStoreAuthState(repo, sid);
    const a = first.state.creds;
    const b: AuthenticationCreds = second.state.creds;
    expect(Buffer.isBuffer(b.noiseKey.private)).toBe(true);
    expect(Buffer.compare(Buffer.from(b.noiseKey.private), Buffer.from(a.noiseKey.private))).toBe(0);
    expect(Buffer.compare(Buffer.from(b.signedPreKey.signature), Buffer.from(a.signedPreKey.signature))).toBe(
      0,
    );
    expect(b.advSecretKey).toBe(a.advSecretKey);
    expect(b.registrationId).toBe(a.registrationId);
  });

  it('writes a keys.set in one setKeys call, deletes nulls and revives app-state-sync-key', async () => {
    const { repo, calls, keys } = jsonAuthRepo();
    const { state } = await useStoreAuthState(repo, sid);
    const pre = { public: randomBytes(32), private: randomBytes(32) };
    const session = randomBytes(100);
    const syncKey = {
      keyData: randomBytes(32),
      timestamp: 1700000000,
      fingerprint: { rawId: 7, currentIndex: 2 },
    };
    const data: SignalDataSet = {
      'pre-key': { '1': pre, '2': { public: randomBytes(32), private: randomBytes(32) } },
      session: { 'a@s.whatsapp.net.0': session },
      'app-state-sync-key': { AAAA: syncKey },
      'lid-mapping': { '15550001111': '123@lid' },
    };
    await state.keys.set(data);
    expect(calls.setKeys).toBe(1);

    const preKeys = await state.keys.get('pre-key', ['1', '3']);
    expect(Object.keys(preKeys)).toEqual(['1']);
    expect(Buffer.compare(Buffer.from(preKeys['1']?.private ?? []), pre.private)).toBe(0);
    const sessions = await state.keys.get('session', ['a@s.whatsapp.net.0']);
    expect(Buffer.compare(Buffer.from(sessions['a@s.whatsapp.net.0'] ?? []), session)).toBe(0);
    const sync = (await state.keys.get('app-state-sync-key', ['AAAA'])).AAAA;
    expect(sync).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.compare(Buffer.from(sync?.keyData ?? []), syncKey.keyData)).toBe(0);
    expect(sync?.fingerprint?.rawId).toBe(7);
    expect(await state.keys.get('lid-mapping', ['15550001111'])).toEqual({ '15550001111': '123@lid' });

    await state.keys.set({ 'pre-key': { '1': null } });
    expect(calls.setKeys).toBe(2);
    expect(await state.keys.get('pre-key', ['1'])).toEqual({});
    expect(keys.has(`${sid}/pre-key/2`)).toBe(true);
  });

  it('rejects when the creds cannot be read instead of creating new ones', async () => {
    const { repo } = jsonAuthRepo();
    const failing: AuthRepo = { ...repo, getCreds: () => Promise.reject(new Error('connection lost')) };
    await expect(useStoreAuthState(failing, sid)).rejects.toThrow('connection lost');
  });

  it('keeps initAuthCreds shape for a never-paired session', async () => {
    const { repo } = jsonAuthRepo();
    const { state } = await useStoreAuthState(repo, sid);
    expect(Object.keys(state.creds).sort()).toEqual(Object.keys(initAuthCreds()).sort());
  });

  it('remembers device-list and lid-mapping keys as stored (absent too) and skips unchanged writes', async () => {
    const { repo, calls, keys } = jsonAuthRepo();
    const { state } = await useStoreAuthState(repo, sid);
    // Baileys reads an absent device list for every message from a LID-addressed contact
    for (let i = 0; i < 3; i++) expect(await state.keys.get('device-list', ['155500'])).toEqual({});
    expect(calls.getKeys).toBe(1);
    // and rewrites the same LID mapping for every message that arrived before the first was stored
    const mapping = { '155500': '9001', '9001_reverse': '155500' };
    await state.keys.set({ 'lid-mapping': mapping });
    await state.keys.set({ 'lid-mapping': mapping });
    expect(calls.setKeys).toBe(1);
    expect(await state.keys.get('lid-mapping', ['155500', '9001_reverse'])).toEqual(mapping);
    expect(calls.getKeys).toBe(1);
    // a change is written; other types are always read and written through
    await state.keys.set({ 'lid-mapping': { '155500': '9002' }, 'device-list': { '155500': ['0', '2'] } });
    expect(calls.setKeys).toBe(2);
    expect(keys.get(`${sid}/lid-mapping/155500`)).toBe('"9002"');
    expect(await state.keys.get('device-list', ['155500'])).toEqual({ '155500': ['0', '2'] });
    await state.keys.get('session', ['a']);
    await state.keys.get('session', ['a']);
    expect(calls.getKeys).toBe(3);
    // a failed write forgets what it wrote: the next read asks the store
    repo.setKeys = async () => {
      throw new Error('database away');
    };
    await expect(state.keys.set({ 'lid-mapping': { '155500': '9003' } })).rejects.toThrow('database away');
    expect(await state.keys.get('lid-mapping', ['155500'])).toEqual({ '155500': '9002' });
    expect(calls.getKeys).toBe(4);
  });
});

describe('useStoreAuthState with deferKeyWrites', () => {
  /** A repo whose setKeys calls wait until released, one by one. */
  function heldRepo() {
    const base = jsonAuthRepo();
    const held: { data: Record<string, Record<string, unknown>>; release(error?: Error): void }[] = [];
    const setKeys = base.repo.setKeys.bind(base.repo);
    base.repo.setKeys = (sessionId, data) =>
      new Promise<void>((resolve, reject) => {
        held.push({
          data: data as Record<string, Record<string, unknown>>,
          release: (error) => (error ? reject(error) : setKeys(sessionId, data).then(resolve, reject)),
        });
      });
    return { ...base, held };
  }
  const settled = async (promise: PromiseLike<unknown> | unknown) => {
    let state = 'pending';
    Promise.resolve(promise).then(
      () => (state = 'resolved'),
      () => (state = 'rejected'),
    );
    await new Promise((r) => setImmediate(r));
    return state;
  };

  it('returns from a session write before it is stored, reads it back, and stores what follows in one call', async () => {
    const { repo, held, keys } = heldRepo();
    const { state, keysStored } = await useStoreAuthState(repo, sid, { deferKeyWrites: true });
    const first = randomBytes(40);
    await state.keys.set({ session: { 'a.0': first } });
    expect(held).toHaveLength(1);
    expect(keys.size).toBe(0);
    const firstStored = keysStored();
    // written while the first write is stored: one later call, the newest value per key
    const second = randomBytes(40);
    await state.keys.set({ session: { 'a.0': second }, 'sender-key': { 'g@g.us::b::0': randomBytes(20) } });
    await state.keys.set({ 'pre-key': { '7': null } });
    const allStored = keysStored();
    expect(Buffer.compare(Buffer.from((await state.keys.get('session', ['a.0']))['a.0'] ?? []), second)).toBe(
      0,
    );
    expect(await settled(firstStored)).toBe('pending');

    held[0]?.release();
    await firstStored;
    expect(await settled(allStored)).toBe('pending');
    expect(held).toHaveLength(2);
    expect(Object.keys(held[1]?.data ?? {}).sort()).toEqual(['pre-key', 'sender-key', 'session']);
    held[1]?.release();
    await allStored;
    expect(keys.get(`${sid}/session/a.0`)).toBe(
      JSON.stringify(JSON.parse(JSON.stringify(second, BufferJSON.replacer))),
    );
    expect(await settled(keysStored())).toBe('resolved');
  });

  it('waits for a new pre-key (uploaded to WhatsApp next) and the creds to be stored after the keys before them', async () => {
    const { repo, held, keys } = heldRepo();
    const { state, saveCreds } = await useStoreAuthState(repo, sid, { deferKeyWrites: true });
    await state.keys.set({ session: { 'a.0': randomBytes(10) } });
    const preKey = state.keys.set({
      'pre-key': { '9': { public: randomBytes(32), private: randomBytes(32) } },
    });
    const creds = saveCreds();
    expect(await settled(preKey)).toBe('pending');
    held[0]?.release();
    await new Promise((r) => setImmediate(r));
    expect(await settled(preKey)).toBe('pending');
    expect(await settled(creds)).toBe('pending');
    held[1]?.release();
    await preKey;
    await creds;
    expect(keys.has(`${sid}/pre-key/9`)).toBe(true);
    expect(await repo.getCreds(sid)).not.toBeNull();
  });

  it('after a failed write, reports it once, refuses every later write and reads the store again', async () => {
    const { repo, held, keys } = heldRepo();
    keys.set(`${sid}/session/a.0`, JSON.stringify({ stored: true }));
    const failures: unknown[] = [];
    const { state, keysStored } = await useStoreAuthState(repo, sid, {
      deferKeyWrites: true,
      onWriteFailed: (error) => failures.push(error),
    });
    await state.keys.set({ session: { 'a.0': randomBytes(8) } });
    const stored = keysStored();
    await state.keys.set({ session: { 'b.0': randomBytes(8) } });
    const later = keysStored();
    held[0]?.release(new Error('database away'));
    await expect(stored).rejects.toThrow('database away');
    await expect(later).rejects.toThrow('database away');
    expect(failures).toHaveLength(1);
    expect(held).toHaveLength(1); // the write behind it was never attempted
    await expect(state.keys.set({ session: { 'c.0': randomBytes(8) } })).rejects.toThrow('database away');
    await expect(keysStored()).rejects.toThrow('database away');
    expect(await state.keys.get('session', ['a.0', 'b.0'])).toEqual({ 'a.0': { stored: true } });
  });
});
