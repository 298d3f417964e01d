import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import { deferred } from '../deferred.js';
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
 * Key types a received message changes as it is decrypted (the contact's session, a group's
 * sender key, pre-keys deleted once used): with `deferKeyWrites` their writes are stored
 * behind the caller, and the message's receipt waits for {@link StoreAuthState.keysStored}.
 */
const deferrable = new Set(['session', 'sender-key', 'sender-key-memory']);

/** Options of {@link useStoreAuthState}. */
export interface StoreAuthStateOptions {
  /**
   * Store the writes of {@link deferrable} key types (and pre-key deletions) behind the caller:
   * `keys.set` returns at once, later reads see the written values, and the writes of what
   * arrives meanwhile are stored together in one `setKeys` call, in order. Call `keysStored()`
   * before anything that must not outlive a lost write (an inbound message's receipt). Every
   * other write (new pre-keys, app-state keys, LID mappings…) still resolves once stored.
   * @default false
   */
  deferKeyWrites?: boolean;
  /**
   * Called once when a deferred write fails. From then on this state refuses every write and
   * `keysStored()` rejects: what Baileys holds in memory is ahead of the store, so the socket
   * using it must end (its next connection reads the store again).
   * @default none
   */
  onWriteFailed?: (error: unknown) => void;
}

/** What {@link useStoreAuthState} returns. */
export interface StoreAuthState {
  state: AuthenticationState;
  /** Stores the creds, after every key write made before the call. */
  saveCreds(): Promise<void>;
  /**
   * Resolves once every key write made so far is stored; rejects if one of them failed. Always
   * settled at once without `deferKeyWrites`.
   */
  keysStored(): Promise<void>;
}

type Deferred = ReturnType<typeof deferred>;

/** A {@link deferred} whose failure is reported to whoever waits (and to onWriteFailed), never as unhandled. */
function batchDone(): Deferred {
  const done = deferred();
  done.promise.catch(() => {});
  return done;
}

/**
 * A key write waiting for its `setKeys` call. The value is converted to JSON once, when it is
 * stored or read back (a session is rewritten by every message it decrypts: of several writes
 * of one key in a batch only the last is converted). Baileys hands over a fresh value per write
 * and keeps it as is in its own key cache, so holding it until then is safe.
 */
interface Write {
  type: string;
  id: string;
  /** What Baileys wrote, `null` to delete. */
  value: unknown;
  /** The value as JSON, once converted. */
  json?: unknown;
  /** The JSON text, for remembered types. */
  text: string | null | undefined;
}

/** The write's value as JSON (`null`: a deletion), converted on first use. */
function jsonOf(write: Write): unknown {
  if (write.json === undefined) write.json = write.value == null ? null : toJson(write.value);
  return write.json;
}

