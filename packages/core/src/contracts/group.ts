import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

export const GroupParticipantRole = Type.Union([
  Type.Literal('member'),
  Type.Literal('admin'),
  Type.Literal('superadmin'),
]);

export const GroupParticipant = Type.Object({
  jid: Type.String(),
  role: GroupParticipantRole,
});
export type GroupParticipant = Static<typeof GroupParticipant>;

/** A group chat's metadata. Stored as a chat with `isGroup` and this in `metadata`. */
export const Group = Type.Object({
  sessionId: Type.String({ format: 'uuid' }),
  jid: Type.String(),
  subject: Type.String(),
  description: Nullable(Type.String()),
  owner: Nullable(Type.String()),
  participants: Type.Array(GroupParticipant),
  announce: Type.Boolean({ description: 'Only admins can send' }),
  restrict: Type.Boolean({ description: 'Only admins can edit group info' }),
  createdAt: Nullable(Timestamp),
});
export type Group = Static<typeof Group>;

/** Participant changes in a group. */
export const GroupParticipantsAction = Type.Union([
  Type.Literal('add'),
  Type.Literal('remove'),
  Type.Literal('promote'),
  Type.Literal('demote'),
]);
export type GroupParticipantsAction = Static<typeof GroupParticipantsAction>;
