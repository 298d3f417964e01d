import type { RecipientChange } from '../repo/recipients.js';
import { recipientsRepo } from '../repo/recipients.js';
import type { Tx } from '../runtime.js';
import type { RecipientStatus } from './status.js';

/**
 * Moves a recipient and, when it moved, emits `campaign.recipient` in the same transaction
 * (on the sending session's stream).
 */
export async function moveRecipient(
  tx: Tx,
  campaignId: string,
  seq: number,
  to: Exclude<RecipientStatus, 'pending'>,
  extra: { reason?: string | null; at?: string } = {},
): Promise<RecipientChange | null> {
  const change = await recipientsRepo.transition(tx.sql, campaignId, seq, to, extra);
  if (!change) return null;
  const { recipient } = change;
  await tx.emit('campaign.recipient', recipient.sessionId, {
    campaignId,
    seq,
    phone: recipient.phone,
    variantId: recipient.variantId,
    status: recipient.status,
    previous: change.previous,
    reason: recipient.reason,
    messageId: recipient.messageId,
  });
  return change;
}
