import { Link, useLocation } from 'wouter-preact';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SessionActions } from '../components/session-actions.js';
import { SessionBadge } from '../components/status.js';
import { call } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveEvents, useLiveResource } from '../lib/live.js';
import type { Session } from '../lib/sessions.js';
import { sessionTabs } from './session-tabs.js';

/** One session: its status, pairing, and the tab picked in the URL. */
export function SessionPage({ id, tab = 'overview' }: { id: string; tab?: string }) {
  const { client, scope, signOut } = useAuth();
  const [, navigate] = useLocation();
  const {
    data: session,
    setData,
    error,
  } = useLiveResource<Session>(() => call(client.sessions.get(id)), [id]);
  useLiveEvents((event) => {
    if (event.type === 'session.status' && event.sessionId === id) setData(event.data.session);
  });
  if (error)
    return (
      <main>
        <ErrorNotice error={error} />
      </main>
    );
  if (!session)
    return (
      <main>
        <Notice>Loading the session…</Notice>
      </main>
    );
  const current = sessionTabs.find((t) => t.id === tab) ?? sessionTabs[0]!;
  const View = current.view;
  return (
    <main>
      <header class="session-header">
        <h1>
          {session.name} <SessionBadge status={session.status} />
        </h1>
        <SessionActions
          session={session}
          onChange={setData}
          onDeleted={() => (scope === 'admin' ? navigate('/') : signOut())}
        />
      </header>
      <nav class="tabs" aria-label="Session sections">
        {sessionTabs.map((t) => (
          <Link
            key={t.id}
            className="tab"
            href={`/sessions/${id}/${t.id}`}
            aria-current={t.id === current.id ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <View session={session} onChange={setData} />
    </main>
  );
}
