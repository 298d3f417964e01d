import { ErrorNotice, Notice } from '../components/notice.js';
import { call } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveResource } from '../lib/live.js';
import { usePlugins } from '../lib/plugins.js';
import { ServerNodes } from './server-nodes.js';

/** Version, the answering node, the fleet's nodes, store, plugins, migrations, and links to docs and metrics. */
export function ServerPage() {
  const { client } = useAuth();
  const info = useLiveResource(() => call(client.api.GET('/v1/admin/server')), []);
  const migrations = useLiveResource(() => call(client.api.GET('/v1/admin/migrations')), []);
  const plugins = usePlugins();
  return (
    <main>
      <h1>Server</h1>
      <ErrorNotice error={info.error} />
      {!info.data && !info.error && <Notice>Loading…</Notice>}
      {info.data && (
        <section class="card" aria-labelledby="server-title">
          <h2 id="server-title">Zapgate {info.data.version}</h2>
          <dl class="details">
            <dt>Node</dt>
            <dd>
              {info.data.node.hostname} (pid {info.data.node.pid}, {info.data.node.runtime}), up since{' '}
              {new Date(info.data.node.startedAt).toLocaleString()}
            </dd>
            <dt>Store</dt>
            <dd>{info.data.store}</dd>
          </dl>
          <p class="row">
            <a href="./docs" target="_blank" rel="noopener">
              API docs (/docs)
            </a>
            <a href="./metrics" target="_blank" rel="noopener">
              Prometheus metrics (/metrics)
            </a>
            <a href="./openapi.json" target="_blank" rel="noopener">
              OpenAPI document
            </a>
          </p>
        </section>
      )}
      <ServerNodes />
      <section class="card" aria-labelledby="plugins-title">
        <h2 id="plugins-title">Plugins</h2>
        {plugins === null ? (
          <Notice>Loading…</Notice>
        ) : plugins.length === 0 ? (
          <p class="hint">No plugin is installed.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Plugin</th>
                <th scope="col">Version</th>
                <th scope="col">Needs</th>
                <th scope="col">Events</th>
                <th scope="col">Per-session settings</th>
              </tr>
            </thead>
            <tbody>
              {plugins.map((p) => (
                <tr key={p.id} data-plugin-row={p.id}>
                  <td data-label="Plugin">{p.id}</td>
                  <td data-label="Version">{p.version}</td>
                  <td data-label="Needs">
                    {Object.entries(p.dependencies)
                      .map(([id, range]) => `${id} ${range}`)
                      .join(', ') || '—'}
                  </td>
                  <td data-label="Events">{p.events.join(', ') || '—'}</td>
                  <td data-label="Per-session settings">
                    {p.sessionSettingsSchema ? 'yes (on each session’s Plugins tab)' : 'no'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card" aria-labelledby="migrations-title">
        <h2 id="migrations-title">Migrations</h2>
        <ErrorNotice error={migrations.error} />
        {migrations.data && (
          <>
            <p>
              {migrations.data.applied.length} applied, {migrations.data.pending.length} pending.
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">Owner</th>
                  <th scope="col">Name</th>
                  <th scope="col">Applied</th>
                </tr>
              </thead>
              <tbody>
                {migrations.data.pending.map((m) => (
                  <tr key={`${m.owner}/${m.name}`}>
                    <td data-label="Owner">{m.owner}</td>
                    <td data-label="Name">{m.name}</td>
                    <td data-label="Applied">pending</td>
                  </tr>
                ))}
                {migrations.data.applied.map((m) => (
                  <tr key={`${m.owner}/${m.name}`}>
                    <td data-label="Owner">{m.owner}</td>
                    <td data-label="Name">{m.name}</td>
                    <td data-label="Applied">{new Date(m.appliedAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </main>
  );
}
