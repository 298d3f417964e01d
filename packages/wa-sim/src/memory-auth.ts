import {
  type AuthenticationCreds,
  type AuthenticationState,
  initAuthCreds,
  proto,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';

/**
 * A Baileys auth state (creds and Signal keys) kept in memory: for a raw Baileys socket on the
 * simulator (tests, reference benchmarks) that needs nothing stored. Reusable across sockets.
 */
export function memoryAuthState(): AuthenticationState {
  const creds: AuthenticationCreds = initAuthCreds();
  const store = new Map<string, unknown>();
  return {
    creds,
    keys: {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          let value = store.get(`${type}:${id}`);
          if (value && type === 'app-state-sync-key')
            value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
          if (value !== undefined) out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      set: async (data) => {
        for (const [type, values] of Object.entries(data))
          for (const [id, value] of Object.entries(values ?? {})) {
            if (value == null) store.delete(`${type}:${id}`);
            else store.set(`${type}:${id}`, value);
          }
      },
    },
  };
}
