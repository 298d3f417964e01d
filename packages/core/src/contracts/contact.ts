import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

/** A WhatsApp user known to a session, with its LID ↔ phone mapping when known. */
export const Contact = Type.Object({
  sessionId: Type.String({ format: 'uuid' }),
  jid: Type.String(),
  lid: Nullable(Type.String({ description: 'The user LID (`…@lid`) when known' })),
  phoneNumber: Nullable(Type.String()),
  name: Nullable(Type.String({ description: 'Name saved in the address book' })),
  pushName: Nullable(Type.String({ description: 'Name the user set for themselves' })),
  isBusiness: Type.Boolean(),
  avatarUrl: Nullable(Type.String()),
  updatedAt: Timestamp,
});
export type Contact = Static<typeof Contact>;

/** What a connector knows about a contact; unknown fields are left as they are. */
export type ContactInput = Pick<Contact, 'jid'> & Partial<Omit<Contact, 'sessionId' | 'jid' | 'updatedAt'>>;
