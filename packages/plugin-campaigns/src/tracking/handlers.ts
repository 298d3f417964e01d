import type { GatewayEvent } from '@zapgate/core';
import { normalisePhone } from '../audience/phone.js';
import type { CampaignsSessionSettings } from '../options.js';
import { campaignsRepo } from '../repo/campaigns.js';
import type { RecipientRecord } from '../repo/recipients.js';
import { recipientsRepo } from '../repo/recipients.js';
import { suppressionsRepo } from '../repo/suppressions.js';
import { type CampaignsContext, inTx, type Tx } from '../runtime.js';
import { setSessionPart } from '../service/lifecycle.js';
import { resolveSettings } from '../service/prepare.js';
import { isOptOut } from './opt-out.js';
import { maybeEmitProgress } from './progress.js';
import { moveRecipient } from './record.js';
import type { RecipientStatus } from './status.js';

/** Core message status → recipient status. */
const fromMessageStatus: Record<string, Exclude<RecipientStatus, 'pending'> | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
};

/** WhatsApp's reach-out restriction, as the error code of a refused message. */
export const reachOutRestricted = '463';

/**
 * Applies a message status to the recipient it was sent to: moves it, pauses the session's
 * part on a reach-out restriction or a failure rate over the threshold, and emits progress.
 */
export async function applyMessageStatus(
  ctx: CampaignsContext,
  tx: Tx,
  recipient: RecipientRecord,
  status: string,
  reason: string | null,
): Promise<void> {
  const to = fromMessageStatus[status];
  if (!to || !recipient.sessionId) return;
  const change = await moveRecipient(
    tx,
    recipient.campaignId,
    recipient.seq,
    to,
    to === 'failed' ? { reason } : {},
  );
  if (change && to === 'failed') await checkSafety(tx, recipient.campaignId, recipient.sessionId, reason);
  if (change) await maybeEmitProgress(tx, recipient.campaignId, ctx.options.progressIntervalMs);
}

/** Pauses a session's part after a 463, or when too many of its recent sends failed. */
async function checkSafety(
  tx: Tx,
  campaignId: string,
  sessionId: string,
  reason: string | null,
): Promise<void> {
  const campaign = await campaignsRepo.get(tx.sql, campaignId);
  if (!campaign) return;
  if (reason === reachOutRestricted) {
    await setSessionPart(tx, campaign, sessionId, 'reach_out_restricted');
    return;
  }
  const { failureRateThreshold, failureWindow } = resolveSettings(campaign.settings);
  const recent = await tx.sql.query<{ status: string }>(
    `SELECT "status" FROM "campaignRecipients" WHERE "campaignId" = ? AND "sessionId" = ?
       AND "status" NOT IN ('pending', 'sending', 'skipped') ORDER BY "sendingAt" DESC LIMIT ?`,
    [campaignId, sessionId, failureWindow],
  );
  const failed = recent.filter((row) => row.status === 'failed').length;
  if (recent.length >= failureWindow && failed / recent.length >= failureRateThreshold)
    await setSessionPart(tx, campaign, sessionId, 'failure_rate');
}

type StatusEvent = GatewayEvent<'message.status'>;

/** `message.status`: a receipt (or an error ack) for a campaign message. */
export async function onMessageStatus(event: StatusEvent, ctx: CampaignsContext): Promise<void> {
  if (!event.sessionId) return;
  const sessionId = event.sessionId;
  // WhatsApp's refusal code (e.g. '463') of an error ack
  const reason = event.data.error ?? null;
  await inTx(ctx, async (tx) => {
    const recipient = await recipientsRepo.byWaid(tx.sql, sessionId, event.data.waid);
    if (recipient) await applyMessageStatus(ctx, tx, recipient, event.data.status, reason);
  });
}

/** `message.sent`: our send reached WhatsApp. */
export async function onMessageSent(
  event: GatewayEvent<'message.sent'>,
  ctx: CampaignsContext,
): Promise<void> {
  const { message } = event.data;
  if (!message.waid) return;
  await inTx(ctx, async (tx) => {
    const recipient = await recipientsRepo.byWaid(tx.sql, message.sessionId, message.waid!);
    if (recipient)
      await applyMessageStatus(
        ctx,
        tx,
        recipient,
        message.status === 'pending' ? 'sent' : message.status,
        null,
      );
  });
}

const phoneOfChat = (chatId: string) => (chatId.endsWith('@s.whatsapp.net') ? normalisePhone(chatId) : null);

/**
 * `message.received`: a reply from a recipient. An opt-out keyword suppresses the number for
 * the session, marks its recipients `opted_out` and (when configured) confirms; any other
 * reply marks the most recent recipient reached at that number `replied`.
 */
export async function onMessageReceived(
  event: GatewayEvent<'message.received'>,
  ctx: CampaignsContext,
): Promise<void> {
  const { message } = event.data;
  const phone = message.isFromMe ? null : phoneOfChat(message.chatId);
  if (!phone?.ok) return;
  const text = message.msgType === 'text' ? ((message.content as { text?: string }).text ?? '') : '';
  const { keywords, confirmation } = await optOutSettings(ctx, message.sessionId);
  const optOut = isOptOut(text, keywords);
  const confirm = await inTx(ctx, async (tx) => {
    const reached = await recipientsRepo.reachedByPhone(tx.sql, message.sessionId, phone.e164);
    if (!optOut) {
      const latest = reached[0];
      if (latest) {
        await moveRecipient(tx, latest.campaignId, latest.seq, 'replied', { at: message.timestamp });
        await maybeEmitProgress(tx, latest.campaignId, ctx.options.progressIntervalMs);
      }
      return false;
    }
    await suppressionsRepo.add(tx.sql, {
      sessionId: message.sessionId,
      phone: phone.e164,
      reason: 'opt_out',
      campaignId: reached[0]?.campaignId ?? null,
      note: text.slice(0, 200),
    });
    for (const recipient of reached)
      await moveRecipient(tx, recipient.campaignId, recipient.seq, 'opted_out', {
        reason: 'keyword',
        at: message.timestamp,
      });
    return true;
  });
  // the idempotency key makes the confirmation go once per number, also when this handler is retried
  if (confirm && confirmation)
    await ctx.gateway.messages.send(
      message.sessionId,
      { type: 'text', to: phone.e164.slice(1), text: confirmation },
      { idempotencyKey: `campaigns:opt-out:${message.sessionId}:${phone.e164}` },
    );
}

/** The opt-out keywords and confirmation of a session: its settings, else the plugin's options. */
export async function optOutSettings(ctx: CampaignsContext, sessionId: string) {
  const settings = (await ctx.settings.get(sessionId)) as CampaignsSessionSettings | undefined;
  return {
    keywords: settings?.optOutKeywords ?? ctx.options.optOutKeywords,
    confirmation:
      settings?.optOutConfirmation === undefined
        ? ctx.options.optOutConfirmation
        : settings.optOutConfirmation,
  };
}

/** `session.status`: a session that logs out pauses its part of every sending campaign. */
export async function onSessionStatus(
  event: GatewayEvent<'session.status'>,
  ctx: CampaignsContext,
): Promise<void> {
  if (event.data.status !== 'logged_out' || !event.sessionId) return;
  const sessionId = event.sessionId;
  await inTx(ctx, async (tx) => {
    for (const { campaign, part } of await campaignsRepo.bySession(tx.sql, sessionId, [
      'running',
      'scheduled',
    ]))
      if (part.status === 'active') await setSessionPart(tx, campaign, sessionId, 'logged_out');
  });
}
