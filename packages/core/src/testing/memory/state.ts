import type { Chat } from '../../contracts/chat.js';
import type { Contact } from '../../contracts/contact.js';
import type { DeadLetter } from '../../contracts/dead-letter.js';
import type { StoredEvent } from '../../contracts/events.js';
import type { Message } from '../../contracts/message.js';
import type { Session } from '../../contracts/session.js';
import type { StoredPluginSettings } from '../../ports/store.js';

const DELETED = Symbol('deleted');

/** A stored message with what only the store knows. */
export interface MessageRow {
  message: Message;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** A session row with its (never returned) API key hash. */
export interface SessionRow {
  session: Session;
  apiKeyHash: string | null;
  /** Creation order (timestamps tie within a millisecond). */
  order: number;
}

export interface CursorRow {
  position: number;
  owner: string | null;
  leaseUntil: number;
  /** Parked streams: stream → position. */
  parked: Map<string, number>;
}

export interface MigrationRow {
  owner: string;
  name: string;
  checksum: string;
  appliedAt: string;
}

/** Committed state of a memory store. */
export interface MemoryState {
  sessions: Map<string, SessionRow>;
  chats: Map<string, Chat>;
  contacts: Map<string, Contact>;
  messages: Map<string, MessageRow>;
  /** `sessionId/chatId/waid` → message id. */
  waids: Map<string, string>;
  /** `sessionId/idempotencyKey` → message id. */
  idempotencyKeys: Map<string, string>;
  creds: Map<string, unknown>;
  /** `sessionId/type/id` → value. */
  keys: Map<string, unknown>;
  events: StoredEvent[];
  seq: number;
  cursors: Map<string, CursorRow>;
  migrations: MigrationRow[];
  /** `sessionId/pluginId` → settings. */
  pluginSettings: Map<string, StoredPluginSettings>;
  deadLetters: Map<string, DeadLetter>;
}

export function emptyState(): MemoryState {
  return {
    sessions: new Map(),
    chats: new Map(),
    contacts: new Map(),
    messages: new Map(),
    waids: new Map(),
    idempotencyKeys: new Map(),
    creds: new Map(),
    keys: new Map(),
    events: [],
    seq: 0,
    cursors: new Map(),
    migrations: [],
    pluginSettings: new Map(),
    deadLetters: new Map(),
  };
}

/** A composite key that cannot collide (JIDs never contain NUL). */
export const key = (...parts: string[]): string => parts.join('\u0000');

/**
 * A copy-on-write view of one table: writes go to an overlay that `commit()` applies, so a
 * transaction that throws is simply dropped and leaves no trace.
 */
export class TableView<V> {
  private readonly changes = new Map<string, V | typeof DELETED>();

  constructor(private readonly base: Map<string, V>) {}

  get(k: string): V | undefined {
    const changed = this.changes.get(k);
    if (changed === DELETED) return undefined;
    return changed !== undefined ? changed : this.base.get(k);
  }

  set(k: string, value: V): void {
    this.changes.set(k, value);
  }

  delete(k: string): boolean {
    const existed = this.get(k) !== undefined;
    this.changes.set(k, DELETED);
    return existed;
  }

  values(): V[] {
    const out: V[] = [];
    for (const [k, v] of this.base) if (!this.changes.has(k)) out.push(v);
    for (const v of this.changes.values()) if (v !== DELETED) out.push(v);
    return out;
  }

  entries(): [string, V][] {
    const out: [string, V][] = [];
    for (const [k, v] of this.base) if (!this.changes.has(k)) out.push([k, v]);
    for (const [k, v] of this.changes) if (v !== DELETED) out.push([k, v]);
    return out;
  }

  commit(): void {
    for (const [k, v] of this.changes) {
      if (v === DELETED) this.base.delete(k);
      else this.base.set(k, v);
    }
  }
}

/** Everything one unit of work sees: committed state plus its own uncommitted writes. */
export class Views {
  readonly sessions: TableView<SessionRow>;
  readonly chats: TableView<Chat>;
  readonly contacts: TableView<Contact>;
  readonly messages: TableView<MessageRow>;
  readonly waids: TableView<string>;
  readonly idempotencyKeys: TableView<string>;
  readonly creds: TableView<unknown>;
  readonly keys: TableView<unknown>;
  readonly pluginSettings: TableView<StoredPluginSettings>;
  readonly deadLetters: TableView<DeadLetter>;
  /** Events appended in this unit of work: positioned and visible only after commit. */
  readonly pendingEvents: Omit<StoredEvent, 'seq'>[] = [];

  constructor(readonly state: MemoryState) {
    this.sessions = new TableView(state.sessions);
    this.chats = new TableView(state.chats);
    this.contacts = new TableView(state.contacts);
    this.messages = new TableView(state.messages);
    this.waids = new TableView(state.waids);
    this.idempotencyKeys = new TableView(state.idempotencyKeys);
    this.creds = new TableView(state.creds);
    this.keys = new TableView(state.keys);
    this.pluginSettings = new TableView(state.pluginSettings);
    this.deadLetters = new TableView(state.deadLetters);
  }

  /** Committed events (this unit's own get their position when it commits). */
  events(): StoredEvent[] {
    return this.state.events;
  }

  commit(): void {
    for (const table of [
      this.sessions,
      this.chats,
      this.contacts,
      this.messages,
      this.waids,
      this.idempotencyKeys,
      this.creds,
      this.keys,
      this.pluginSettings,
      this.deadLetters,
    ] as TableView<unknown>[]) {
      table.commit();
    }
    for (const event of this.pendingEvents)
      this.state.events.push({ ...event, seq: ++this.state.seq } as StoredEvent);
  }
}

/** A deep copy, so callers never hold references into the store. */
export const copy = <T>(value: T): T => structuredClone(value);
