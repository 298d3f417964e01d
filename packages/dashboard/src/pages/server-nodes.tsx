import type { operations } from '@zapgate/sdk';
import { ErrorNotice, Notice } from '../components/notice.js';
import { ApiError, call } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveResource } from '../lib/live.js';

/** A node of the fleet as `GET /v1/admin/nodes` lists it (the SDK's type of that answer). */
export type FleetNode =
  operations['listNodes']['responses'][200]['content']['application/json']['items'][number];

type NodesResult = { items: FleetNode[] } | 'not-available';

/** The nodes sharing this server's database, with the sessions each one runs. */
export function ServerNodes() {
  const { client } = useAuth();
  // a server without the route (an older version) answers 404: the section says so
  const nodes = useLiveResource<NodesResult>(async () => {
    try {
      return await call(client.api.GET('/v1/admin/nodes'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return 'not-available';
      throw e;
    }
  }, []);
  return (
    <section class="card" aria-labelledby="nodes-title">
      <h2 id="nodes-title">Nodes</h2>
      <ErrorNotice error={nodes.error} />
      {!nodes.data && !nodes.error && <Notice>Loading…</Notice>}
      {nodes.data === 'not-available' && (
        <p class="hint">This server does not list nodes (one node: the one above).</p>
      )}
      {nodes.data && nodes.data !== 'not-available' && (
        <table>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col">Sessions</th>
              <th scope="col">Started</th>
              <th scope="col">Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {nodes.data.items.map((node) => (
              <tr key={node.id} data-node={node.id}>
                <td data-label="Node">
                  <code>{node.id}</code>
                  {node.self && ' (this one)'}
                  {node.url && <small> {node.url}</small>}
                </td>
                <td data-label="State">
                  <span class={`badge ${node.live ? 'badge-connected' : 'badge-disconnected'}`}>
                    {node.live ? 'live' : node.stoppedAt ? 'stopped' : 'not answering'}
                  </span>
                </td>
                <td data-label="Sessions">{node.sessions}</td>
                <td data-label="Started">{new Date(node.startedAt).toLocaleString()}</td>
                <td data-label="Last heartbeat">{new Date(node.heartbeatAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
