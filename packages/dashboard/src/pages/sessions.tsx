import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SecretOnce } from '../components/secret-once.js';
import { SessionNameInput } from '../components/session-name.js';
import { SessionBadge } from '../components/status.js';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveEvents, useLiveResource } from '../lib/live.js';
import { formatPhone, type Session, upsertSession } from '../lib/sessions.js';

/** Every session with its live status, and a form to create one (admin). */
export function SessionsPage() {
  const { client } = useAuth();
  const { data, setData, error } = useLiveResource<Session[]>(
    async () => (await call(client.sessions.list())).items,
    [],
  );
  useLiveEvents((event) => {
    if (event.type === 'session.status') setData((list) => list && upsertSession(list, event.data.session));
  });
  return (
    <main>
      <h1>Sessions</h1>
      <CreateSession onCreated={(session) => setData((list) => upsertSession(list ?? [], session))} />
      <ErrorNotice error={error} />
      {data === undefined && !error && <Notice>Loading sessions…</Notice>}
      {data?.length === 0 && <Notice>No session yet: create one above, then pair a phone.</Notice>}
      {data && data.length > 0 && (
        <table class="sessions">
          <caption class="sr-only">Sessions</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Phone</th>
              <th scope="col">Push name</th>
            </tr>
          </thead>
          <tbody>
            {data.map((session) => (
              <tr key={session.id} data-session={session.name}>
                <td data-label="Name">
                  <Link href={`/sessions/${session.id}`}>{session.name}</Link>
                </td>
                <td data-label="Status">
                  <SessionBadge status={session.status} />
                </td>
                <td data-label="Phone">{formatPhone(session.phoneNumber)}</td>
                <td data-label="Push name">{session.pushName ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

function CreateSession({ onCreated }: { onCreated(session: Session): void }) {
  const { client } = useAuth();
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ id: string; name: string; apiKey: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const session = await call(client.sessions.create({ name: name.trim() }));
      const { apiKey, ...rest } = session;
      onCreated(rest);
      setCreated({ id: session.id, name: session.name, apiKey });
      setName('');
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <section class="card" aria-labelledby="create-title">
      <h2 id="create-title">New session</h2>
      <form class="row" onSubmit={submit}>
        <SessionNameInput value={name} onInput={setName} />
        <button type="submit" class="primary">
          Create
        </button>
      </form>
      <ErrorNotice error={error} />
      {created && (
        <SecretOnce label={`API key of ${created.name}`} secret={created.apiKey}>
          <button type="button" class="primary" onClick={() => navigate(`/sessions/${created.id}`)}>
            Open {created.name} to pair it
          </button>
        </SecretOnce>
      )}
    </section>
  );
}
