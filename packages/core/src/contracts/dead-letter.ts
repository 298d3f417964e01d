import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

/** What was given up on: a plugin's durable job, or an event a plugin's handler kept failing on. */
export const DeadLetterKind = Type.Union([Type.Literal('job'), Type.Literal('event')], {
  description: '`job`: a durable job; `event`: an event a plugin handler failed on',
});
export type DeadLetterKind = Static<typeof DeadLetterKind>;

/** Work given up after its last attempt: kept, listable and retryable (never silently dropped). */
export const DeadLetter = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: DeadLetterKind,
  /** The plugin whose job or event handler failed. */
  pluginId: Type.String(),
  /** The job's name or the event's type. */
  name: Type.String(),
  sessionId: Nullable(Type.String({ format: 'uuid' })),
  /** The job's payload, or the whole event envelope. */
  payload: Type.Unknown(),
  /** The last error's message. */
  error: Type.String(),
  attempts: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp,
});
export type DeadLetter = Static<typeof DeadLetter>;

/** A dead letter to keep; the store assigns `id` and `createdAt`. */
export type NewDeadLetter = Omit<DeadLetter, 'id' | 'createdAt'>;
