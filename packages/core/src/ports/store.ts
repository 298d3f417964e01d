import type { Chat, ChatInput } from '../contracts/chat.js';
import type { PageOf } from '../contracts/common.js';
import type { Contact, ContactInput } from '../contracts/contact.js';
import type { DeadLetter, DeadLetterKind, NewDeadLetter } from '../contracts/dead-letter.js';
import type { EventType, GatewayEvent, GatewayEventMap, StoredEvent } from '../contracts/events.js';
import type { Message, MessageStatus, MessageType, NewMessage } from '../contracts/message.js';
import type { Session, SessionQr, SessionSettings, SessionStatus } from '../contracts/session.js';
import type { AuthRepo } from './auth.js';
import type { SessionLeaseRepo } from './leases.js';
import type { Migration, MigrationState, SqlClient } from './sql.js';

/** Fields a store sets when creating a session. */
export interface CreateSessionInput {
  id?: string;
  name: string;
  proxyUrl?: string | null;
  settings: SessionSettings;
  /** Hash of the session's API key (never the key itself). */
  apiKeyHash?: string | null;
}

/** Fields of a session the gateway changes. */
export interface SessionUpdate {
  name?: string;
  status?: SessionStatus;
  statusReason?: string | null;
  deviceJid?: string | null;
  phoneNumber?: string | null;
  pushName?: string | null;
  proxyUrl?: string | null;
  settings?: SessionSettings;
  qr?: SessionQr | null;
  apiKeyHash?: string | null;
}

export interface SessionRepo {
  /** Creates a session; a taken name throws `SESSION_NAME_TAKEN`. */
  create(input: CreateSessionInput): Promise<Session>;
  get(id: string): Promise<Session | null>;
  getByName(name: string): Promise<Session | null>;
  /** The session whose API key hashes to `hash`. */
  getByApiKeyHash(hash: string): Promise<Session | null>;
  /** Sessions ordered by creation time. */
  list(filter?: { status?: SessionStatus[] }): Promise<Session[]>;
  /** Updates and returns the session; unknown id throws `SESSION_NOT_FOUND`. */
  update(id: string, update: SessionUpdate): Promise<Session>;
  /**
   * Moves every session in status `from` (of `sessionIds` only, when given) to `to` with
   * `reason` (one statement where the store can); returns them as updated.
   */
  reassignStatus(
    from: SessionStatus,
    to: SessionStatus,
    reason: string | null,
    sessionIds?: readonly string[],
  ): Promise<Session[]>;
  /** Deletes the session and, unless `keepData`, its chats, contacts and messages. */
  delete(id: string, options?: { keepData?: boolean }): Promise<boolean>;
}

export interface ChatListFilter {
  archived?: boolean;
  unread?: boolean;
  isGroup?: boolean;
  limit?: number;
  cursor?: string;
}

export interface ChatRepo {
  /** Inserts or merges (fields absent from `input` keep their value). */
  upsert(sessionId: string, input: ChatInput): Promise<Chat>;
  /**
   * {@link upsert} of many chats (of any sessions) in few statements; inputs for the same
   * chat are merged in order first. Returns each chat once, in order of first appearance.
   */
  upsertMany(inputs: readonly (ChatInput & { sessionId: string })[]): Promise<Chat[]>;
  get(sessionId: string, chatJid: string): Promise<Chat | null>;
  /** Most recent activity first. */
  list(sessionId: string, filter?: ChatListFilter): Promise<PageOf<Chat>>;
  delete(sessionId: string, chatJid: string): Promise<boolean>;
}

