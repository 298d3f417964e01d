import type { FastifyInstance } from 'fastify';
import { inboxJson } from '../serialize.js';
import { type ApiContext, idOf, notFound, type Params } from './context.js';

type InboxBody = { name?: string; channel?: { type?: string; webhook_url?: string } };

export function inboxRoutes(app: FastifyInstance, ctx: ApiContext, prefix: string): void {
  const { state } = ctx;

  app.get(`${prefix}/inboxes`, async () => ({ payload: [...state.inboxes.values()].map(inboxJson) }));

  app.get<{ Params: Params }>(`${prefix}/inboxes/:id`, async (request, reply) => {
    const inbox = state.inboxes.get(idOf(request.params, 'id'));
    return inbox ? inboxJson(inbox) : notFound(reply);
  });

  app.post<{ Body: InboxBody }>(`${prefix}/inboxes`, async (request, reply) => {
    const { name, channel } = request.body;
    if (!name || channel?.type !== 'api') {
      return reply.code(422).send({ error: 'the fake Chatwoot creates API channel inboxes only' });
    }
    return inboxJson(state.addInbox(name, channel.webhook_url || null, ctx.signWebhooks));
  });

  app.patch<{ Params: Params; Body: InboxBody & { enable_auto_assignment?: boolean } }>(
    `${prefix}/inboxes/:id`,
    async (request, reply) => {
      const inbox = state.inboxes.get(idOf(request.params, 'id'));
      if (!inbox) return notFound(reply);
      const { name, channel, enable_auto_assignment } = request.body;
      if (name !== undefined) inbox.name = name;
      if (channel?.webhook_url !== undefined) inbox.webhookUrl = channel.webhook_url || null;
      if (enable_auto_assignment !== undefined) inbox.enableAutoAssignment = enable_auto_assignment;
      return inboxJson(inbox);
    },
  );
}
