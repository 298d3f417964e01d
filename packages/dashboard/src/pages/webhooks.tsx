import { useState } from 'preact/hooks';
import { ConfirmButton } from '../components/confirm.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SecretOnce } from '../components/secret-once.js';
import { describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveResource } from '../lib/live.js';
import { parseEventList, type Webhook, webhookApi } from '../lib/webhooks.js';
import { Deliveries } from './webhook-deliveries.js';

/** Webhook subscriptions of a session, or the global ones (admin) when `sessionId` is null. */
export function WebhooksView({ sessionId }: { sessionId: string | null }) {
  const { client } = useAuth();
  const hooks = webhookApi(client, sessionId);
  const { data, setData, error, reload } = useLiveResource(() => hooks.list(), [sessionId]);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const act = async (action: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await action();
      await reload();
    } catch (e) {
      setActionError(describeError(e));
    }
  };
  return (
    <>
      <CreateWebhook
        onCreate={async (body) => {
          const hook = await hooks.create(body);
          setCreated({ url: hook.url, secret: hook.secret });
          const { secret: _secret, ...shown } = hook;
          setData((list: Webhook[] | undefined) => [shown, ...(list ?? [])]);
        }}
      />
      {created && <SecretOnce label={`Signing secret of ${created.url}`} secret={created.secret} />}
      <section class="card" aria-labelledby="hooks-title">
        <h2 id="hooks-title">{sessionId ? 'Webhooks of this session' : 'Global webhooks (every session)'}</h2>
        <ErrorNotice error={error ?? actionError} />
        {data?.length === 0 && <Notice>No webhook yet.</Notice>}
        <ul class="webhooks">
          {data?.map((hook: Webhook) => (
            <li key={hook.id} data-webhook={hook.url}>
              <div class="row spread">
                <div>
                  <code>{hook.url}</code>
                  <div class="hint">
                    {hook.events.length ? hook.events.join(', ') : 'every event'} ·{' '}
                    {hook.enabled
                      ? 'enabled'
                      : `disabled${hook.disabledReason ? ` (${hook.disabledReason})` : ''}`}
                  </div>
                </div>
                <div class="row">
                  <button type="button" onClick={() => act(() => hooks.setEnabled(hook.id, !hook.enabled))}>
                    {hook.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    type="button"
                    disabled={!hook.enabled}
                    onClick={() => act(() => hooks.test(hook.id))}
                  >
                    Send test
                  </button>
                  <button
                    type="button"
                    aria-expanded={open === hook.id}
                    onClick={() => setOpen(open === hook.id ? null : hook.id)}
                  >
                    Deliveries
                  </button>
                  <ConfirmButton
                    label="Delete"
                    title="Delete this webhook?"
                    confirmLabel="Delete webhook"
                    danger
                    onConfirm={() => act(() => hooks.remove(hook.id))}
                  >
                    <p>
                      Deliveries to <code>{hook.url}</code> stop at once.
                    </p>
                  </ConfirmButton>
                </div>
              </div>
              {open === hook.id && <Deliveries hooks={hooks} webhookId={hook.id} sessionId={sessionId} />}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function CreateWebhook({ onCreate }: { onCreate(body: { url: string; events: string[] }): Promise<void> }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('message.*');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await onCreate({ url: url.trim(), events: parseEventList(events) });
      setUrl('');
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-hook-title">
      <h2 id="new-hook-title">New webhook</h2>
      <label>
        URL
        <input
          name="url"
          type="url"
          required
          placeholder="https://example.com/zapgate"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </label>
      <label>
        Events (comma separated; empty for every event)
        <input name="events" value={events} onInput={(e) => setEvents(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        Create webhook
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
