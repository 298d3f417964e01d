import { useState } from 'preact/hooks';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import type { Session } from '../lib/sessions.js';
import { ConfirmButton } from './confirm.js';
import { ErrorNotice } from './notice.js';

type Action = 'connect' | 'disconnect' | 'restart' | 'logout';

/** Lifecycle buttons of one session; the new state arrives on the event stream. */
export function SessionActions({
  session,
  onChange,
  onDeleted,
}: {
  session: Session;
  onChange(session: Session): void;
  onDeleted(): void;
}) {
  const { client } = useAuth();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (label: string, action: () => Promise<void>) => {
    setBusy(label);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };
  const lifecycle = (action: Action) =>
    run(action, async () => onChange(await call(client.sessions[action](session.id))));
  const live =
    session.status !== 'disconnected' && session.status !== 'logged_out' && session.status !== 'failed';
  return (
    <div class="actions">
      <fieldset class="row plain">
        <legend class="sr-only">Actions for {session.name}</legend>
        {live ? (
          <button type="button" disabled={busy !== null} onClick={() => lifecycle('disconnect')}>
            Disconnect
          </button>
        ) : (
          <button type="button" class="primary" disabled={busy !== null} onClick={() => lifecycle('connect')}>
            Connect
          </button>
        )}
        <button type="button" disabled={busy !== null} onClick={() => lifecycle('restart')}>
          Restart
        </button>
        <ConfirmButton
          label="Log out"
          title={`Log out ${session.name}?`}
          confirmLabel="Log out"
          disabled={busy !== null || session.status === 'logged_out'}
          onConfirm={() => lifecycle('logout')}
        >
          <p>The phone unlinks this device; pairing again needs a new scan.</p>
        </ConfirmButton>
        <ConfirmButton
          label="Delete"
          title={`Delete ${session.name}?`}
          confirmLabel="Delete session"
          danger
          disabled={busy !== null}
          onConfirm={() =>
            run('delete', async () => {
              await call(client.sessions.delete(session.id));
              onDeleted();
            })
          }
        >
          <p>
            This logs out and deletes the session with its chats, contacts and messages. It cannot be undone.
          </p>
        </ConfirmButton>
      </fieldset>
      <ErrorNotice error={error} />
    </div>
  );
}
