import type { ZapgateEvent } from '@zapgate/sdk';
import { useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { useLiveEvents, useLiveState } from '../lib/live.js';

const keep = 500;

/** `message.*` matches `message.received`; `*` or empty matches everything. */
export function matchesFilter(type: string, filter: string): boolean {
  const patterns = filter
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (patterns.length === 0) return true;
  return patterns.some(
    (p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))),
  );
}

/** A live, filterable tail of the event stream (the newest first, the last 500 kept). */
export function EventsPage() {
  const [events, setEvents] = useState<ZapgateEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState('');
  const [session, setSession] = useState('');
  const state = useLiveState();
  useLiveEvents((event) => {
    if (!paused) setEvents((list) => [event, ...list].slice(0, keep));
  });
  const shown = events.filter((e) => matchesFilter(e.type, filter) && (!session || e.sessionId === session));
  const sessions = [...new Set(events.map((e) => e.sessionId).filter((s): s is string => Boolean(s)))];
  return (
    <main>
      <h1>Event monitor</h1>
      <form class="card row" onSubmit={(e) => e.preventDefault()} aria-label="Filter events">
        <label>
          Types
          <input
            name="types"
            placeholder="message.*, session.status"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
        </label>
        <label>
          Session
          <select name="session" value={session} onChange={(e) => setSession(e.currentTarget.value)}>
            <option value="">every session</option>
            {sessions.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={() => setEvents([])}>
          Clear
        </button>
      </form>
      {state !== 'live' && (
        <Notice kind={state === 'refused' ? 'error' : 'info'}>
          {state === 'refused' ? 'The server refused the event stream.' : 'Connecting to the event stream…'}
        </Notice>
      )}
      {shown.length === 0 && state === 'live' && (
        <Notice>Waiting for events… (they appear here as they happen)</Notice>
      )}
      <ol class="event-list" aria-live="off">
        {shown.map((event) => (
          <li key={event.id} data-type={event.type}>
            <details>
              <summary>
                <time dateTime={event.occurredAt}>{new Date(event.occurredAt).toLocaleTimeString()}</time>{' '}
                <strong>{event.type}</strong> <span class="hint">{event.sessionId ?? 'server'}</span>
              </summary>
              <pre>{JSON.stringify(event.data, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </main>
  );
}
