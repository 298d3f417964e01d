import { campaignsError } from '../error-codes.js';
import { type CampaignRecord, type CampaignStatus, campaignsRepo } from '../repo/campaigns.js';
import { recipientsRepo } from '../repo/recipients.js';
import type { CampaignsContext, Tx } from '../runtime.js';
import { inTx } from '../runtime.js';
import { moveRecipient } from '../tracking/record.js';
import { requireCampaign } from './campaigns.js';

/** What a status change may come from. */
const allowedFrom: Record<
  'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled',
  readonly CampaignStatus[]
> = {
  scheduled: ['draft', 'paused'],
  running: ['draft', 'scheduled', 'paused'],
  paused: ['scheduled', 'running'],
  completed: ['running', 'scheduled'],
  cancelled: ['draft', 'scheduled', 'running', 'paused'],
};

/** Called in the transaction of a change that makes a campaign send (to enqueue its senders). */
export type OnSending = (ctx: CampaignsContext, tx: Tx, campaign: CampaignRecord) => Promise<void>;

/**
 * Moves a campaign to `status` and emits `campaign.status` in the same transaction; a
 * disallowed move is `CAMPAIGNS_INVALID_STATE` (409). Cancelling (or ending) marks every
 * recipient not sent yet as `skipped` with the reason, so every recipient ends sent or marked.
 */
export async function setCampaignStatus(
  tx: Tx,
  campaign: CampaignRecord,
  status: keyof typeof allowedFrom,
  reason: string | null,
): Promise<CampaignRecord> {
  if (!allowedFrom[status].includes(campaign.status))
    throw campaignsError('CAMPAIGNS_INVALID_STATE', `A ${campaign.status} campaign cannot become ${status}`);
  const updated = await campaignsRepo.setStatus(tx.sql, campaign.id, status, reason);
  if (status === 'cancelled' || status === 'completed') await skipUnsent(tx, campaign.id, reason ?? status);
  await tx.emit('campaign.status', null, {
    campaignId: campaign.id,
    name: campaign.name,
    status,
    previous: campaign.status,
    reason,
    session: null,
  });
  return updated;
}

/** Marks every pending recipient `skipped` with `reason` (emitting `campaign.recipient`). */
async function skipUnsent(tx: Tx, campaignId: string, reason: string): Promise<void> {
  for (;;) {
    const pending = await recipientsRepo.page(tx.sql, campaignId, { limit: 500, statuses: ['pending'] });
    if (pending.length === 0) return;
    for (const recipient of pending)
      await moveRecipient(tx, campaignId, recipient.seq, 'skipped', { reason });
  }
}

/** Starts a draft (scheduled when its start time is ahead) or resumes a paused campaign. */
export function startCampaign(ctx: CampaignsContext, id: string, onSending: OnSending, now = Date.now()) {
  return inTx(ctx, async (tx) => {
    const campaign = await requireCampaign(tx, id, true);
    if (campaign.status !== 'draft' && campaign.status !== 'paused')
      throw campaignsError('CAMPAIGNS_INVALID_STATE', `A ${campaign.status} campaign cannot be started`);
    const startAt = campaign.schedule.startAt ? Date.parse(campaign.schedule.startAt) : now;
    const updated = await setCampaignStatus(tx, campaign, startAt > now ? 'scheduled' : 'running', null);
    if (campaign.status === 'paused')
      for (const part of await campaignsRepo.sessions(tx.sql, id))
        if (part.status === 'paused') await setSessionPart(tx, updated, part.sessionId, null);
    await onSending(ctx, tx, updated);
    return updated;
  });
}

/** Pauses a scheduled or running campaign by hand. */
export function pauseCampaign(ctx: CampaignsContext, id: string) {
  return inTx(ctx, async (tx) =>
    setCampaignStatus(tx, await requireCampaign(tx, id, true), 'paused', 'manual'),
  );
}

/** Cancels a campaign; recipients not sent yet become `skipped` (`cancelled`). */
export function cancelCampaign(ctx: CampaignsContext, id: string) {
  return inTx(ctx, async (tx) =>
    setCampaignStatus(tx, await requireCampaign(tx, id, true), 'cancelled', 'cancelled'),
  );
}

/**
 * Pauses (with a reason) or resumes (null) one sending session's part of a campaign and emits
 * `campaign.status` with `session` set; when no active session is left the campaign pauses.
 */
export async function setSessionPart(
  tx: Tx,
  campaign: CampaignRecord,
  sessionId: string,
  reason: string | null,
): Promise<boolean> {
  const changed = await campaignsRepo.setSessionPaused(tx.sql, campaign.id, sessionId, reason);
  if (!changed) return false;
  await tx.emit('campaign.status', sessionId, {
    campaignId: campaign.id,
    name: campaign.name,
    status: campaign.status,
    previous: campaign.status,
    reason,
    session: { sessionId, status: reason === null ? 'active' : 'paused', reason },
  });
  if (reason !== null && (campaign.status === 'running' || campaign.status === 'scheduled')) {
    const parts = await campaignsRepo.sessions(tx.sql, campaign.id);
    if (parts.every((part) => part.status === 'paused'))
      await setCampaignStatus(tx, campaign, 'paused', `all sessions paused (last: ${reason})`);
  }
  return true;
}
