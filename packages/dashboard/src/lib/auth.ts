import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, call, clientFor, type ZapgateClient } from './api.js';

/** Who is signed in: the admin key reaches everything, a session key one session. */
export type Auth = { client: ZapgateClient; signOut(): void } & (
  | { scope: 'admin' }
  | { scope: 'session'; sessionId: string }
);

const storageKey = 'zapgate.apiKey';

/** The key kept for this tab (session storage: gone when the tab closes, never in a URL). */
export const storedKey = {
  get: () => sessionStorage.getItem(storageKey),
  set: (key: string) => sessionStorage.setItem(storageKey, key),
  clear: () => sessionStorage.removeItem(storageKey),
};

/** Checks a key with `GET /v1/me`; refused keys throw an {@link ApiError}. */
export async function checkKey(
  key: string,
): Promise<{ client: ZapgateClient } & ({ scope: 'admin' } | { scope: 'session'; sessionId: string })> {
  const client = clientFor(key);
  const caller = await call(client.api.GET('/v1/me'));
  if (caller.scope === 'session') return { client, scope: 'session', sessionId: caller.sessionId };
  return { client, scope: 'admin' };
}

/** A sentence for a refused sign-in. */
export function signInError(error: unknown): string {
  if (error instanceof ApiError && error.status === 401)
    return 'That key was refused. Check it and try again.';
  return error instanceof Error ? error.message : String(error);
}

export const AuthContext = createContext<Auth | null>(null);

/** The signed-in caller (pages are only rendered once signed in). */
export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside of a signed-in page');
  return auth;
}
