import { monotonicFactory } from 'ulid';
import { afterEach, beforeEach, expect } from 'vitest';
import type { EventType, GatewayEventMap } from '../../contracts/events.js';
import type { NewMessage } from '../../contracts/message.js';
import { defaultSessionSettings, type Session } from '../../contracts/session.js';
import type { NewEvent, Repositories, Store } from '../../ports/store.js';

/** Options of `storeConformance`. */
export interface StoreConformanceOptions {
  /** Shown in the suite's name, e.g. `postgres` or `pglite`. */
  name: string;
  /** A fresh, empty, initialised store for one test, and how to dispose of it. */
  create(): Promise<{ store: Store; cleanup(): Promise<void> }>;
  /**
   * Whether a reader outside a transaction can run while the transaction is open (a pool);
   * `false` for single-connection stores such as PGlite, where that would wait forever.
   * @default true
   */
  concurrentReads?: boolean;
}

/** Gives each test a fresh store. */
export function useStore(options: StoreConformanceOptions): () => Store {
  let current: { store: Store; cleanup(): Promise<void> } | null = null;
  beforeEach(async () => {
    current = await options.create();
    await current.store.init();
  });
  afterEach(async () => {
    const done = current;
    current = null;
    await done?.cleanup();
  });
  return () => {
    if (!current) throw new Error('no store: used outside a test');
    return current.store;
  };
}

export const nextId = monotonicFactory();

export function newSession(repos: Pick<Repositories, 'sessions'>, name: string, apiKeyHash?: string) {
  return repos.sessions.create({
    name,
    settings: { ...defaultSessionSettings },
    apiKeyHash: apiKeyHash ?? null,
  });
}

/** A text message of `session` (override anything). */
export function textMessage(session: Session, overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    sessionId: session.id,
    chatId: '15550001111@s.whatsapp.net',
    waid: `WA${nextId()}`,
    msgType: 'text',
    content: { text: 'hello' },
    senderJid: '15550001111@s.whatsapp.net',
    senderName: 'Ana',
    isFromMe: false,
    quotedMsgId: null,
    timestamp: '2024-05-01T10:00:00.000Z',
    ...overrides,
  } as NewMessage;
}

/** An event envelope to append. */
export function newEvent<K extends EventType>(
  type: K,
  sessionId: string | null,
  data: GatewayEventMap[K],
): NewEvent<K> {
  return { id: nextId(), type, sessionId, occurredAt: '2024-05-01T10:00:00.000Z', data };
}

/** A presence payload: small and valid for any event type test. */
export const presence = (jid: string): GatewayEventMap['presence.updated'] => ({
  chatJid: jid,
  jid,
  presence: 'available',
  lastSeen: null,
});

/** Expects `promise` to reject with a GatewayError of `code`. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'GatewayError', code });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { waitFor } from '../wait-for.js';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