/**
 * Baileys' authentication state kept in a store's {@link AuthRepo}: the creds and every
 * Signal key of one session, in the same database as the rest of the gateway.
 *
 * - creds are created with `initAuthCreds()` only when the store has none; a read failure
 *   rejects (never silently re-pairs);
 * - key writes are stored in order, one `setKeys` call (one transaction) at a time: what is
 *   written while one runs is stored together by the next; `null` values delete;
 * - with `deferKeyWrites`, the writes a decrypted message makes return before they are stored
 *   (see {@link StoreAuthStateOptions.deferKeyWrites}); otherwise `keys.set` resolves once its
 *   values are stored;
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
  options: StoreAuthStateOptions = {},
): Promise<StoreAuthState> {
  const stored = await auth.getCreds(sessionId);
  const creds: AuthenticationCreds = stored == null ? initAuthCreds() : fromJson(stored);
  // `type\0id` → the stored value as JSON text, or null when absent
  const known = new Map<string, string | null>();
  // a read that overlapped a write of a remembered type may have seen either value: it
  // remembers nothing
  let rememberedWrites = 0;
  const remember = (key: string, text: string | null) => {
    known.delete(key);
    known.set(key, text);
    if (known.size > maxRemembered) known.delete(known.keys().next().value as string);
  };

  // Writes not stored yet, newest per key (what reads see), and the next batch to store.
  const unstored = new Map<string, Write>();
  let next = new Map<string, Write>();
  let nextDone = batchDone();
  let running: Deferred | null = null;
  let failed: { error: unknown } | null = null;

  const flush = async (): Promise<void> => {
    while (next.size > 0 && !failed) {
      const batch = next;
      const done = nextDone;
      next = new Map();
      nextDone = batchDone();
      running = done;
      const encoded: Record<string, Record<string, unknown | null>> = Object.create(null);
      for (const write of batch.values()) {
        encoded[write.type] ??= Object.create(null);
        (encoded[write.type] as Record<string, unknown | null>)[write.id] = jsonOf(write);
      }
      try {
        await auth.setKeys(sessionId, encoded);
      } catch (error) {
        // the write may or may not have happened: reads ask the store again
        for (const [key, write] of batch) {
          known.delete(key);
          if (unstored.get(key) === write) unstored.delete(key);
        }
        done.reject(error);
        if (options.deferKeyWrites) {
          // writes returned to their callers are lost: refuse every later one
          failed = { error };
          for (const [key, write] of next) if (unstored.get(key) === write) unstored.delete(key);
          next = new Map();
          nextDone.reject(error);
          options.onWriteFailed?.(error);
        }
        continue;
      } finally {
        running = null;
      }
      for (const [key, write] of batch) {
        if (unstored.get(key) === write) unstored.delete(key);
        if (write.text !== undefined) {
          rememberedWrites++;
          remember(key, write.text);
        }
      }
      done.resolve();
    }
  };

  const keysStored = (): Promise<void> => {
    if (failed) {
      const refused = Promise.reject(failed.error);
      refused.catch(() => {}); // awaited later, or not at all: reported to onWriteFailed once
      return refused;
    }
    if (next.size > 0) return nextDone.promise;
    return running ? running.promise : Promise.resolve();
  };

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const cached = remembered.has(type);
        const rows: Record<string, unknown> = Object.create(null);
        const missing: string[] = [];
        for (const id of ids) {
          const key = `${type}\u0000${id}`;
          const write = unstored.get(key);
          if (write) {
            const json = jsonOf(write);
            if (json != null) rows[id] = json;
          } else if (cached && known.has(key)) {
            const text = known.get(key);
            if (text != null) rows[id] = JSON.parse(text);
          } else missing.push(id);
        }
        if (missing.length > 0) {
          const before = rememberedWrites;
          const fetched = await auth.getKeys(sessionId, type, missing);
          const settled = rememberedWrites === before;
          for (const id of missing) {
            const key = `${type}\u0000${id}`;
            // written while the read ran: the write is newer
            const write = unstored.get(key);
            const raw = write ? jsonOf(write) : fetched[id];
            if (raw != null) rows[id] = raw;
            if (cached && settled && !write) remember(key, raw == null ? null : JSON.stringify(raw));
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
        if (failed) throw failed.error;
        let behind = options.deferKeyWrites === true;
        let added = 0;
        for (const [type, values] of Object.entries(data)) {
          if (!values) continue;
          for (const [id, value] of Object.entries(values)) {
            const key = `${type}\u0000${id}`;
            const write: Write = { type, id, value, text: undefined };
            if (remembered.has(type)) {
              const json = jsonOf(write);
              const text = json == null ? null : JSON.stringify(json);
              write.text = text;
              const current = unstored.get(key);
              if (current ? current.text === text : known.has(key) && known.get(key) === text) continue;
            }
            if (!deferrable.has(type) && !(type === 'pre-key' && value == null)) behind = false;
            if (write.text !== undefined) rememberedWrites++;
            next.delete(key);
            next.set(key, write);
            unstored.set(key, write);
            added++;
          }
        }
        if (added === 0) return;
        const stored = nextDone.promise;
        if (!running) void flush();
        if (!behind) await stored;
      },
    },
  };

  return {
    state,
    keysStored,
    async saveCreds() {
      await keysStored();
      await auth.setCreds(sessionId, toJson(creds));
    },
  };
}
