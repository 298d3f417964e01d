import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/notice.js';
import { describeError } from '../lib/api.js';
import { useLiveEvents, useLiveResource } from '../lib/live.js';
import type { webhookApi } from '../lib/webhooks.js';

/**
 * Recent deliveries of one subscription. Deliveries follow events, so the list reloads shortly
 * after each event of its scope arrives on the stream (and on demand), never on a timer alone.
 */
export function Deliveries({
  hooks,
  webhookId,
  sessionId,
}: {
  hooks: ReturnType<typeof webhookApi>;
  webhookId: string;
  sessionId: string | null;
}) {
  const { data, error, reload } = useLiveResource(() => hooks.deliveries(webhookId), [webhookId]);
  const [actionError, setActionError] = useState<string | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  useLiveEvents((event) => {
    if (sessionId && event.sessionId !== sessionId) return;
    if (pending.current) clearTimeout(pending.current);
    pending.current = setTimeout(() => void reload(), 1000);
  });
  return (
    <div class="deliveries">
      <div class="row spread">
        <h3>Recent deliveries</h3>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={error ?? actionError} />
      {data?.length === 0 && <p class="hint">No delivery yet. Send a test, or wait for an event.</p>}
      {data && data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Response</th>
              <th scope="col">Attempts</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.id} data-delivery-status={d.status}>
                <td data-label="Event">
                  {d.eventType}
                  <div class="hint">{new Date(d.createdAt).toLocaleTimeString()}</div>
                </td>
                <td data-label="Status">
                  <span class={`badge badge-delivery-${d.status}`}>{d.status}</span>
                </td>
                <td data-label="Response">{d.lastStatusCode ?? d.lastError ?? '—'}</td>
                <td data-label="Attempts">{d.attempts}</td>
                <td>
                  <button
                    type="button"
                    onClick={async () => {
                      setActionError(null);
                      try {
                        await hooks.redeliver(webhookId, d.id);
                        await reload();
                      } catch (e) {
                        setActionError(describeError(e));
                      }
                    }}
                  >
                    Redeliver
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
