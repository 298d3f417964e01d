import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

/** A conversation: one-to-one or group. */
export const Chat = Type.Object({
  sessionId: Type.String({ format: 'uuid' }),
  chatJid: Type.String(),
  chatName: Nullable(Type.String()),
  phoneNumber: Nullable(Type.String()),
  isGroup: Type.Boolean(),
  lastMsgAt: Nullable(Timestamp),
  unreadCount: Type.Integer({ minimum: 0, description: 'As reported by WhatsApp' }),
  isArchived: Type.Boolean(),
  isPinned: Type.Boolean(),
  mutedUntil: Nullable(Timestamp),
  metadata: Type.Record(Type.String(), Type.Unknown()),
});
export type Chat = Static<typeof Chat>;

/** What a connector or a user knows about a chat; unknown fields are left as they are. */
export type ChatInput = Pick<Chat, 'chatJid'> & Partial<Omit<Chat, 'sessionId' | 'chatJid'>>;
