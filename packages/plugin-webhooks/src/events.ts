import { type Static, Type } from '@sinclair/typebox';
import { type AnyGatewayEvent, matchesEventPattern } from '@zapgate/core';

/** Payload schemas of the events this plugin defines (documented under OpenAPI `webhooks`). */
export const webhooksEventSchemas = {
  'webhook.test': Type.Object({
    webhookId: Type.String({ format: 'uuid', description: 'The subscription the test was sent to' }),
    message: Type.String(),
  }),
};

/** Payload of a `webhook.test` event. */
export type WebhookTestEvent = Static<(typeof webhooksEventSchemas)['webhook.test']>;

declare module '@zapgate/core' {
  interface GatewayEventMap {
    /** Sent by `POST …/webhooks/:webhookId/test` to that subscription only. */
    'webhook.test': WebhookTestEvent;
  }
}

/** The envelope sent to receivers: exactly core's event envelope. */
export interface WebhookPayload {
  id: string;
  type: string;
  sessionId: string | null;
  occurredAt: string;
  data: unknown;
}

/** True when a subscription's `events` filter takes `type` (empty: everything). */
export function subscribedTo(events: readonly string[], type: string): boolean {
  return events.length === 0 || events.some((pattern) => matchesEventPattern(pattern, type));
}

type Loose = Record<string, unknown> | undefined;
const str = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The chat an event concerns (deliveries of ordered subscriptions keep order per chat). */
export function chatKeyOf(event: Pick<AnyGatewayEvent, 'data'>): string | null {
  const data = event.data as Loose;
  const nested = (key: string) => data?.[key] as Loose;
  return (
    str(nested('message')?.chatId) ??
    str(data?.chatId) ??
    str(nested('chat')?.chatJid) ??
    str(data?.chatJid) ??
    str(data?.groupJid) ??
    str(nested('group')?.jid) ??
    null
  );
}

/**
 * The payload for an event: its envelope, with a message's media URL (a path to the media
 * endpoint) made absolute when the host has a public URL. Never media bytes, never keys.
 */
export function payloadOf(event: AnyGatewayEvent, publicUrl: string | undefined): WebhookPayload {
  const envelope: WebhookPayload = {
    id: event.id,
    type: event.type,
    sessionId: event.sessionId,
    occurredAt: event.occurredAt,
    data: event.data,
  };
  const message = (event.data as Loose)?.message as Loose;
  const mediaInfo = message?.mediaInfo as Loose;
  const url = mediaInfo?.url;
  if (!publicUrl || typeof url !== 'string' || !url.startsWith('/')) return envelope;
  const absolute = publicUrl.replace(/\/+$/, '') + url;
  return {
    ...envelope,
    data: { ...(event.data as object), message: { ...message, mediaInfo: { ...mediaInfo, url: absolute } } },
  };
}
