import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, type JobRun, type Message } from '@zapgate/core';
import { type CompiledContent, compileContent } from '../content/content.js';
import { planNext, recordSend, typingMs } from '../pacing/planner.js';
import type { PacingSettings } from '../pacing/schemas.js';
import { type CampaignRecord, campaignsRepo } from '../repo/campaigns.js';
import { pacingRepo } from '../repo/pacing.js';
import { type RecipientRecord, recipientsRepo } from '../repo/recipients.js';
import { senderRepo } from '../repo/sender.js';
import { suppressionsRepo } from '../repo/suppressions.js';
import { uploadsRepo } from '../repo/uploads.js';
import { type CampaignsContext, inTx, type Tx } from '../runtime.js';
import { compileSchedule } from '../schedule/windows.js';
import { setCampaignStatus } from '../service/lifecycle.js';
import { resolvePacing, resolveSettings } from '../service/prepare.js';
import { applyMessageStatus } from '../tracking/handlers.js';
import { moveRecipient } from '../tracking/record.js';
import { decideStep } from './decide.js';
import { renderSend, type SendStep, sendKey } from './message.js';

/** The job that sends a session's part of a campaign: one link of a chain (see {@link runSender}). */
export interface SendJobPayload {
  campaignId: string;
  sessionId: string;
  chainId: string;
}

/** Name of the send job (under the plugin's `jobs`). */
export const sendJobName = 'send';

/** A chain's lane: its links run one at a time, in order, across processes. */
export const sendLane = (p: SendJobPayload) => `send:${p.campaignId}:${p.sessionId}:${p.chainId}`;

/** A wait up to this long happens inside the running job (high rates); a longer one is a new job at its time. */
const inlineWaitMs = 2_000;
/** A job hands over to the next link after about this long (keeps runs short and fair). */
const runBudgetMs = 30_000;
/** How long to look again while sends wait for WhatsApp's answer before the campaign completes. */
const settleMs = 1_000;
/** A link that landed on a node without the session's socket hands over after this long. */
const elsewhereMs = 200;

/**
 * `elsewhere`: another node runs the session's socket (several gateway processes on one
 * database); the chain's next link is enqueued for whichever node claims it, until it lands
 * on the owner.
 */
type Outcome = { kind: 'done' } | { kind: 'wait'; until: number } | { kind: 'elsewhere' };
type Deliveries = { kind: 'deliver'; deliveries: Delivery[] };

interface Delivery {
  campaign: CampaignRecord;
  recipient: RecipientRecord;
  step: SendStep;
  pacing: PacingSettings;
  /** The planned instant: the send starts then (not before). */
  at: number;
}

type Decision = Outcome | Deliveries | { kind: 'again' };

/**
 * How long before their planned instants sends are decided (taken and paced, in one
 * transaction for all of them); each then starts at its instant. The decision's own time (a
 * dozen statements: 100–250 ms on a busy 2-core machine) thus neither delays a send nor, at
 * high rates, caps the rate: at 600/min one decision takes the next five. At the default pace
 * (one every 15 s) it is one at a time. Sends decided together may reach WhatsApp in another
 * order than the audience's.
 */
export const sendLeadMs = 500;

/**
 * Sends one session may have on their way at once (waiting for their instant or running). A
 * send takes its own time (typing, encryption, WhatsApp's ack, recording); when that is
 * longer than the gap, the next one starts at its instant while the previous is still going,
 * so the rate does not depend on send latency.
 */
const maxInFlight = 16;

/**
 * Runs one link of a session's send chain. It decides (in one transaction, the session's
 * pacing state locked) what to do, starts the sends due within {@link sendLeadMs} and loops while
 * the next one is near; a longer wait enqueues the next link at its time (`runAt`), so a restart
 * continues at the stored pace without a burst. Every recipient is taken under a row lock and
 * sent with an idempotency key of (campaign, recipient, step): a crash, a retry or a second
 * process never sends one twice, and an unfinished send is finished first. Sends run beside
 * the decisions (up to {@link maxInFlight}); the link ends only once its sends have.
 */
