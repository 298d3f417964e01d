import { ErrorNotice, Notice } from '../components/notice.js';
import { call } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveResource } from '../lib/live.js';

/** Version, the answering node, store, plugins, migrations, and links to docs and metrics. */
export function ServerPage() {
  const { client } = useAuth();
  const info = useLiveResource(() => call(client.api.GET('/v1/admin/server')), []);
  const migrations = useLiveResource(() => call(client.api.GET('/v1/admin/migrations')), []);
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
            <dt>Plugins</dt>
            <dd>
              {info.data.plugins.length
                ? info.data.plugins.map((p) => `${p.id} ${p.version}`).join(', ')
                : 'none'}
            </dd>
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
