import { monotonicFactory } from 'ulid';
import type { EventType, GatewayEvent, GatewayEventMap } from '../contracts/events.js';
import type { NewEvent, Repositories } from '../ports/store.js';

const nextUlid = monotonicFactory();

/** A new event with a fresh ULID, to append (alone or with others). */
export function newEvent<K extends EventType>(
  type: K,
  sessionId: string | null,
  data: GatewayEventMap[K],
): NewEvent<K> {
  return { id: nextUlid(), type, sessionId, occurredAt: new Date().toISOString(), data };
}

/** Appends an event with a fresh ULID; pass the transaction's repositories for the outbox. */
export function appendEvent<K extends EventType>(
  repos: Pick<Repositories, 'events'>,
  type: K,
  sessionId: string | null,
  data: GatewayEventMap[K],
): Promise<GatewayEvent<K>> {
  return repos.events.append(newEvent(type, sessionId, data));
}