export interface ContactRepo {
  upsert(sessionId: string, input: ContactInput): Promise<Contact>;
  /**
   * Upserts many contacts of one session (repeats of a jid merged in order) and returns only
   * those it created or changed — a given field with another value than stored — in order of
   * first appearance; an input that changes nothing writes nothing and is left out.
   */
  upsertChanged(sessionId: string, inputs: readonly ContactInput[]): Promise<Contact[]>;
  get(sessionId: string, jid: string): Promise<Contact | null>;
  /** The contact whose `lid` or `jid` is `lid`. */
  getByLid(sessionId: string, lid: string): Promise<Contact | null>;
  /** Ordered by jid; `search` matches name, push name, phone or jid (case-insensitive). */
  list(
    sessionId: string,
    filter?: { search?: string; limit?: number; cursor?: string },
  ): Promise<PageOf<Contact>>;
}

export interface MessageListFilter {
  chatId?: string;
  msgType?: MessageType;
  isFromMe?: boolean;
  status?: MessageStatus;
  /** Inclusive lower bound on `timestamp`. */
  since?: string;
  /** Exclusive upper bound on `timestamp`. */
  until?: string;
  /** @default 50 */
  limit?: number;
  cursor?: string;
}

/** Fields of a message that change after it is stored. */
export interface MessageUpdate {
  content?: Message['content'];
  msgType?: MessageType;
  mediaInfo?: Message['mediaInfo'];
  metadata?: Message['metadata'];
  status?: MessageStatus;
  waid?: string;
  timestamp?: string;
}

export interface MessageRepo {
  /**
   * Stores a message once: the same (sessionId, chatId, waid) again returns the stored row
   * with `inserted: false` and changes nothing.
   */
  insert(message: NewMessage): Promise<{ message: Message; inserted: boolean }>;
  /**
   * Stores many messages (of any sessions) in few statements, each once as {@link insert}
   * does (a repeated waid, also within `messages`, changes nothing). Returns the ones that
   * were new, in input order.
   */
  insertMany(messages: readonly NewMessage[]): Promise<Message[]>;
  get(sessionId: string, id: string): Promise<Message | null>;
  getByWaid(sessionId: string, chatId: string, waid: string): Promise<Message | null>;
  /** The message sent with an idempotency key, and the hash of the request that sent it. */
  getByIdempotencyKey(
    sessionId: string,
    key: string,
  ): Promise<{ message: Message; requestHash: string | null } | null>;
  /** Newest first; the cursor is opaque. */
  list(sessionId: string, filter?: MessageListFilter): Promise<PageOf<Message>>;
  update(sessionId: string, id: string, update: MessageUpdate): Promise<Message>;
  /**
   * Marks every `pending` outbound message, of every session (of `sessionIds` only, when
   * given), `failed` with `metadata.error` set to `error` (one statement where the store can);
   * returns them as updated.
   */
  failPending(error: string, sessionIds?: readonly string[]): Promise<Message[]>;
  /**
   * Moves the status forward only (`sent → delivered → read → played`); returns the message
   * and its previous status when it moved, `null` when it would not advance.
   */
  advanceStatus(
    sessionId: string,
    chatId: string,
    waid: string,
    status: MessageStatus,
  ): Promise<{ message: Message; previous: MessageStatus } | null>;
  /**
   * {@link advanceStatus} for several messages of one session, to one status, in one statement
   * where the store can: those that moved, in input order (a message that would not advance,
   * or does not exist, is left out).
   */
  advanceStatusMany(
    sessionId: string,
    keys: readonly { chatId: string; waid: string }[],
    status: MessageStatus,
  ): Promise<{ message: Message; previous: MessageStatus }[]>;
}

/** An event to append; the store assigns `seq`, core assigns `id` and `occurredAt`. */
export interface NewEvent<K extends EventType = EventType> {
  id: string;
  type: K;
  sessionId: string | null;
  occurredAt: string;
  data: GatewayEventMap[K];
}