export async function runSender(job: JobRun<SendJobPayload>, ctx: CampaignsContext): Promise<void> {
  const started = Date.now();
  const sends = new InFlight();
  try {
    for (;;) {
      job.signal.throwIfAborted();
      sends.throwIfFailed();
      const outcome = await senderStep(ctx, job.payload, sends.seqs(), maxInFlight - sends.size);
      sends.throwIfFailed();
      if (outcome.kind === 'deliver') {
        for (const delivery of outcome.deliveries)
          sends.start(delivery.recipient.seq, deliverAt(ctx, delivery, job.signal));
        if (sends.size >= maxInFlight) await sends.one();
        if (Date.now() - started < runBudgetMs) continue;
        // a link that never has to wait (behind its plan) still hands over in time
        await sends.all();
        await enqueueLink(ctx, job.payload, Date.now());
        return;
      }
      if (outcome.kind === 'elsewhere') {
        await sends.all();
        await enqueueLink(ctx, job.payload, Date.now() + elsewhereMs);
        return;
      }
      const delay = Math.max(0, outcome.kind === 'wait' ? outcome.until - Date.now() : 0);
      const near = delay <= inlineWaitMs && Date.now() + delay - started < runBudgetMs;
      if (sends.size > 0 && (outcome.kind === 'done' || !near)) {
        // what comes next (completing, a long wait) depends on the sends still going
        await sends.all();
        continue;
      }
      if (outcome.kind === 'done') return;
      if (near) {
        if (delay > 0) await sleep(delay, undefined, { signal: job.signal });
        continue;
      }
      await enqueueLink(ctx, job.payload, outcome.until);
      return;
    }
  } finally {
    await sends.settled();
  }
}

/** The sends a link has on their way, by recipient; the first failure fails the link (retried). */
class InFlight {
  private readonly running = new Map<number, Promise<void>>();
  private failure: { error: unknown } | null = null;

  get size(): number {
    return this.running.size;
  }

  seqs(): ReadonlySet<number> {
    return new Set(this.running.keys());
  }

