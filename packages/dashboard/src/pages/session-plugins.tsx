import { useState } from 'preact/hooks';
import { ConfirmButton } from '../components/confirm.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SchemaForm } from '../components/schema-form.js';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveEvents, useLiveResource } from '../lib/live.js';
import { type PluginInfo, usePlugins } from '../lib/plugins.js';
import type { JsonSchema } from '../lib/schema-form.js';
import type { Session } from '../lib/sessions.js';

/**
 * The per-session settings of every installed plugin that has them, each form drawn from the
 * plugin's `sessionSettingsSchema`: a new plugin gets its page here without dashboard changes.
 */
export function SessionPlugins({ session }: { session: Session }) {
  const installed = usePlugins();
  if (installed === null) return <Notice>Loading the plugins…</Notice>;
  const plugins = installed.filter((p) => p.sessionSettingsSchema);
  if (plugins.length === 0)
    return <Notice>No installed plugin has settings per session. The server page lists the plugins.</Notice>;
  return (
    <>
      {plugins.map((plugin) => (
        <PluginSettingsCard key={plugin.id} plugin={plugin} sessionId={session.id} />
      ))}
    </>
  );
}

function PluginSettingsCard({ plugin, sessionId }: { plugin: PluginInfo; sessionId: string }) {
  const { client } = useAuth();
  const params = { params: { path: { sessionId, pluginId: plugin.id } } };
  const { data, setData, error, reload } = useLiveResource(
    () => call(client.api.GET('/v1/sessions/{sessionId}/plugins/{pluginId}', params)),
    [sessionId, plugin.id],
  );
  const [saved, setSaved] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  useLiveEvents((event) => {
    // saved elsewhere (another tab, the API): show what is stored now
    if (
      event.type === 'plugin.settings.updated' &&
      event.sessionId === sessionId &&
      event.data.pluginId === plugin.id
    )
      void reload();
  });
  const titleId = `plugin-${plugin.id}-title`;
  return (
    <section class="card" aria-labelledby={titleId} data-plugin={plugin.id}>
      <h2 id={titleId}>
        {plugin.id} <small>{plugin.version}</small>
      </h2>
      <ErrorNotice error={error} />
      {!data && !error && <Notice>Loading…</Notice>}
      {data && (
        <>
          <p class="hint">
            {data.updatedAt
              ? `Set up for this session; last saved ${new Date(data.updatedAt).toLocaleString()}.`
              : 'Not set up for this session yet.'}
            {data.secretsSet.length > 0 && ` Secrets stored: ${data.secretsSet.join(', ')} (never shown).`}
          </p>
          <SchemaForm
            // a save or a reload starts the form over from what the server has
            key={data.updatedAt ?? 'unset'}
            schema={plugin.sessionSettingsSchema as JsonSchema}
            stored={data.settings}
            secretsSet={data.secretsSet}
            idPrefix={`plugin-${plugin.id}`}
            submitLabel={`Save ${plugin.id} settings`}
            onSubmit={async (value) => {
              setSaved(null);
              const next = await call(
                client.api.PUT('/v1/sessions/{sessionId}/plugins/{pluginId}', { ...params, body: value }),
              );
              setData(next);
              setSaved(`Saved the ${plugin.id} settings.`);
            }}
          />
          {saved && <Notice kind="ok">{saved}</Notice>}
          {data.updatedAt && (
            <ConfirmButton
              label="Remove settings"
              title={`Remove the ${plugin.id} settings of this session?`}
              confirmLabel="Remove"
              danger
              onConfirm={async () => {
                setSaved(null);
                setRemoveError(null);
                try {
                  await call(client.api.DELETE('/v1/sessions/{sessionId}/plugins/{pluginId}', params));
                  await reload();
                } catch (e) {
                  setRemoveError(describeError(e));
                }
              }}
            >
              <p>
                The session goes back to the plugin's defaults (a bridge such as Chatwoot stops) and its
                stored secrets are deleted.
              </p>
            </ConfirmButton>
          )}
          <ErrorNotice error={removeError} />
        </>
      )}
    </section>
  );
}
