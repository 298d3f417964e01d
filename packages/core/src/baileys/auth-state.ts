import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import type { AuthRepo } from '../ports/auth.js';

/** A Baileys value (with Buffers) as plain JSON the {@link AuthRepo} can store. */
function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, BufferJSON.replacer));
}

/** The inverse of {@link toJson}: plain JSON back to a value with Buffers. */
function fromJson<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value), BufferJSON.reviver) as T;
}

/**
 * Key types Baileys reads for every message from a LID-addressed contact (`migrateSession`,
 * the LID store) and often finds absent or rewrites unchanged: what is stored for them —
 * absence included — is remembered, so those reads and writes skip the store.
 */
const remembered = new Set(['device-list', 'lid-mapping']);
/** Remembered keys per session at most (oldest first out). */
const maxRemembered = 2000;

/**
 * Baileys' authentication state kept in a store's {@link AuthRepo}: the creds and every
 * Signal key of one session, in the same database as the rest of the gateway.
 *
 * - creds are created with `initAuthCreds()` only when the store has none; a read failure
 *   rejects (never silently re-pairs);
 * - each `keys.set` is one `setKeys` call, i.e. one transaction; `null` values delete;
 * - nothing expires;
 * - `device-list` and `lid-mapping` keys are remembered as stored (absent too): this state is
 *   the session's only writer while its socket holds the lease, so a remembered key is what
 *   the store holds; a write that changes none of them is skipped.
 *
 * @example
 * const { state, saveCreds } = await useStoreAuthState(store.auth, session.id);
 * const sock = makeWASocket({ auth: state });
 * sock.ev.on('creds.update', saveCreds);
 */
export async function useStoreAuthState(
  auth: AuthRepo,
  sessionId: string,
): Promise<{ state: AuthenticationState; saveCreds(): Promise<void> }> {
  const stored = await auth.getCreds(sessionId);
  const creds: AuthenticationCreds = stored == null ? initAuthCreds() : fromJson(stored);
  // `type\0id` → the stored value as JSON text, or null when absent
  const known = new Map<string, string | null>();
  // a read that overlapped a write may have seen either value: it remembers nothing
  let writes = 0;
  const remember = (type: string, id: string, json: string | null) => {
    const key = `${type}\u0000${id}`;
    known.delete(key);
    known.set(key, json);
    if (known.size > maxRemembered) known.delete(known.keys().next().value as string);
  };

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const cached = remembered.has(type);
        const rows: Record<string, unknown> = Object.create(null);
        const missing = cached ? ids.filter((id) => !known.has(`${type}\u0000${id}`)) : ids;
        if (cached)
          for (const id of ids) {
            const json = known.get(`${type}\u0000${id}`);
            if (json != null) rows[id] = JSON.parse(json);
          }
        if (missing.length > 0) {
          const before = writes;
          const fetched = await auth.getKeys(sessionId, type, missing);
          const settled = cached && writes === before;
          for (const id of missing) {
            const raw = fetched[id];
            if (raw != null) rows[id] = raw;
            if (settled) remember(type, id, raw == null ? null : JSON.stringify(raw));
          }
        }
        // ids come from the network (sender-key ids hold JIDs): never plain-object keys
        const out: { [id: string]: SignalDataTypeMap[T] } = Object.create(null);
        for (const [id, raw] of Object.entries(rows)) {
          if (raw == null) continue;
          let value: unknown = fromJson(raw);
          if (type === 'app-state-sync-key') {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
          }
          out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      async set(data: SignalDataSet) {
        const encoded: Record<string, Record<string, unknown | null>> = Object.create(null);
        const learned: [string, string, string | null][] = [];
        for (const [type, values] of Object.entries(data)) {
          if (!values) continue;
          const byId: Record<string, unknown | null> = Object.create(null);
          for (const [id, value] of Object.entries(values)) {
            const json = value == null ? null : toJson(value);
            if (remembered.has(type)) {
              const text = json == null ? null : JSON.stringify(json);
              const key = `${type}\u0000${id}`;
              if (known.has(key) && known.get(key) === text) continue; // stored as it is
              learned.push([type, id, text]);
            }
            byId[id] = json;
          }
          if (Object.keys(byId).length > 0) encoded[type] = byId;
        }
        if (Object.keys(encoded).length === 0) return;
        writes++;
        try {
          await auth.setKeys(sessionId, encoded);
        } catch (error) {
          // the write may or may not have happened: ask the store next time
          for (const [type, id] of learned) known.delete(`${type}\u0000${id}`);
          throw error;
        }
        writes++;
        for (const [type, id, text] of learned) remember(type, id, text);
      },
    },
  };

  return {
    state,
    saveCreds: () => auth.setCreds(sessionId, toJson(creds)),
  };
}
