import { Type } from '@sinclair/typebox';
import { defineRoute, Nullable, type PluginContext, withErrorResponses } from '@zapgate/core';
import { callbackUrl } from '../bridge/inbox.js';
import { chatwootError } from '../error-codes.js';
import { importOf, startImport } from '../jobs/import.js';
import { publicUrlOf } from '../jobs/start.js';
import type { ResolvedChatwootOptions } from '../options.js';
import { bridgesRepo } from '../repo/bridges.js';
import { platformOf, secretsOf, settingsOf, sqlOf } from '../runtime.js';

const tags = ['chatwoot'];
const Params = Type.Object({ sessionId: Type.String({ format: 'uuid' }) });

const BridgeStatus = Type.Object(
  {
    status: Type.Union(
      [
        Type.Literal('not_configured'),
        Type.Literal('starting'),
        Type.Literal('running'),
        Type.Literal('stopped'),
      ],
      { description: 'stopped: a fatal Chatwoot answer (see code); saving the settings starts it again' },
    ),
    code: Nullable(
      Type.String({ description: 'Why it stopped (CHATWOOT_UNAUTHORIZED, CHATWOOT_INBOX_NOT_FOUND…)' }),
    ),
    reason: Nullable(Type.String()),
    inboxId: Nullable(Type.Integer()),
    callbackUrl: Nullable(
      Type.String({
        description:
          'The webhook URL of the inbox (with the session’s callback token); null until the bridge ran, or without a public URL',
      }),
    ),
    signed: Type.Boolean({
      description: 'Callbacks must carry X-Chatwoot-Signature (the inbox has a secret)',
    }),
  },
  { title: 'ChatwootBridgeStatus' },
);

const ImportStatus = Type.Object(
  {
    status: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
    phase: Type.Union([Type.Literal('contacts'), Type.Literal('messages'), Type.Literal('done')]),
    since: Type.String({ format: 'date-time', description: 'Messages from this time on are imported' }),
    contacts: Type.Integer({ minimum: 0 }),
    messages: Type.Integer({ minimum: 0 }),
    skipped: Type.Integer({ minimum: 0, description: 'Messages already in Chatwoot' }),
    chats: Type.Integer({ minimum: 0, description: 'Chats queued for import' }),
    chatsDone: Type.Integer({ minimum: 0 }),
    error: Nullable(Type.String()),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'ChatwootImport' },
);

const errors = {
  403: 'The key is not this session’s',
  404: 'SESSION_NOT_FOUND, CHATWOOT_NOT_CONFIGURED (no settings), CHATWOOT_IMPORT_NOT_FOUND',
};

const importBody = (state: NonNullable<Awaited<ReturnType<typeof importOf>>>) => ({
  status: state.status,
  phase: state.phase,
  since: state.progress.since,
  contacts: state.progress.contacts,
  messages: state.progress.messages,
  skipped: state.progress.skipped,
  chats: state.progress.chats,
  chatsDone: state.progress.chatsDone,
  error: state.error,
  startedAt: state.startedAt,
  finishedAt: state.finishedAt,
});

/** The bridge's status and history import routes of a session. */
export const bridgeRoutes = [
  defineRoute({
    method: 'GET',
    path: '/sessions/:sessionId/chatwoot',
    operationId: 'getChatwootBridge',
    summary: 'Status of the session’s Chatwoot bridge',
    tags,
    auth: 'session',
    schema: { params: Params, response: withErrorResponses({ 200: BridgeStatus }, [403, 404], errors) },
    async handler(request, pluginCtx: PluginContext<ResolvedChatwootOptions>) {
      const ctx = platformOf(pluginCtx);
      const { sessionId } = request.params;
      await ctx.gateway.sessions.get(sessionId);
      const settings = await settingsOf(ctx, sessionId);
      const state = settings ? await bridgesRepo.get(sqlOf(ctx), secretsOf(ctx), sessionId) : null;
      const publicUrl = publicUrlOf(ctx);
      const status = !settings
        ? 'not_configured'
        : !state || (state.status === 'running' && state.inboxId === null)
          ? 'starting'
          : state.status;
      return {
        body: {
          status,
          code: state?.code ?? null,
          reason: state?.reason ?? null,
          inboxId: state?.inboxId ?? null,
          callbackUrl:
            publicUrl && state?.callbackToken ? callbackUrl(publicUrl, sessionId, state.callbackToken) : null,
          signed: Boolean(settings?.webhookSecret ?? state?.inboxSecret),
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/sessions/:sessionId/chatwoot/import',
    operationId: 'startChatwootImport',
    summary: 'Import history into Chatwoot',
    description:
      'Imports the stored contacts (`importContacts`) and the messages of the last `daysLimit` days ' +
      '(`importMessages`) through Chatwoot’s API, as durable jobs: resumable, and idempotent (a message ' +
      'already in Chatwoot is skipped). A run already going is returned as it is.',
    tags,
    auth: 'session',
    schema: { params: Params, response: withErrorResponses({ 202: ImportStatus }, [403, 404], errors) },
    async handler(request, pluginCtx: PluginContext<ResolvedChatwootOptions>) {
      const ctx = platformOf(pluginCtx);
      await ctx.gateway.sessions.get(request.params.sessionId);
      return { status: 202, body: importBody(await startImport(ctx, request.params.sessionId)) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/sessions/:sessionId/chatwoot/import',
    operationId: 'getChatwootImport',
    summary: 'Progress of the latest history import',
    tags,
    auth: 'session',
    schema: { params: Params, response: withErrorResponses({ 200: ImportStatus }, [403, 404], errors) },
    async handler(request, pluginCtx: PluginContext<ResolvedChatwootOptions>) {
      const ctx = platformOf(pluginCtx);
      await ctx.gateway.sessions.get(request.params.sessionId);
      const state = await importOf(ctx, request.params.sessionId);
      if (!state) {
        throw chatwootError('CHATWOOT_IMPORT_NOT_FOUND', 'No history import ran for this session');
      }
      return { body: importBody(state) };
    },
  }),
];
