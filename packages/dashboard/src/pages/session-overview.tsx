import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/notice.js';
import { Pairing } from '../components/pairing.js';
import { SessionBadge } from '../components/status.js';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveEvents, useLiveResource } from '../lib/live.js';
import { formatPhone, type Session } from '../lib/sessions.js';

type StatusChange = {
  id: string;
  at: string;
  status: Session['status'];
  previous: Session['status'] | null;
  reason: string | null;
};

const pageSize = 20;

/** A `session.status` event of the history route as a row (its `data` is typed by `type`). */
function toChange(event: { id: string; occurredAt: string; data: Record<string, unknown> }): StatusChange {
  const data = event.data as {
    status: Session['status'];
    previous?: Session['status'];
    reason?: string | null;
  };
  return {
    id: event.id,
    at: event.occurredAt,
    status: data.status,
    previous: data.previous ?? null,
    reason: data.reason ?? null,
  };
}

/**
 * Phone, push name, pairing while not connected, and the connection history: the stored
 * `session.status` events (newest first, older pages on demand), with new ones added live.
 */
export function SessionOverview({ session }: { session: Session }) {
  const { client } = useAuth();
  const page = (cursor?: string) =>
    call(
      client.api.GET('/v1/sessions/{sessionId}/events', {
        params: {
          path: { sessionId: session.id },
          query: { types: 'session.status', limit: pageSize, ...(cursor ? { cursor } : {}) },
        },
      }),
    );
  const { data, setData, error } = useLiveResource(async () => {
    const first = await page();
    return { items: first.items.map(toChange), nextCursor: first.nextCursor };
  }, [session.id]);
  const [olderError, setOlderError] = useState<string | null>(null);
  useLiveEvents((event) => {
    if (event.type !== 'session.status' || event.sessionId !== session.id) return;
    const change = toChange(event as unknown as Parameters<typeof toChange>[0]);
    setData(
      (h) => h && (h.items.some((c) => c.id === change.id) ? h : { ...h, items: [change, ...h.items] }),
    );
  });
  const older = async () => {
    if (!data?.nextCursor) return;
    try {
      const next = await page(data.nextCursor);
      const seen = new Set(data.items.map((c) => c.id));
      setData({
        items: [...data.items, ...next.items.map(toChange).filter((c) => !seen.has(c.id))],
        nextCursor: next.nextCursor,
      });
      setOlderError(null);
    } catch (e) {
      setOlderError(describeError(e));
    }
  };
  const history = data?.items ?? [];
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
        <ErrorNotice error={error ?? olderError} />
        {data && history.length === 0 && (
          <p class="hint">
            No status change is kept for this session (last changed{' '}
            {new Date(session.updatedAt).toLocaleString()}).
          </p>
        )}
        {history.length > 0 && (
          <ol class="history">
            {history.map((h) => (
              <li key={h.id} data-history-status={h.status}>
                <time dateTime={h.at}>{new Date(h.at).toLocaleString()}</time>{' '}
                {h.previous && `${h.previous} → `}
                <SessionBadge status={h.status} />
                {h.reason && <span class="hint"> {h.reason}</span>}
              </li>
            ))}
          </ol>
        )}
        {data?.nextCursor && (
          <button type="button" onClick={() => void older()}>
            Show older changes
          </button>
        )}
      </section>
    </>
  );
}
