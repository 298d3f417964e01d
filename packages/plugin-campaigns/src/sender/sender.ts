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

type Outcome = { kind: 'done' } | { kind: 'wait'; until: number };

interface Delivery {
  campaign: CampaignRecord;
  recipient: RecipientRecord;
  step: SendStep;
  pacing: PacingSettings;
}

type Decision = Outcome | { kind: 'deliver'; delivery: Delivery } | { kind: 'again' };

/**
 * Runs one link of a session's send chain. It decides (in one transaction, the session's
 * pacing state locked) what to do, sends at most one message per decision and loops while the
 * next one is near; a longer wait enqueues the next link at its time (`runAt`), so a restart
 * continues at the stored pace without a burst. Every recipient is taken under a row lock and
 * sent with an idempotency key of (campaign, recipient, step): a crash, a retry or a second
 * process never sends one twice, and an unfinished send is finished first.
 */
export async function runSender(job: JobRun<SendJobPayload>, ctx: CampaignsContext): Promise<void> {
  const started = Date.now();
  for (;;) {
    job.signal.throwIfAborted();
    const outcome = await senderStep(ctx, job.payload);
    if (outcome.kind === 'done') return;
    const delay = Math.max(0, outcome.until - Date.now());
    if (delay <= inlineWaitMs && Date.now() + delay - started < runBudgetMs) {
      if (delay > 0) await sleep(delay, undefined, { signal: job.signal });
      continue;
    }
    await enqueueLink(ctx, job.payload, outcome.until);
    return;
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

async function senderStep(ctx: CampaignsContext, payload: SendJobPayload): Promise<Outcome> {
  const session = await ctx.gateway.sessions.get(payload.sessionId).catch(() => null);
  if (session?.status === 'connected') await checkNumbersAhead(ctx, payload);
  const decision = await inTx(ctx, (tx) => decide(ctx, tx, payload, session?.status === 'connected'));
  if (decision.kind === 'again') return { kind: 'wait', until: Date.now() };
  if (decision.kind !== 'deliver') return decision;
  return deliver(ctx, decision.delivery);
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
  connected: boolean,
): Promise<Decision> {
  const now = Date.now();
  const campaign = await campaignsRepo.get(tx.sql, campaignId);
  const part = campaign ? await senderRepo.lockPart(tx.sql, campaignId, sessionId) : null;
  if (!campaign || !part || part.chainId !== chainId) return { kind: 'done' };
  const pacing = resolvePacing(campaign.pacing);
  const state = await pacingRepo.lock(tx.sql, sessionId);
  const unfinished = await senderRepo.unfinished(tx.sql, campaignId, sessionId);
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
    plan: planNext(pacing, compileSchedule(campaign.schedule), state, now),
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
      return deliverLater(campaign, unfinished!, pacing);
    case 'send': {
      const recipient =
        step.what === 'follow_up'
          ? await senderRepo.takeFollowUp(tx.sql, campaignId, sessionId, now)
          : await takeNext(tx, campaign, sessionId);
      if (!recipient) return { kind: 'again' };
      await pacingRepo.save(tx.sql, sessionId, recordSend(pacing, state, step.at, Math.random));
      return deliverLater(campaign, { ...recipient, sessionId }, pacing);
    }
  }
}

const deliverLater = (
  campaign: CampaignRecord,
  recipient: RecipientRecord,
  pacing: PacingSettings,
): Decision => ({
  kind: 'deliver',
  delivery: { campaign, recipient, step: recipient.step === 1 ? 1 : 0, pacing },
});

/** The next pending recipient for this session; numbers suppressed by any of the campaign's sessions are skipped. */
async function takeNext(
  tx: Tx,
  campaign: CampaignRecord,
  sessionId: string,
): Promise<RecipientRecord | null> {
  const sessions = (await campaignsRepo.sessions(tx.sql, campaign.id)).map((part) => part.sessionId);
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