export interface EventLogRepo {
  /**
   * Appends an event. In a transaction it becomes visible only on commit (outbox), and its
   * position is given after the commit (in commit order, so no writer waits for another):
   * it resolves to the envelope as stored. Outside a transaction it resolves once the event
   * is listed with its position.
   */
  append<K extends EventType>(event: NewEvent<K>): Promise<GatewayEvent<K>>;
  /** Appends several events, in this order, as {@link append} does (one statement where it can). */
  appendMany(events: readonly NewEvent[]): Promise<void>;
  /**
   * Events after position `afterSeq`, in order. Never skips: an event that becomes visible
   * later never has a position below one already returned. Inside a transaction, the
   * transaction's own appends are not listed (they have no position before commit).
   * `sessionId: null` lists only events without a session; `types` takes exact types and
   * patterns (`message.*`, `*`). With `beforeSeq`, only events below that position; with
   * `newestFirst`, the newest `limit` of them in reverse order (a page of history, read
   * backwards with `beforeSeq` set to the last position returned).
   */
  list(filter: {
    afterSeq: number;
    limit: number;
    sessionId?: string | null;
    types?: string[];
    /** Only events below this position. @default no bound */
    beforeSeq?: number;
    /** Newest first. @default false (oldest first) */
    newestFirst?: boolean;
  }): Promise<StoredEvent[]>;
  get(id: string): Promise<StoredEvent | null>;
  /** The position of the newest visible event (0 when empty). */
  head(): Promise<number>;
  /**
   * Retention: deletes up to `limit` events that occurred before `olderThan` and that every
   * consumer has seen (at or below every cursor's position and every parked stream's position);
   * returns how many. Never deletes an event without a position yet.
   */
  prune(olderThan: string, limit: number): Promise<number>;
}

/**
 * Per-consumer cursors with leases: one holder at a time across every process; a crashed
 * holder's lease expires and another process resumes from the last committed position.
 */
export interface ConsumerCursorRepo {
  /**
   * Takes or renews the lease; the committed position, or `null` when someone else holds it.
   * A consumer seen for the first time starts at `initialPosition`. @default initialPosition 0
   */
  claim(consumer: string, owner: string, leaseMs: number, initialPosition?: number): Promise<number | null>;
  /** Commits a position (only forward) while holding the lease; `false` when the lease was lost. */
  commit(consumer: string, owner: string, position: number, leaseMs: number): Promise<boolean>;
  release(consumer: string, owner: string): Promise<void>;
  /**
   * The consumer's parked streams: a stream (a session id, `''` for events without a session)
   * whose events after `position` are not all handled, although the consumer's cursor may be
   * past them.
   */
  parked(consumer: string): Promise<Array<{ stream: string; position: number }>>;
  /** Records (or moves) a parked stream while holding the lease; `false` when the lease was lost. */
  park(consumer: string, owner: string, stream: string, position: number): Promise<boolean>;
  /** Drops a parked stream (caught up) while holding the lease; `false` when the lease was lost. */
  unpark(consumer: string, owner: string, stream: string): Promise<boolean>;
}

/** Filter of {@link DeadLetterRepo.list}. */
export interface DeadLetterFilter {
  kind?: DeadLetterKind;
  pluginId?: string;
  sessionId?: string;
  /** @default 50 */
  limit?: number;
  cursor?: string;
}

/** Work given up after its last attempt (plugin jobs and plugin event handlers), one store for both. */
export interface DeadLetterRepo {
  /** Keeps a dead letter (in a transaction: only if it commits). */
  add(input: NewDeadLetter): Promise<DeadLetter>;
  get(id: string): Promise<DeadLetter | null>;
  /** Newest first; the cursor is opaque. */
  list(filter?: DeadLetterFilter): Promise<PageOf<DeadLetter>>;
  delete(id: string): Promise<boolean>;
  /** How many dead letters each plugin has, per kind (plugins without any are absent). */
  counts(): Promise<Array<{ pluginId: string; kind: DeadLetterKind; count: number }>>;
}

/** A plugin's settings of one session, as stored (secret fields already sealed by core). */
export interface StoredPluginSettings {
  sessionId: string;
  pluginId: string;
  settings: Record<string, unknown>;
  updatedAt: string;
}

