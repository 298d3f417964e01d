import { randomUUID } from 'node:crypto';
import type { PluginRepositories } from '@zapgate/core';
import { importChatMessages, importContactsPage } from '../bridge/import.js';
import type { SessionBridge } from '../bridge/session-bridge.js';
import { skipReasonOf } from '../bridge/to-chatwoot.js';
import { chatwootError } from '../error-codes.js';
import type { BridgeMetrics } from '../metrics.js';
import { type JobRun, PermanentJobError } from '../platform.js';
import { type ImportState, importsRepo } from '../repo/imports.js';
import { type ChatwootContext, settingsOf, sqlOf } from '../runtime.js';
import { jobNames, runBridgeJob } from './run.js';

/** A step of a history import: a page of contacts, or a page of chats to queue. */
export interface ImportJob {
  sessionId: string;
  runId: string;
}

/** The import of one chat's messages, in the chat's lane (never alongside its live messages). */
export interface ImportChatJob extends ImportJob {
  chatJid: string;
}

const day = 24 * 60 * 60 * 1000;

async function progressEvent(ctx: ChatwootContext, state: ImportState | null, tx?: PluginRepositories) {
  if (!state) return;
  const { contacts, messages, skipped } = state.progress;
  await ctx.emit(
    'chatwoot.import.progress',
    state.sessionId,
    { status: state.status, phase: state.phase, contacts, messages, skipped, error: state.error },
    tx,
  );
}

/** Ends run `runId` and appends its last progress event in one transaction: a reader sees both or neither. */
function finishRun(ctx: ChatwootContext, sessionId: string, runId: string, error: string | null) {
  return ctx.store.transaction(async (tx) =>
    progressEvent(ctx, await importsRepo.finish(tx.sql!, sessionId, runId, error), tx),
  );
}

/**
 * Starts a history import of a session (contacts, then the messages of the last `daysLimit`
 * days, per the settings) as durable jobs; a run already going is returned as it is.
 */
export async function startImport(ctx: ChatwootContext, sessionId: string): Promise<ImportState> {
  const settings = await settingsOf(ctx, sessionId);
  if (!settings) throw chatwootError('CHATWOOT_NOT_CONFIGURED', 'This session has no Chatwoot bridge');
  const now = Date.now();
  const runId = randomUUID();
  const started = await importsRepo.start(sqlOf(ctx), sessionId, {
    runId,
    since: new Date(now - settings.daysLimit * day).toISOString(),
    until: new Date(now).toISOString(),
    contacts: 0,
    messages: 0,
    skipped: 0,
    cursor: null,
    chats: 0,
    chatsDone: 0,
    listed: false,
  });
  if (!started) return (await importsRepo.get(sqlOf(ctx), sessionId))!;
  await ctx.jobs.enqueue(jobNames.import, { sessionId, runId } satisfies ImportJob, {
    lane: `${sessionId}:import`,
  });
  await progressEvent(ctx, started);
  return started;
}

/** Fails the run when its job gives up (a stopped bridge, the last attempt). */
async function guard(ctx: ChatwootContext, job: JobRun<ImportJob>, step: () => Promise<void>) {
  try {
    await step();
  } catch (error) {
    if (error instanceof PermanentJobError || job.attempt >= ctx.options.maxAttempts) {
      const reason = error instanceof Error ? error.message : String(error);
      await finishRun(ctx, job.payload.sessionId, job.payload.runId, reason);
    }
    throw error;
  }
}

async function completeIfDone(ctx: ChatwootContext, state: ImportState | null) {
  if (!state?.progress.listed || state.progress.chatsDone < state.progress.chats) {
    await progressEvent(ctx, state);
    return;
  }
  await finishRun(ctx, state.sessionId, state.progress.runId, null);
}

