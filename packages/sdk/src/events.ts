import type { webhooks } from './schema.js';

type PayloadOf<O> = O extends { post: { requestBody?: { content: { 'application/json': infer P } } } }
  ? P
  : never;

/** Every event type the server announces (SSE and webhooks). */
export type ZapgateEventType = keyof webhooks & string;

type EventsByType = { [K in ZapgateEventType]: PayloadOf<webhooks[K]> };

/** The envelope of an event of type `K`: `{ id, type, sessionId, occurredAt, data }`. */
export type ZapgateEvent<K extends ZapgateEventType = ZapgateEventType> = EventsByType[K];

/** Narrows an event to one type. */
export function isEventType<K extends ZapgateEventType>(
  event: ZapgateEvent,
  type: K,
): event is Extract<ZapgateEvent, { type: K }> {
  return event.type === type;
}

/** Type guards for the most used events. */
export const isMessageReceived = (event: ZapgateEvent) => isEventType(event, 'message.received');
export const isMessageStatus = (event: ZapgateEvent) => isEventType(event, 'message.status');
export const isSessionStatus = (event: ZapgateEvent) => isEventType(event, 'session.status');
export const isSessionQr = (event: ZapgateEvent) => isEventType(event, 'session.qr');
