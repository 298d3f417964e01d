import { useState } from 'preact/hooks';
import { Pairing } from '../components/pairing.js';
import { SessionBadge } from '../components/status.js';
import { useLiveEvents } from '../lib/live.js';
import { formatPhone, type Session } from '../lib/sessions.js';

type StatusChange = {
  at: string;
  status: Session['status'];
  previous: Session['status'];
  reason: string | null;
};

/** Phone, push name, pairing while not connected, and the status changes seen on this page. */
export function SessionOverview({ session }: { session: Session }) {
  const [history, setHistory] = useState<StatusChange[]>([]);
  useLiveEvents((event) => {
    if (event.type !== 'session.status' || event.sessionId !== session.id) return;
    const { status, previous, reason } = event.data;
    setHistory((list) => [{ at: event.occurredAt, status, previous, reason }, ...list].slice(0, 50));
  });
  return (
    <>
      {session.status !== 'connected' && <Pairing session={session} />}
      <section class="card" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <dl class="details">
          <dt>Phone</dt>
          <dd data-field="phone">{formatPhone(session.phoneNumber)}</dd>
          <dt>Push name</dt>
          <dd data-field="pushName">{session.pushName ?? '—'}</dd>
          <dt>Device</dt>
          <dd>{session.deviceJid ?? '—'}</dd>
          <dt>Status reason</dt>
          <dd>{session.statusReason ?? '—'}</dd>
          <dt>Proxy</dt>
          <dd>{session.proxyUrl ?? 'none'}</dd>
          <dt>Created</dt>
          <dd>{new Date(session.createdAt).toLocaleString()}</dd>
          <dt>Session id</dt>
          <dd>
            <code>{session.id}</code>
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">Connection history</h2>
        {history.length === 0 ? (
          <p class="hint">
            Status changes appear here as they happen (last changed{' '}
            {new Date(session.updatedAt).toLocaleString()}).
          </p>
        ) : (
          <ol class="history">
            {history.map((h) => (
              <li key={h.at + h.status}>
                <time dateTime={h.at}>{new Date(h.at).toLocaleTimeString()}</time> {h.previous} →{' '}
                <SessionBadge status={h.status} />
                {h.reason && <span class="hint"> {h.reason}</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