  start(seq: number, send: Promise<unknown>): void {
    const done = send.then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    this.running.set(seq, done);
    void done.finally(() => this.running.delete(seq));
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Resolves when one send has finished. */
  async one(): Promise<void> {
    await Promise.race(this.running.values());
  }

  /** Resolves when every send has finished; throws the first failure. */
  async all(): Promise<void> {
    await this.settled();
    this.throwIfFailed();
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }
}

/** Starts a new chain for a session's part (start, resume): older chains stop when they wake. */
export async function startChain(
  ctx: CampaignsContext,
  tx: Tx,
  campaignId: string,
  sessionId: string,
  runAt: number,
): Promise<void> {
  const payload = { campaignId, sessionId, chainId: crypto.randomUUID() };
  await senderRepo.setChain(tx.sql, campaignId, sessionId, payload.chainId);
  await ctx.jobs.enqueue(sendJobName, payload, {
    lane: sendLane(payload),
    runAt: new Date(runAt),
    tx: tx.repos,
  });
}

/** Enqueues the chain's next link at `until`, unless the chain was replaced meanwhile. */
async function enqueueLink(ctx: CampaignsContext, payload: SendJobPayload, until: number): Promise<void> {
  await inTx(ctx, async (tx) => {
    const part = await senderRepo.lockPart(tx.sql, payload.campaignId, payload.sessionId);
    if (part?.chainId !== payload.chainId) return;
    await ctx.jobs.enqueue(sendJobName, payload, {
      lane: sendLane(payload),
      runAt: new Date(until),
      tx: tx.repos,
    });
  });
}

/**
 * One decision; `sending`: recipients whose send this link has on its way (not unfinished);
 * `room`: how many sends it may start.
 */
async function senderStep(
  ctx: CampaignsContext,
  payload: SendJobPayload,
  sending: ReadonlySet<number>,
  room: number,
): Promise<Outcome | Deliveries> {
  const session = await ctx.gateway.sessions.get(payload.sessionId).catch(() => null);
  let connected = session?.status === 'connected';
  if (connected) {
    // the socket may be on another node (it is moving, or another process owns it)
    const where = await ctx.gateway.connection(payload.sessionId).then(
      () => 'here' as const,
      (error: unknown) =>
        error instanceof GatewayError && error.code === 'SESSION_MOVING'
          ? ('elsewhere' as const)
          : ('none' as const),
    );
    if (where === 'elsewhere') return { kind: 'elsewhere' };
    connected = where === 'here';
  }
  if (connected) await checkNumbersAhead(ctx, payload);
  const decision = await inTx(ctx, (tx) => decide(ctx, tx, payload, { connected, sending, room }));
  return decision.kind === 'again' ? { kind: 'wait', until: Date.now() } : decision;
}

/** Waits for the delivery's planned instant, then sends it. */
async function deliverAt(ctx: CampaignsContext, delivery: Delivery, signal: AbortSignal): Promise<void> {
  const delay = delivery.at - Date.now();
  if (delay > 0) await sleep(delay, undefined, { signal });
  await deliver(ctx, delivery);
}

/**
 * When the campaign checks numbers first: checks the next batch of unchecked pending
 * recipients on WhatsApp through this session (one request per `checkBatchSize` sends, so the
 * connection is not hammered); numbers not on WhatsApp are `skipped` (`not_on_whatsapp`). Only
 * checked recipients are sent. A failed check fails the step: the job retries with backoff.
 */
async function checkNumbersAhead(ctx: CampaignsContext, { campaignId, sessionId }: SendJobPayload) {
  const sql = ctx.sql!;
  const campaign = await campaignsRepo.get(sql, campaignId);
  if (campaign?.status !== 'running' || !resolveSettings(campaign.settings).checkNumbers) return;
  const batch = await senderRepo.unchecked(sql, campaignId, ctx.options.checkBatchSize);
  if (batch.length === 0) return;
  const results = await ctx.gateway.contacts.check(
    sessionId,
    batch.map((recipient) => recipient.phone.slice(1)),
  );
  const onWhatsApp = new Set(results.filter((r) => r.exists).map((r) => r.phoneNumber));
  await inTx(ctx, async (tx) => {
    await senderRepo.markChecked(
      tx.sql,
      campaignId,
      batch.map((recipient) => recipient.seq),
    );
    for (const recipient of batch)
      if (!onWhatsApp.has(recipient.phone.slice(1)))
        await moveRecipient(tx, campaignId, recipient.seq, 'skipped', { reason: 'not_on_whatsapp' });
  });
}

async function decide(
  ctx: CampaignsContext,
  tx: Tx,
  { campaignId, sessionId, chainId }: SendJobPayload,
  { connected, sending, room }: { connected: boolean; sending: ReadonlySet<number>; room: number },
): Promise<Decision> {
  const now = Date.now();
  // the campaign row first, as a cancel does (then its recipients): the other order deadlocked
  const campaign = await campaignsRepo.get(tx.sql, campaignId, { lock: true });
  const part = campaign ? await senderRepo.lockPart(tx.sql, campaignId, sessionId) : null;
  if (!campaign || !part || part.chainId !== chainId) return { kind: 'done' };
  const pacing = resolvePacing(campaign.pacing);
  const schedule = compileSchedule(campaign.schedule);
  const state = await pacingRepo.lock(tx.sql, sessionId);
  const unfinished = await senderRepo.unfinished(tx.sql, campaignId, sessionId, [...sending]);
  const nextFollowUpAt = await senderRepo.nextFollowUpAt(tx.sql, campaignId, sessionId);
  const step = decideStep({
    now,
    campaign: {
      status: campaign.status,
      startAt: campaign.schedule.startAt ? Date.parse(campaign.schedule.startAt) : null,
    },
    part,
    chainId,
    connected,
    inFlight: unfinished !== null,
    followUpDue: nextFollowUpAt !== null && nextFollowUpAt <= now,
    pending: await senderRepo.hasPending(tx.sql, campaignId),
    nextFollowUpAt,
    plan: planNext(pacing, schedule, state, now),
    leadMs: sendLeadMs,
  });
  switch (step.kind) {
    case 'stop':
      return { kind: 'done' };
    case 'wait':
      return { kind: 'wait', until: step.until };
    case 'start':
      await setCampaignStatus(
        tx,
        await campaignsRepo.get(tx.sql, campaignId, { lock: true }).then((c) => c!),
        'running',
        null,
      );
      return { kind: 'again' };
    case 'ended':
      await finish(tx, campaignId, 'ended');
      return { kind: 'done' };
    case 'idle':
      return idle(ctx, tx, campaignId, sessionId);
    case 'finish':
      return { kind: 'deliver', deliveries: [delivery(campaign, unfinished!, pacing, now)] };
    case 'send': {
      if (step.what === 'follow_up') {
        const recipient = await senderRepo.takeFollowUp(tx.sql, campaignId, sessionId, now);
        if (!recipient) return { kind: 'again' };
        await pacingRepo.save(tx.sql, sessionId, recordSend(pacing, state, step.at, Math.random));
        return {
          kind: 'deliver',
          deliveries: [delivery(campaign, { ...recipient, sessionId }, pacing, step.at)],
        };
      }
      // every new recipient whose slot falls within the lead, one slot after the other
      const sessions = (await campaignsRepo.sessions(tx.sql, campaignId)).map((p) => p.sessionId);
      const deliveries: Delivery[] = [];
      let paced = state;
      let at = step.at;
      while (deliveries.length < Math.max(1, room)) {
        const recipient = await takeNext(tx, campaign, sessionId, sessions);
        if (!recipient) break;
        deliveries.push(delivery(campaign, { ...recipient, sessionId }, pacing, at));
        paced = recordSend(pacing, paced, at, Math.random);
        const next = planNext(pacing, schedule, paced, now);
        if (next.kind !== 'send' || next.at > now + sendLeadMs) break;
        at = next.at;
      }
      if (deliveries.length === 0) return { kind: 'again' };
      await pacingRepo.save(tx.sql, sessionId, paced);
      return { kind: 'deliver', deliveries };
    }
  }
}

const delivery = (
  campaign: CampaignRecord,
  recipient: RecipientRecord,
  pacing: PacingSettings,
  at: number,
): Delivery => ({ campaign, recipient, step: recipient.step === 1 ? 1 : 0, pacing, at });

/**
 * The next pending recipient, taken for this session; numbers suppressed by any of the
 * campaign's `sessions` are skipped.
 */
async function takeNext(
  tx: Tx,
  campaign: CampaignRecord,
  sessionId: string,
  sessions: readonly string[],
): Promise<RecipientRecord | null> {
  for (;;) {
    const next = await senderRepo.nextPending(
      tx.sql,
      campaign.id,
      resolveSettings(campaign.settings).checkNumbers,
    );
    if (!next) return null;
    await senderRepo.assign(tx.sql, campaign.id, next.seq, sessionId);
    let suppressed = false;
    for (const id of sessions) suppressed ||= await suppressionsRepo.has(tx.sql, id, next.phone);
    const change = await moveRecipient(tx, campaign.id, next.seq, suppressed ? 'skipped' : 'sending', {
      reason: suppressed ? 'suppressed' : null,
    });
    if (!suppressed && change) return change.recipient;
  }
}

/** Completes the campaign (when it still sends), marking recipients not reached with `reason`. */
async function finish(tx: Tx, campaignId: string, reason: string | null): Promise<void> {
  const campaign = await campaignsRepo.get(tx.sql, campaignId, { lock: true });
  if (campaign && (campaign.status === 'running' || campaign.status === 'scheduled'))
    await setCampaignStatus(tx, campaign, 'completed', reason);
}

/**
 * Nothing is left for this session: the campaign completes once no recipient of any session
 * needs a send. Sends still waiting for WhatsApp's answer are looked at again shortly (their
 * `message.sent` may have been handled before the send was recorded).
 */
async function idle(ctx: CampaignsContext, tx: Tx, campaignId: string, sessionId: string): Promise<Decision> {
  const waiting = await senderRepo.awaitingSent(tx.sql, campaignId, sessionId);
  for (const recipient of waiting) {
    // read in this transaction: on embedded PGlite (one connection) a read outside it would wait forever
    const message = await tx.repos.messages.get(sessionId, recipient.messageId!).catch(() => null);
    if (message && message.status !== 'pending')
      await applyMessageStatus(ctx, tx, recipient, message.status, errorOf(message));
  }
  if ((await senderRepo.outstanding(tx.sql, campaignId)) === 0) {
    await finish(tx, campaignId, null);
    return { kind: 'done' };
  }
  return waiting.length > 0 ? { kind: 'wait', until: Date.now() + settleMs } : { kind: 'done' };
}

const errorOf = (message: Message) =>
  typeof message.metadata.error === 'string' ? message.metadata.error : null;

const contentCache = new WeakMap<object, CompiledContent>();
const compiled = (campaign: CampaignRecord) => {
  let content = contentCache.get(campaign.content);
  if (!content) {
    content = compileContent(campaign.content, campaign.variables);
    contentCache.set(campaign.content, content);
  }
  return content;
};

/** Errors of a send that mark the recipient `failed` (the request can never succeed); others are retried. */
const isRefusal = (error: unknown): error is GatewayError =>
  error instanceof GatewayError && error.statusCode < 500 && error.code !== 'SESSION_NOT_CONNECTED';

/**
 * Sends a recipient's message: mark read and "typing…" first when configured, then the send
 * with its idempotency key; records the message, then applies its status (after the record
 * commits, so a `message.sent` handled in between is never missed).
 */
async function deliver(
  ctx: CampaignsContext,
  { campaign, recipient, step, pacing }: Delivery,
): Promise<Outcome> {
  const sessionId = recipient.sessionId!;
  const rendered = renderSend(compiled(campaign), recipient, step);
  if (!rendered) {
    // the follow-up was removed by an edit: nothing more for this recipient
    await inTx(ctx, (tx) =>
      tx.sql
        .query(
          `UPDATE "campaignRecipients" SET "followUpMessageId" = "messageId" WHERE "campaignId" = ? AND "seq" = ?`,
          [campaign.id, recipient.seq],
        )
        .then(() => undefined),
    );
    return { kind: 'wait', until: Date.now() };
  }
  const chatJid = `${recipient.phone.slice(1)}@s.whatsapp.net`;
  if (pacing.markRead) await ctx.gateway.messages.markRead(sessionId, chatJid).catch(() => undefined);
  const typing = typingMs(pacing, rendered.textLength);
  if (typing > 0) {
    await ctx.gateway.chats.presence(sessionId, chatJid, 'composing').catch(() => undefined);
    await sleep(typing);
  }
  let message: Message;
  try {
    const upload = rendered.uploadId ? await uploadsRepo.read(ctx.sql!, rendered.uploadId) : null;
    message = await ctx.gateway.messages.send(sessionId, rendered.body, {
      idempotencyKey: sendKey(campaign.id, recipient.seq, step),
      ...(upload ? { upload } : {}),
    });
  } catch (error) {
    if (!isRefusal(error)) throw error;
    await inTx(ctx, (tx) => applyMessageStatus(ctx, tx, recipient, 'failed', error.code));
    return { kind: 'wait', until: Date.now() };
  }
  const followUp = compiled(campaign).followUp;
  const followUpDueAt = step === 0 && followUp ? new Date(Date.now() + followUp.delayMs).toISOString() : null;
  await inTx(ctx, (tx) =>
    recipientsRepo.setMessage(tx.sql, campaign.id, recipient.seq, step, message, followUpDueAt),
  );
  const current = await ctx.gateway.messages.get(sessionId, message.id);
  if (current.status !== 'pending' && step === 0)
    await inTx(ctx, (tx) => applyMessageStatus(ctx, tx, recipient, current.status, errorOf(current)));
  return { kind: 'wait', until: Date.now() };
}
