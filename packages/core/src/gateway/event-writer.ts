import { monotonicFactory } from 'ulid';
import type { EventType, GatewayEventMap, StoredEvent } from '../contracts/events.js';
import type { Repositories } from '../ports/store.js';

const nextUlid = monotonicFactory();

/** Appends an event with a fresh ULID; pass the transaction's repositories for the outbox. */
export function appendEvent<K extends EventType>(
  repos: Pick<Repositories, 'events'>,
  type: K,
  sessionId: string | null,
  data: GatewayEventMap[K],
): Promise<StoredEvent> {
  return repos.events.append({ id: nextUlid(), type, sessionId, occurredAt: new Date().toISOString(), data });
}
