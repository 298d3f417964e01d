/** Where a recipient stands. */
export const recipientStatuses = [
  'pending',
  'skipped',
  'sending',
  'sent',
  'delivered',
  'read',
  'replied',
  'failed',
  'opted_out',
] as const;
export type RecipientStatus = (typeof recipientStatuses)[number];

/** The column holding when a recipient reached each status (`pending` has none). */
export const statusTimestamp = {
  skipped: 'skippedAt',
  sending: 'sendingAt',
  sent: 'sentAt',
  delivered: 'deliveredAt',
  read: 'readAt',
  replied: 'repliedAt',
  failed: 'failedAt',
  opted_out: 'optedOutAt',
} as const satisfies Record<Exclude<RecipientStatus, 'pending'>, string>;

const progress: Partial<Record<RecipientStatus, number>> = {
  pending: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  replied: 5,
};

/** Statuses after which nothing is sent to the recipient any more. */
export const finalStatuses: readonly RecipientStatus[] = ['skipped', 'failed', 'opted_out'];

/**
 * True when a recipient in `from` may move to `to`. Receipts only move forward
 * (`sent → delivered → read → replied`; a late delivery receipt after `read` is kept as a
 * timestamp, not a status); `skipped` only from `pending`; `failed` only before delivery (an
 * error ack can follow `sent`); `opted_out` from anything but `skipped` and `failed`.
 */
export function canMove(from: RecipientStatus, to: RecipientStatus): boolean {
  if (from === to || from === 'opted_out') return false;
  if (to === 'skipped') return from === 'pending';
  if (to === 'failed') return from === 'pending' || from === 'sending' || from === 'sent';
  if (to === 'opted_out') return from !== 'skipped' && from !== 'failed';
  const [a, b] = [progress[from], progress[to]];
  return a !== undefined && b !== undefined && b > a;
}
