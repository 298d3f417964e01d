import type { Plan, PlanReason } from '../pacing/planner.js';
import type { CampaignStatus } from '../repo/campaigns.js';

/** What one sending session of a campaign knows when its sender wakes up. */
export interface SenderView {
  now: number;
  campaign: { status: CampaignStatus; startAt: number | null } | null;
  /** This session's part of the campaign (null: the session was removed from it). */
  part: { status: 'active' | 'paused'; chainId: string | null } | null;
  /** The chain the waking job belongs to: a job of an older chain (before a pause) stops. */
  chainId: string;
  /** The session is connected (a disconnected one waits; others in the campaign go on). */
  connected: boolean;
  /** A recipient this session took but did not finish (a crash between taking and recording). */
  inFlight: boolean;
  /** A follow-up of this session is due now. */
  followUpDue: boolean;
  /** A recipient of the campaign nobody took yet. */
  pending: boolean;
  /** When the earliest follow-up of this session not due yet falls due (null: none). */
  nextFollowUpAt: number | null;
  /** The pacing plan of the session (see {@link planNext}). */
  plan: Plan;
  /**
   * How long before its planned instant a send may be decided (the sender then holds it until
   * that instant), so the decision's own time does not delay the send. @default 0
   */
  leadMs?: number;
}

/** Why a sender waits. */
export type WaitReason = PlanReason | 'scheduled' | 'disconnected' | 'follow_up';

/** What the sender does next. */
export type SenderStep =
  /** Stop this chain: it is stale, or the campaign or this part does not send. */
  | { kind: 'stop'; why: 'stale_chain' | 'not_sending' | 'part_paused' | 'gone' }
  /** A scheduled campaign whose start time came: it becomes running. */
  | { kind: 'start' }
  /** Wake up again at `until`. */
  | { kind: 'wait'; until: number; why: WaitReason }
  /** Finish the in-flight recipient first: its send is repeated with the same idempotency key. */
  | { kind: 'finish' }
  /** Send the next message (a due follow-up before a new recipient), planned at `at` (now or within the lead). */
  | { kind: 'send'; what: 'follow_up' | 'first'; at: number }
  /** The schedule has ended: the campaign completes, recipients not reached are skipped (`ended`). */
  | { kind: 'ended' }
  /** Nothing is left for this session: the campaign completes when nothing is left for any. */
  | { kind: 'idle' };

/** A disconnected session looks again after this long. */
export const disconnectedRetryMs = 5_000;

/**
 * Decides one step of a session's sender from what it sees. Pure, so every rule is tested on
 * a fake clock; the sender runs it inside the transaction that then acts on it. Rules, in order:
 * stale chain → stop; scheduled → wait for its start, then start; not running or this part
 * paused → stop; disconnected → wait and look again; an unfinished send → finish it (it
 * already had its pacing slot); nothing left → wait for the next follow-up, or idle; the
 * schedule has ended → ended; the pace says later (than the lead) → wait; else send.
 */
export function decideStep(view: SenderView): SenderStep {
  const { campaign, part, now } = view;
  if (!campaign || !part) return { kind: 'stop', why: 'gone' };
  if (part.chainId !== view.chainId) return { kind: 'stop', why: 'stale_chain' };
  if (campaign.status === 'scheduled') {
    if (campaign.startAt !== null && campaign.startAt > now)
      return { kind: 'wait', until: campaign.startAt, why: 'scheduled' };
    return { kind: 'start' };
  }
  if (campaign.status !== 'running') return { kind: 'stop', why: 'not_sending' };
  if (part.status === 'paused') return { kind: 'stop', why: 'part_paused' };
  if (!view.connected) return { kind: 'wait', until: now + disconnectedRetryMs, why: 'disconnected' };
  if (view.inFlight) return { kind: 'finish' };
  if (!view.followUpDue && !view.pending)
    return view.nextFollowUpAt === null
      ? { kind: 'idle' }
      : { kind: 'wait', until: Math.max(now, view.nextFollowUpAt), why: 'follow_up' };
  const { plan } = view;
  if (plan.kind === 'ended') return { kind: 'ended' };
  const lead = view.leadMs ?? 0;
  if (plan.at > now + lead) return { kind: 'wait', until: plan.at - lead, why: plan.reason };
  return { kind: 'send', what: view.followUpDue ? 'follow_up' : 'first', at: plan.at };
}
