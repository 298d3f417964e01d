import { ensureBotConversation } from '../bridge/commands.js';
import { callbackUrl, newCallbackToken, setupInbox } from '../bridge/inbox.js';
import { failureOf } from '../error-codes.js';
import { type JobRun, PermanentJobError, RetryJobError } from '../platform.js';
import { bridgesRepo } from '../repo/bridges.js';
import { type ChatwootContext, clientOf, openBridge, secretsOf, settingsOf, sqlOf } from '../runtime.js';
import { stopBridge } from './run.js';

/** The payload of a `start` job. */
export interface StartJob {
  sessionId: string;
}

/** The base URL Chatwoot reaches this gateway at, or null when neither the plugin nor the host knows it. */
export const publicUrlOf = (ctx: ChatwootContext): string | null =>
  ctx.options.publicUrl ?? ctx.config.publicUrl ?? null;

/**
 * (Re)starts a session's bridge after its settings changed: finds the inbox (by id, or by
 * name, created as an API channel when missing) and points its `webhook_url` at this session's
 * callback (with a long random token, kept across restarts), keeps the inbox's signing secret,
 * makes the bot contact when commands are on, and marks the bridge running. A refused token or
 * a missing inbox leaves it stopped with the reason.
 */
export async function runStart(ctx: ChatwootContext, job: JobRun<StartJob>): Promise<void> {
  const { sessionId } = job.payload;
  const settings = await settingsOf(ctx, sessionId);
  if (!settings) return;
  const sql = sqlOf(ctx);
  const state = await bridgesRepo.get(sql, secretsOf(ctx), sessionId);
  const token = state?.callbackToken ?? newCallbackToken();
  const publicUrl = publicUrlOf(ctx);
  const webhookUrl = publicUrl ? callbackUrl(publicUrl, sessionId, token) : null;
  let inbox: Awaited<ReturnType<typeof setupInbox>>;
  try {
    inbox = await setupInbox(clientOf(ctx, settings), settings, webhookUrl, job.signal);
  } catch (error) {
    const failure = failureOf(error);
    const reason = error instanceof Error ? error.message : String(error);
    if (failure?.retryable) {
      if (failure.retryAfterMs === undefined) throw error;
      throw new RetryJobError(reason, {
        afterMs: Math.min(failure.retryAfterMs, ctx.options.maxRetryDelayMs),
      });
    }
    await stopBridge(ctx, sessionId, error);
    throw new PermanentJobError(reason);
  }
  // the status and its event in one transaction: a reader that sees one sees the other
  await ctx.store.transaction(async (tx) => {
    const saved = await bridgesRepo.update(tx.sql!, secretsOf(ctx), sessionId, {
      status: 'running',
      code: null,
      reason: null,
      inboxId: inbox.id,
      callbackToken: token,
      inboxSecret: inbox.secret ?? null,
    });
    await ctx.emit(
      'chatwoot.bridge',
      sessionId,
      { status: 'running', code: null, reason: null, inboxId: saved.inboxId },
      tx,
    );
  });
  ctx.logger.info({ sessionId, inboxId: inbox.id }, 'chatwoot: bridge running');
  if (settings.commands) {
    const session = await ctx.gateway.sessions.get(sessionId);
    await ensureBotConversation(
      openBridge(ctx, sessionId, settings, inbox.id, job.signal),
      session.name,
    ).catch((error) =>
      ctx.logger.warn({ err: error, sessionId }, 'chatwoot: the bot contact could not be made'),
    );
  }
}
