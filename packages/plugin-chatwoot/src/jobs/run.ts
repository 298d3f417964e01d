import { isGatewayError } from '@zapgate/core';
import type { SessionBridge } from '../bridge/session-bridge.js';
import type { Outcome } from '../bridge/to-chatwoot.js';
import { failureOf } from '../error-codes.js';
import type { ChatwootBridgedEvent } from '../events.js';
import type { BridgeMetrics } from '../metrics.js';
import { type JobRun, PermanentJobError, RetryJobError } from '../platform.js';
import { bridgesRepo } from '../repo/bridges.js';
import { type ChatwootContext, loadBridge, secretsOf } from '../runtime.js';

/** The names of the plugin's jobs. */
export const jobNames = {
  toChatwoot: 'to-chatwoot',
  toWhatsapp: 'to-whatsapp',
  start: 'start',
  import: 'import',
  importChat: 'import-chat',
  prune: 'prune',
} as const;

/** What a bridge job reports about the change it carries. */
export interface Change {
  direction: ChatwootBridgedEvent['direction'];
  kind: string;
  chatJid: string | null;
  waid: string | null;
  chatwootMessageId: number | null;
  /** When the change happened (the event, or the callback's arrival), for the latency metric. */
  at: string;
}

/** Asks for the session's bridge to be (re)started: inbox, callback URL, bot contact. */
export async function requestStart(ctx: ChatwootContext, sessionId: string): Promise<void> {
  await ctx.jobs.enqueue(
    jobNames.start,
    { sessionId },
    { lane: `${sessionId}:bridge`, key: `start:${sessionId}` },
  );
}

/**
 * Stops a session's bridge after a fatal Chatwoot answer (a refused token, a deleted inbox):
 * its status says why and `chatwoot.bridge` announces it, once; it runs again when its
 * settings change.
 */
export async function stopBridge(ctx: ChatwootContext, sessionId: string, error: unknown): Promise<void> {
  const code = isGatewayError(error) ? error.code : 'CHATWOOT_UNAVAILABLE';
  const reason = error instanceof Error ? error.message : String(error);
  // the status and its event in one transaction: a reader that sees one sees the other
  const announced = await ctx.store.transaction(async (tx) => {
    const before = await bridgesRepo.get(tx.sql!, secretsOf(ctx), sessionId);
    const state = await bridgesRepo.update(tx.sql!, secretsOf(ctx), sessionId, {
      status: 'stopped',
      code,
      reason,
    });
    if (before?.status === 'stopped') return false;
    await ctx.emit(
      'chatwoot.bridge',
      sessionId,
      { status: 'stopped', code, reason, inboxId: state.inboxId },
      tx,
    );
    return true;
  });
  if (announced)
    ctx.logger.error({ sessionId, code, reason }, 'chatwoot: the bridge of this session stopped');
}

/** How long to wait for a bridge that is being started before trying a job again. */
const startingRetryMs = 500;

/**
 * Runs one bridge job of a session: loads the bridge as its settings and state are now, does
 * the work, and turns the outcome into events, metrics and the job's fate. A fatal Chatwoot
 * answer stops the bridge (dead letter, retryable once fixed); `Retry-After` is honoured
 * exactly; a request Chatwoot refuses (400/422) is not retried; anything else is retried
 * with backoff, and reported failed on the last attempt.
 */
export async function runBridgeJob(
  ctx: ChatwootContext,
  metrics: BridgeMetrics,
  job: JobRun<{ sessionId: string }>,
  change: Change,
  work: (bridge: SessionBridge) => Promise<Outcome>,
): Promise<void> {
  const { sessionId } = job.payload;
  const loaded = await loadBridge(ctx, sessionId, job.signal);
  if (loaded.status === 'not-configured') return;
  if (loaded.status === 'starting') {
    await requestStart(ctx, sessionId);
    throw new RetryJobError('the bridge of this session is starting', { afterMs: startingRetryMs });
  }
  if (loaded.status === 'stopped') {
    throw new PermanentJobError(
      `the Chatwoot bridge of this session is stopped (${loaded.state.code}: ${loaded.state.reason})`,
    );
  }
  let outcome: Outcome;
  try {
    outcome = await work(loaded.bridge);
  } catch (error) {
    await failed(ctx, metrics, job, change, error);
    throw error; // not reached: failed() always throws
  }
  if (outcome.status === 'skipped') {
    ctx.logger.debug({ sessionId, ...change, reason: outcome.reason }, 'chatwoot: skipped');
    return;
  }
  metrics.bridged.inc({ direction: change.direction, kind: change.kind });
  metrics.latency.observe(
    { direction: change.direction },
    Math.max(0, Date.now() - Date.parse(change.at)) / 1000,
  );
  await ctx.emit('chatwoot.bridged', sessionId, {
    direction: change.direction,
    kind: change.kind,
    chatJid: change.chatJid,
    waid: change.waid,
    chatwootMessageId: outcome.chatwootMessageId,
    conversationId: outcome.conversationId,
  });
}

async function failed(
  ctx: ChatwootContext,
  metrics: BridgeMetrics,
  job: JobRun<{ sessionId: string }>,
  change: Change,
  error: unknown,
): Promise<never> {
  const { sessionId } = job.payload;
  const failure = failureOf(error);
  const code = isGatewayError(error) ? error.code : 'CHATWOOT_UNAVAILABLE';
  const reason = error instanceof Error ? error.message : String(error);
  const report = async () => {
    metrics.failed.inc({ direction: change.direction, kind: change.kind, code });
    await ctx.emit('chatwoot.failed', sessionId, {
      direction: change.direction,
      kind: change.kind,
      chatJid: change.chatJid,
      waid: change.waid,
      chatwootMessageId: change.chatwootMessageId,
      code,
      reason,
    });
  };
  if (job.signal.aborted) throw error;
  if (failure?.fatal) {
    await stopBridge(ctx, sessionId, error);
    throw new PermanentJobError(reason);
  }
  if (failure && !failure.retryable) {
    await report();
    throw new PermanentJobError(reason);
  }
  if (job.attempt >= ctx.options.maxAttempts) {
    await report();
    throw error;
  }
  if (failure?.retryAfterMs !== undefined) {
    throw new RetryJobError(reason, { afterMs: Math.min(failure.retryAfterMs, ctx.options.maxRetryDelayMs) });
  }
  throw error;
}
