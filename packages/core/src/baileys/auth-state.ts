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
 * Baileys' authentication state kept in a store's {@link AuthRepo}: the creds and every
 * Signal key of one session, in the same database as the rest of the gateway.
 *
 * - creds are created with `initAuthCreds()` only when the store has none; a read failure
 *   rejects (never silently re-pairs);
 * - each `keys.set` is one `setKeys` call, i.e. one transaction; `null` values delete;
 * - nothing expires.
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

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const rows = await auth.getKeys(sessionId, type, ids);
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
        for (const [type, values] of Object.entries(data)) {
          if (!values) continue;
          const byId: Record<string, unknown | null> = Object.create(null);
          for (const [id, value] of Object.entries(values)) {
            byId[id] = value == null ? null : toJson(value);
          }
          encoded[type] = byId;
        }
        if (Object.keys(encoded).length > 0) await auth.setKeys(sessionId, encoded);
      },
    },
  };

  return {
    state,
    saveCreds: () => auth.setCreds(sessionId, toJson(creds)),
  };
}
