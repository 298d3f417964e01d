import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/notice.js';
import { signInError } from '../lib/auth.js';

/** The key form. The key is checked with the server, then kept in this tab's session storage. */
export function SignIn({
  onKey,
  initialError,
}: {
  onKey(key: string): Promise<void>;
  initialError?: string | null;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(initialError ?? null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onKey(key.trim());
    } catch (e) {
      setError(signInError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Zapgate</h1>
        <p>Sign in with the admin key (every session) or a session key (zgs_…, that session only).</p>
        <label>
          API key
          <input
            type="password"
            name="apiKey"
            autocomplete="current-password"
            required
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <ErrorNotice error={error} />
        <p class="hint">The key stays in this browser tab only and is forgotten when the tab closes.</p>
      </form>
    </main>
  );
}
