import { Type } from '@sinclair/typebox';
import { Timestamp } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { responses } from '../schemas.js';

const Node = Type.Object({
  id: Type.String({ description: 'The node id (`ZAPGATE_NODE_ID`)' }),
  url: Type.Union([Type.String(), Type.Null()], {
    description: 'Where other nodes forward requests to it (`ZAPGATE_NODE_URL`)',
  }),
  startedAt: Timestamp,
  heartbeatAt: Timestamp,
  stoppedAt: Type.Union([Timestamp, Type.Null()], { description: 'Set by a graceful stop' }),
  live: Type.Boolean({ description: 'Its heartbeat is younger than the lease time and it did not stop' }),
  self: Type.Boolean({ description: 'The node that answered this request' }),
  sessions: Type.Integer({ minimum: 0, description: 'Sessions whose socket it runs (unexpired leases)' }),
});
const NodeList = Type.Object({ items: Type.Array(Node) });

/** The gateway nodes sharing the database. */
export function nodeRoutes(app: ZapgateInstance, ctx: RouteContext) {
  app.get(
    '/admin/nodes',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listNodes',
        summary: 'List gateway nodes',
        description:
          'The nodes sharing this database (seen within ten lease times), with heartbeats and how many sessions each runs. Empty on a store that cannot be shared (in-memory).',
        tags: ['admin'],
        response: responses({ 200: NodeList }),
      },
    },
    async () => {
      const { cluster } = ctx.gateway;
      const nodes = await cluster.nodes();
      return { items: nodes.map((node) => ({ ...node, self: node.id === cluster.nodeId })) };
    },
  );
}