/** Per-session plugin settings; a session's rows go when the session is deleted. */
export interface PluginSettingsRepo {
  get(sessionId: string, pluginId: string): Promise<StoredPluginSettings | null>;
  /** Every session's settings of a plugin, ordered by session id. */
  list(pluginId: string): Promise<StoredPluginSettings[]>;
  /** Creates or replaces. */
  put(sessionId: string, pluginId: string, settings: Record<string, unknown>): Promise<StoredPluginSettings>;
  /** `false` when there was nothing to delete. */
  delete(sessionId: string, pluginId: string): Promise<boolean>;
}

/** The repositories a unit of work sees. */
export interface Repositories {
  sessions: SessionRepo;
  chats: ChatRepo;
  contacts: ContactRepo;
  messages: MessageRepo;
  events: EventLogRepo;
  auth: AuthRepo;
  pluginSettings: PluginSettingsRepo;
  deadLetters: DeadLetterRepo;
  /** Plain SQL for plugins' own tables; absent on stores without SQL (in-memory). */
  sql?: SqlClient;
  /**
   * Session leases between gateway processes sharing this store; absent when the store cannot
   * be shared (in-memory): the one gateway then owns every session.
   */
  leases?: SessionLeaseRepo;
}

/** Sessions as plugins read them: no lookup by, nor change of, API-key hashes. */
export type PluginSessionRepo = Pick<SessionRepo, 'get' | 'getByName' | 'list'>;

/**
 * The repositories a plugin sees (`ctx.store`, and `tx` inside its `transaction`): sessions
 * read-only, chats, contacts, messages and the event log. Not there: Baileys credentials and
 * Signal keys (`auth`), API-key hashes, other plugins' settings (use `ctx.settings`), dead
 * letters and consumer cursors (core's). `sql` reaches the whole database: it is for the
 * plugin's own tables, a convenience, not a security boundary.
 */
export interface PluginRepositories {
  sessions: PluginSessionRepo;
  chats: ChatRepo;
  contacts: ContactRepo;
  messages: MessageRepo;
  events: EventLogRepo;
  /** Plain SQL for the plugin's own tables; absent on stores without SQL (in-memory). */
  sql?: SqlClient;
}

/** The store as a plugin sees it: {@link PluginRepositories} and transactions over them. */
export interface PluginStore extends PluginRepositories {
  /** A short name for logs (`postgres`, `pglite`, `memory`). */
  readonly kind: string;
  /** Runs `fn` in one store transaction (see {@link Store.transaction}). */
  transaction<T>(fn: (tx: PluginRepositories) => Promise<T>): Promise<T>;
}

/**
 * A storage backend. `@zapgate/store-postgres` is the production one; the in-memory store in
 * `@zapgate/core/testing` is for unit tests.
 *
 * Inside `transaction(fn)` use only the repositories passed to `fn`: embedded stores have a
 * single connection, and reaching for the outer store there would wait forever.
 */
export interface Store extends Repositories {
  /** A short name for logs (`postgres`, `pglite`, `memory`). */
  readonly kind: string;
  cursors: ConsumerCursorRepo;
  /** Prepares the store (connects, applies core migrations). Safe to call twice. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws when the store cannot answer (readiness check). */
  ping(): Promise<void>;
  /**
   * Runs `fn` in one transaction. When the database aborts it as a serialization failure or
   * a deadlock victim (nothing was written), `fn` runs again (a few times): keep effects
   * outside the store out of `fn`.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Applies an owner's migrations in order, once each, under a lock; checks checksums. */
  migrate(owner: string, migrations: readonly Migration[]): Promise<void>;
  /** Applied and pending migrations for the given owners' lists. */
  migrationStatus(known: Record<string, readonly Migration[]>): Promise<MigrationState[]>;
  /** Calls `listener` soon after events are appended (by any process, where supported). */
  onEventsAppended(listener: () => void): () => void;
  /**
   * Calls `listener` soon after durable jobs are enqueued and committed (by any process, where
   * supported), so job runners start them without waiting for their poll. Optional: runners
   * poll without it.
   */
  onJobsEnqueued?(listener: () => void): () => void;
}
