import { Model } from 'objection';

// Models are never bound to a global knex: every query passes the store's knex or transaction
// (`SessionModel.query(db)`), so several stores can live in one process. Repositories turn
// instances into core's plain contract objects; models never leave this package.

/** A row of `sessions`. */
export class SessionModel extends Model {
  static override tableName = 'sessions';
  static override jsonAttributes = ['settings', 'qr'];
  id!: string;
  name!: string;
  status!: string;
  statusReason!: string | null;
  deviceJid!: string | null;
  phoneNumber!: string | null;
  pushName!: string | null;
  proxyUrl!: string | null;
  settings!: unknown;
  qr!: unknown;
  apiKeyHash!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}

/** A row of `chats`. */
export class ChatModel extends Model {
  static override tableName = 'chats';
  static override idColumn = ['sessionId', 'chatJid'];
  static override jsonAttributes = ['metadata'];
  sessionId!: string;
  chatJid!: string;
  chatName!: string | null;
  phoneNumber!: string | null;
  isGroup!: boolean;
  lastMsgAt!: Date | null;
  unreadCount!: number;
  isArchived!: boolean;
  isPinned!: boolean;
  mutedUntil!: Date | null;
  metadata!: Record<string, unknown>;
}

/** A row of `contacts`. */
export class ContactModel extends Model {
  static override tableName = 'contacts';
  static override idColumn = ['sessionId', 'jid'];
  static override jsonAttributes: string[] = [];
  sessionId!: string;
  jid!: string;
  lid!: string | null;
  phoneNumber!: string | null;
  name!: string | null;
  pushName!: string | null;
  isBusiness!: boolean;
  avatarUrl!: string | null;
  updatedAt!: Date;
}

/** A row of `messages`. */
export class MessageModel extends Model {
  static override tableName = 'messages';
  static override jsonAttributes = ['content', 'mediaInfo', 'metadata'];
  id!: string;
  sessionId!: string;
  chatId!: string;
  waid!: string;
  msgType!: string;
  content!: unknown;
  mediaInfo!: unknown;
  senderJid!: string | null;
  senderName!: string | null;
  isFromMe!: boolean;
  quotedMsgId!: string | null;
  status!: string;
  timestamp!: Date;
  metadata!: Record<string, unknown>;
  origin!: string | null;
  idempotencyKey!: string | null;
  requestHash!: string | null;
}

/** A row of `events`; `seq` is a bigint (a string from `pg`, a number from PGlite). */
export class EventModel extends Model {
  static override tableName = 'events';
  static override idColumn = 'id';
  static override jsonAttributes = ['data'];
  /** `null` until the sequencer numbered the committed row. */
  seq!: string | number | null;
  id!: string;
  type!: string;
  sessionId!: string | null;
  occurredAt!: Date;
  data!: unknown;
}

/** A row of `consumerCursors`. */
export class ConsumerCursorModel extends Model {
  static override tableName = 'consumerCursors';
  static override idColumn = 'consumer';
  consumer!: string;
  position!: string | number;
  leaseOwner!: string | null;
  leaseUntil!: Date | null;
}

/** A row of `authCreds`. */
export class AuthCredsModel extends Model {
  static override tableName = 'authCreds';
  static override idColumn = 'sessionId';
  static override jsonAttributes = ['value'];
  sessionId!: string;
  value!: unknown;
}

/** A row of `authKeys`. */
export class AuthKeyModel extends Model {
  static override tableName = 'authKeys';
  static override idColumn = ['sessionId', 'type', 'id'];
  static override jsonAttributes = ['value'];
  sessionId!: string;
  type!: string;
  id!: string;
  value!: unknown;
}
