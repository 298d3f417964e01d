import type { SqlClient } from '@zapgate/core';
import { averageGapMs } from '../pacing/planner.js';
import { type CampaignRecord, campaignsRepo } from '../repo/campaigns.js';
import type { RecipientRecord } from '../repo/recipients.js';
import type { Campaign, CampaignStats, Recipient } from '../routes/schemas.js';
import { recipientStatuses } from '../tracking/status.js';
import { resolvePacing, resolveSettings } from './prepare.js';

const emptyCounts = () =>
  Object.fromEntries(recipientStatuses.map((status) => [status, 0])) as Record<string, number>;

interface Tally {
  variantId: string;
  counts: Record<string, number>;
  total: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  optedOut: number;
}

const emptyTally = (variantId: string): Tally => ({
  variantId,
  counts: emptyCounts(),
  total: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  replied: 0,
  optedOut: 0,
});

/** Counts per status and per reached milestone (by timestamps: a read message was delivered), per variant. */
async function tallies(sql: SqlClient, campaignId: string): Promise<Tally[]> {
  const rows = await sql.query(
    `SELECT "variantId", "status", count(*) AS "n",
       count(*) FILTER (WHERE "sentAt" IS NOT NULL) AS "sent",
       count(*) FILTER (WHERE "deliveredAt" IS NOT NULL OR "readAt" IS NOT NULL OR "repliedAt" IS NOT NULL) AS "delivered",
       count(*) FILTER (WHERE "readAt" IS NOT NULL OR "repliedAt" IS NOT NULL) AS "read",
       count(*) FILTER (WHERE "repliedAt" IS NOT NULL) AS "replied",
       count(*) FILTER (WHERE "optedOutAt" IS NOT NULL) AS "optedOut"
     FROM "campaignRecipients" WHERE "campaignId" = ? GROUP BY 1, 2`,
    [campaignId],
  );
  const byVariant = new Map<string, Tally>();
  for (const row of rows) {
    const variantId = String(row.variantId);
    const tally = byVariant.get(variantId) ?? emptyTally(variantId);
    tally.counts[String(row.status)] = Number(row.n);
    tally.total += Number(row.n);
    for (const key of ['sent', 'delivered', 'read', 'replied', 'optedOut'] as const)
      tally[key] += Number(row[key]);
    byVariant.set(variantId, tally);
  }
  return [...byVariant.values()].sort((a, b) => a.variantId.localeCompare(b.variantId));
}

const ratesOf = (t: Pick<Tally, 'sent' | 'delivered' | 'read' | 'replied' | 'optedOut'>) => {
  const of = (n: number) => (t.sent === 0 ? 0 : Math.round((n / t.sent) * 10_000) / 10_000);
  return { delivery: of(t.delivered), read: of(t.read), reply: of(t.replied), optOut: of(t.optedOut) };
};

function sum(list: Tally[]): Tally {
  const total: Tally = {
    variantId: '*',
    counts: emptyCounts(),
    total: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    replied: 0,
    optedOut: 0,
  };
  for (const t of list) {
    for (const [status, n] of Object.entries(t.counts))
      total.counts[status] = (total.counts[status] ?? 0) + n;
    for (const key of ['total', 'sent', 'delivered', 'read', 'replied', 'optedOut'] as const)
      total[key] += t[key];
  }
  return total;
}

/**
 * When the last unsent recipient should go at the configured pace, spread over the active
 * sessions (pauses, windows and caps not counted): null when nothing is left or nothing sends.
 */
function etaOf(campaign: CampaignRecord, unsent: number, activeSessions: number, now: number): string | null {
  if (unsent === 0 || activeSessions === 0 || !['running', 'scheduled'].includes(campaign.status))
    return null;
  const gap = averageGapMs(resolvePacing(campaign.pacing));
  return new Date(now + (unsent * gap) / activeSessions).toISOString();
}

/** A campaign as the API shows it (defaults applied, with its sessions and counts). */
export async function campaignView(sql: SqlClient, campaign: CampaignRecord): Promise<Campaign> {
  const [sessions, all] = await Promise.all([
    campaignsRepo.sessions(sql, campaign.id),
    tallies(sql, campaign.id),
  ]);
  const total = sum(all);
  return {
    id: campaign.id,
    name: campaign.name,
    status: campaign.status,
    statusReason: campaign.statusReason,
    sessions: sessions.map(({ sessionId, status, pausedReason, pausedAt }) => ({
      sessionId,
      status,
      pausedReason,
      pausedAt,
    })),
    content: campaign.content,
    schedule: campaign.schedule,
    pacing: resolvePacing(campaign.pacing),
    settings: resolveSettings(campaign.settings),
    variables: campaign.variables,
    total: total.total,
    counts: total.counts,
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
    startedAt: campaign.startedAt,
    finishedAt: campaign.finishedAt,
  };
}

/** Counts, rates (overall and per variant) and ETA. */
export async function campaignStats(
  sql: SqlClient,
  campaign: CampaignRecord,
  now = Date.now(),
): Promise<CampaignStats> {
  const [sessions, all] = await Promise.all([
    campaignsRepo.sessions(sql, campaign.id),
    tallies(sql, campaign.id),
  ]);
  const total = sum(all);
  const unsent = (total.counts.pending ?? 0) + (total.counts.sending ?? 0);
  const active = sessions.filter((s) => s.status === 'active').length;
  return {
    campaignId: campaign.id,
    total: total.total,
    counts: total.counts,
    rates: ratesOf(total),
    variants: all.map((t) => ({
      variantId: t.variantId,
      total: t.total,
      counts: t.counts,
      rates: ratesOf(t),
    })),
    eta: etaOf(campaign, unsent, active, now),
  };
}

/** A recipient as the API shows it. */
export const recipientView = (r: RecipientRecord): Recipient => ({
  seq: r.seq,
  phone: r.phone,
  variables: r.variables,
  variantId: r.variantId,
  status: r.status,
  reason: r.reason,
  sessionId: r.sessionId,
  messageId: r.messageId,
  followUpMessageId: r.followUpMessageId,
  sendingAt: r.sendingAt,
  sentAt: r.sentAt,
  deliveredAt: r.deliveredAt,
  readAt: r.readAt,
  repliedAt: r.repliedAt,
  failedAt: r.failedAt,
  skippedAt: r.skippedAt,
  optedOutAt: r.optedOutAt,
});
