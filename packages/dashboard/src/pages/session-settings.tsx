import type { ZapgateSchemas } from '@zapgate/sdk';
import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SecretOnce } from '../components/secret-once.js';
import { SessionNameInput } from '../components/session-name.js';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import type { Session } from '../lib/sessions.js';

type Settings = ZapgateSchemas['SessionSettings'];

const switches: [keyof Settings, string][] = [
  ['rejectCalls', 'Reject incoming calls'],
  ['alwaysOnline', 'Always show as online'],
  ['markRead', 'Mark every inbound message as read'],
  ['ignoreGroups', 'Ignore group messages'],
  ['ignoreStatus', 'Ignore status broadcasts (stories)'],
  ['syncHistory', 'Store the full history sent at pairing'],
];

/** Name, proxy and behaviour switches of a session; and its API key rotation. */
export function SessionSettingsView({ session, onChange }: { session: Session; onChange(s: Session): void }) {
  const { client } = useAuth();
  const [name, setName] = useState(session.name);
  const [proxyUrl, setProxyUrl] = useState(session.proxyUrl ?? '');
  const [settings, setSettings] = useState<Settings>(session.settings);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setSettings(session.settings), [JSON.stringify(session.settings)]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      // Only what changed: changing the proxy needs the admin key, so a session key that saves
      // its switches must not send the proxy back.
      const nextProxy = proxyUrl.trim() === '' ? null : proxyUrl.trim();
      const patch = {
        settings,
        ...(name.trim() !== session.name ? { name: name.trim() } : {}),
        ...(nextProxy !== session.proxyUrl ? { proxyUrl: nextProxy } : {}),
      };
      onChange(await call(client.sessions.update(session.id, patch)));
      setSaved(true);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <>
      <form class="card settings" onSubmit={submit} aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <SessionNameInput value={name} onInput={setName} />
        <label>
          Proxy URL (empty for none; changing it needs the admin key)
          <input
            name="proxyUrl"
            type="url"
            placeholder="socks5://user:pass@proxy:1080"
            value={proxyUrl}
            onInput={(e) => setProxyUrl(e.currentTarget.value)}
          />
        </label>
        <fieldset>
          <legend>Behaviour</legend>
          {switches.map(([key, label]) => (
            <label class="check" key={key}>
              <input
                type="checkbox"
                checked={settings[key] === true}
                onChange={(e) => setSettings({ ...settings, [key]: e.currentTarget.checked })}
              />
              {label}
            </label>
          ))}
          <label>
            Message sent to rejected callers (optional)
            <input
              value={settings.rejectCallMessage ?? ''}
              maxLength={1024}
              onInput={(e) => setSettings({ ...settings, rejectCallMessage: e.currentTarget.value })}
            />
          </label>
        </fieldset>
        <button type="submit" class="primary">
          Save settings
        </button>
        {saved && <Notice kind="ok">Saved. Proxy changes apply on the next connect.</Notice>}
        <ErrorNotice error={error} />
      </form>
      <RotateKey sessionId={session.id} />
    </>
  );
}

function RotateKey({ sessionId }: { sessionId: string }) {
  const { client } = useAuth();
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="card" aria-labelledby="key-title">
      <h2 id="key-title">Session API key</h2>
      <p>A new key replaces the current one at once; apps using the old key stop working.</p>
      <button
        type="button"
        onClick={async () => {
          try {
            setKey((await call(client.sessions.rotateKey(sessionId))).apiKey);
          } catch (e) {
            setError(describeError(e));
          }
        }}
      >
        Issue a new key
      </button>
      {key && <SecretOnce label="New session API key" secret={key} />}
      <ErrorNotice error={error} />
    </section>
  );
}