async function step(ctx: ChatwootContext, bridge: SessionBridge, job: JobRun<ImportJob>, state: ImportState) {
  const { sessionId, runId } = job.payload;
  const sql = sqlOf(ctx);
  const next = () => ctx.jobs.enqueue(jobNames.import, job.payload, { lane: `${sessionId}:import` });
  const { progress } = state;
  if (state.phase === 'contacts') {
    if (bridge.settings.importContacts) {
      const page = await importContactsPage(bridge, ctx.gateway, progress.cursor);
      const moved = await importsRepo.update(sql, sessionId, runId, {
        progress: { contacts: progress.contacts + page.count, cursor: page.nextCursor },
        ...(page.nextCursor ? {} : { phase: 'messages' }),
      });
      await progressEvent(ctx, moved);
    } else await importsRepo.update(sql, sessionId, runId, { phase: 'messages', progress: { cursor: null } });
    await next();
    return;
  }
  if (!bridge.settings.importMessages) {
    await completeIfDone(
      ctx,
      await importsRepo.update(sql, sessionId, runId, { progress: { listed: true } }),
    );
    return;
  }
  const page = await ctx.gateway.directory.listChats(sessionId, {
    limit: 100,
    ...(progress.cursor ? { cursor: progress.cursor } : {}),
  });
  // every chat: the window is applied to the messages (a chat's lastMsgAt may be unknown)
  const chats = page.items.filter((chat) => !skipReasonOf(bridge, chat.chatJid));
  for (const chat of chats) {
    await ctx.jobs.enqueue(
      jobNames.importChat,
      { sessionId, runId, chatJid: chat.chatJid } satisfies ImportChatJob,
      { lane: `${sessionId}:${chat.chatJid}`, key: `import:${runId}:${chat.chatJid}` },
    );
  }
  const moved = await importsRepo.update(sql, sessionId, runId, {
    progress: { chats: progress.chats + chats.length, cursor: page.nextCursor, listed: !page.nextCursor },
  });
  if (page.nextCursor) {
    await progressEvent(ctx, moved);
    await next();
  } else await completeIfDone(ctx, moved);
}

/** Runs one step of a history import. */
export async function runImport(ctx: ChatwootContext, metrics: BridgeMetrics, job: JobRun<ImportJob>) {
  const state = await importsRepo.get(sqlOf(ctx), job.payload.sessionId);
  if (state?.status !== 'running' || state.progress.runId !== job.payload.runId) return;
  const change = {
    direction: 'to_chatwoot' as const,
    kind: 'import',
    chatJid: null,
    waid: null,
    chatwootMessageId: null,
    at: state.startedAt,
  };
  await guard(ctx, job, () =>
    runBridgeJob(ctx, metrics, job, change, async (bridge) => {
      await step(ctx, bridge, job, state);
      return { status: 'skipped', reason: 'import step' };
    }),
  );
}

/** Imports one chat's messages of the run's window, oldest first (idempotent: see `importChatMessages`). */
export async function runImportChat(
  ctx: ChatwootContext,
  metrics: BridgeMetrics,
  job: JobRun<ImportChatJob>,
) {
  const { sessionId, runId, chatJid } = job.payload;
  const state = await importsRepo.get(sqlOf(ctx), sessionId);
  if (state?.status !== 'running' || state.progress.runId !== runId) return;
  const change = {
    direction: 'to_chatwoot' as const,
    kind: 'import',
    chatJid,
    waid: null,
    chatwootMessageId: null,
    at: state.startedAt,
  };
  await guard(ctx, job, () =>
    runBridgeJob(ctx, metrics, job, change, async (bridge) => {
      const window = { since: state.progress.since, until: state.progress.until };
      const counts = await importChatMessages(bridge, ctx.gateway, chatJid, window, job.attempt > 1);
      await completeIfDone(ctx, await importsRepo.addChat(sqlOf(ctx), sessionId, runId, counts));
      return { status: 'skipped', reason: 'import of a chat' };
    }),
  );
}

/** The latest import of a session, or null when none ran. */
export const importOf = (ctx: ChatwootContext, sessionId: string) => importsRepo.get(sqlOf(ctx), sessionId);
