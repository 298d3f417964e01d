import { campaignsRepo } from '../repo/campaigns.js';
import type { Tx } from '../runtime.js';
import { campaignStats } from '../service/views.js';

/**
 * Emits `campaign.progress` unless one was emitted less than `intervalMs` ago. The throttle is
 * a timestamp on the campaign row, so several processes together still emit at most one per
 * interval. A campaign row locked by a status change (cancel, pause) is skipped, not waited
 * for: callers hold a recipient's row, and a cancel locks the campaign and then its recipients
 * (waiting would deadlock; the status change announces itself anyway).
 */
export async function maybeEmitProgress(tx: Tx, campaignId: string, intervalMs: number): Promise<void> {
  const due = await tx.sql.query(
    `UPDATE "campaigns" SET "progressAt" = clock_timestamp()
     WHERE "id" = (SELECT "id" FROM "campaigns" WHERE "id" = ?
       AND ("progressAt" IS NULL OR "progressAt" <= clock_timestamp() - (? * interval '1 millisecond'))
       FOR UPDATE SKIP LOCKED)
     RETURNING "id"`,
    [campaignId, intervalMs],
  );
  if (due.length === 0) return;
  const campaign = await campaignsRepo.get(tx.sql, campaignId);
  if (!campaign) return;
  const stats = await campaignStats(tx.sql, campaign);
  await tx.emit('campaign.progress', null, {
    campaignId,
    total: stats.total,
    counts: stats.counts,
    eta: stats.eta,
  });
}
