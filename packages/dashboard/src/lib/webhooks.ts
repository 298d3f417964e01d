import type { operations } from '@zapgate/sdk';
import { call, type ZapgateClient } from './api.js';

type Ok<O extends keyof operations> = operations[O]['responses'] extends {
  200: { content: { 'application/json': infer B } };
}
  ? B
  : never;
export type Webhook = Ok<'listWebhooks'>['items'][number];
export type Delivery = Ok<'listWebhookDeliveries'>['items'][number];
export type NewWebhook = { url: string; events: string[]; description?: string };

/**
 * The webhook routes of one scope: a session's (`/v1/sessions/{id}/webhooks`) or the global
 * ones (`/v1/webhooks`, admin). Same operations, two typed path families.
 */
export function webhookApi(client: ZapgateClient, sessionId: string | null) {
  const { api } = client;
  if (sessionId) {
    const path = (webhookId: string) => ({ path: { sessionId, webhookId } });
    return {
      // one page of the most a list gives: the dashboard shows them all on one screen
      list: async () =>
        (
          await call(
            api.GET('/v1/sessions/{sessionId}/webhooks', {
              params: { path: { sessionId }, query: { limit: 200 } },
            }),
          )
        ).items,
      create: (body: NewWebhook) =>
        call(api.POST('/v1/sessions/{sessionId}/webhooks', { params: { path: { sessionId } }, body })),
      setEnabled: (id: string, enabled: boolean) =>
        call(
          api.PATCH('/v1/sessions/{sessionId}/webhooks/{webhookId}', { params: path(id), body: { enabled } }),
        ),
      remove: (id: string) =>
        call(api.DELETE('/v1/sessions/{sessionId}/webhooks/{webhookId}', { params: path(id) })),
      test: (id: string) =>
        call(api.POST('/v1/sessions/{sessionId}/webhooks/{webhookId}/test', { params: path(id) })),
      deliveries: async (id: string) =>
        (
          await call(
            api.GET('/v1/sessions/{sessionId}/webhooks/{webhookId}/deliveries', {
              params: { ...path(id), query: { limit: 20 } },
            }),
          )
        ).items,
      redeliver: (id: string, deliveryId: string) =>
        call(
          api.POST('/v1/sessions/{sessionId}/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', {
            params: { path: { sessionId, webhookId: id, deliveryId } },
          }),
        ),
    };
  }
  const path = (webhookId: string) => ({ path: { webhookId } });
  return {
    list: async () => (await call(api.GET('/v1/webhooks', { params: { query: { limit: 200 } } }))).items,
    create: (body: NewWebhook) => call(api.POST('/v1/webhooks', { body })),
    setEnabled: (id: string, enabled: boolean) =>
      call(api.PATCH('/v1/webhooks/{webhookId}', { params: path(id), body: { enabled } })),
    remove: (id: string) => call(api.DELETE('/v1/webhooks/{webhookId}', { params: path(id) })),
    test: (id: string) => call(api.POST('/v1/webhooks/{webhookId}/test', { params: path(id) })),
    deliveries: async (id: string) =>
      (
        await call(
          api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { ...path(id), query: { limit: 20 } } }),
        )
      ).items,
    redeliver: (id: string, deliveryId: string) =>
      call(
        api.POST('/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', {
          params: { path: { webhookId: id, deliveryId } },
        }),
      ),
  };
}

/** `message.*, session.status` → the list the API takes (empty: every event). */
export function parseEventList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
