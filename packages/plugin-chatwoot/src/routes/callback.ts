import { type TSchema, Type } from '@sinclair/typebox';
import { defineRoute, type PluginContext, type RouteRequest, withErrorResponses } from '@zapgate/core';
import { checkCallback } from '../callback/accept.js';
import { isAgentReply, parseCallback } from '../callback/payload.js';
import { chatwootError } from '../error-codes.js';
import { enqueueToWhatsapp } from '../jobs/to-whatsapp.js';
import type { BridgeMetrics } from '../metrics.js';
import type { ResolvedChatwootOptions } from '../options.js';
import { bridgesRepo } from '../repo/bridges.js';
import { deliveriesRepo } from '../repo/deliveries.js';
import { type ChatwootContext, platformOf, secretsOf, settingsOf, sqlOf } from '../runtime.js';

const Params = Type.Object({ sessionId: Type.String({ format: 'uuid' }) });
const Query = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 256, description: 'The token of the callback URL' })),
});
const Accepted = Type.Object({
  result: Type.Union([Type.Literal('queued'), Type.Literal('duplicate'), Type.Literal('ignored')], {
    description:
      'queued: handed to a durable job; duplicate: this X-Chatwoot-Delivery was seen; ignored: nothing to do',
  }),
});

type CallbackSchema = {
  params: typeof Params;
  querystring: typeof Query;
  response: Record<number, TSchema>;
};
type CallbackRequest = RouteRequest<CallbackSchema>;

/**
 * Refuses a callback that does not prove it comes from the session's inbox: Chatwoot's
 * signature when the inbox has a secret, the URL token otherwise (401, logged, counted).
 */
async function verify(
  request: CallbackRequest,
  ctx: ChatwootContext,
  metrics: BridgeMetrics,
  toleranceMs: number,
) {
  const { sessionId } = request.params;
  const settings = await settingsOf(ctx, sessionId);
  const state = settings ? await bridgesRepo.get(sqlOf(ctx), secretsOf(ctx), sessionId) : null;
  const keys = state
    ? { secret: settings?.webhookSecret ?? state.inboxSecret, token: state.callbackToken }
    : null;
  const check = checkCallback(
    keys,
    { token: request.query?.token, rawBody: request.rawBody ?? Buffer.alloc(0), headers: request.headers },
    toleranceMs,
  );
  if (check.accepted) return;
  metrics.callbacks.inc({ result: 'refused' });
  ctx.logger.warn({ sessionId, reason: check.reason }, 'chatwoot: callback refused');
  throw chatwootError('CHATWOOT_CALLBACK_UNAUTHORIZED', `Callback refused: ${check.reason}`);
}

/**
 * `POST /v1/chatwoot/{sessionId}/callback`: the inbox's webhook. Once proven, it is
 * de-duplicated by `X-Chatwoot-Delivery` and queued as a durable job; nothing is sent to
 * WhatsApp inside Chatwoot's request, so it answers at once.
 */
export function callbackRoute(
  runtime: { metrics: BridgeMetrics },
  options: { bodyBytes: number; toleranceMs: number },
) {
  return defineRoute({
    method: 'POST',
    path: '/chatwoot/:sessionId/callback',
    operationId: 'chatwootCallback',
    summary: 'Chatwoot webhook of a session’s inbox',
    description:
      'Set by the bridge as the API inbox’s webhook URL. Accepted only with a valid ' +
      '`X-Chatwoot-Signature` (HMAC-SHA256 of `{X-Chatwoot-Timestamp}.{body}` with the inbox secret) ' +
      'when the inbox has a secret, otherwise with the session’s callback token in the URL. ' +
      'Answers at once; the work is done by a durable job.',
    tags: ['chatwoot'],
    auth: 'public',
    rawBody: true,
    limits: { bodyBytes: options.bodyBytes },
    schema: {
      params: Params,
      querystring: Query,
      response: withErrorResponses({ 200: Accepted }, [401, 413, 429], {
        401: 'CHATWOOT_CALLBACK_UNAUTHORIZED: no valid signature or token',
        413: 'The body is larger than the plugin’s callbackBodyLimit',
        429: 'Too many callbacks for this route',
      }),
    },
    async handler(request, pluginCtx: PluginContext<ResolvedChatwootOptions>) {
      const ctx = platformOf(pluginCtx);
      const { sessionId } = request.params;
      // checked here, before anything else, rather than in a separate hook: one place, and a
      // host that skipped such a hook could never let an unproven callback through
      await verify(request, ctx, runtime.metrics, options.toleranceMs);
      const raw = request.rawBody ?? Buffer.alloc(0);
      const deliveryId = request.headers['x-chatwoot-delivery']?.slice(0, 200) ?? null;
      let body: unknown = null;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        // proven but not JSON: nothing to act on (a 4xx would make Chatwoot mark messages failed)
      }
      const callback = parseCallback(body);
      // the bridge's own messages, incoming ones, notes and activity come back too: no job for them
      if (callback.kind === 'ignored' || (callback.kind === 'message' && !isAgentReply(callback.payload))) {
        runtime.metrics.callbacks.inc({ result: 'ignored' });
        return { body: { result: 'ignored' as const } };
      }
      // the delivery id and the job are written together: a callback is queued exactly once
      const queued = await ctx.store.transaction(async (tx) => {
        if (deliveryId && !(await deliveriesRepo.claim(tx.sql!, sessionId, deliveryId))) return false;
        await enqueueToWhatsapp(ctx, sessionId, callback, deliveryId, tx);
        return true;
      });
      runtime.metrics.callbacks.inc({ result: queued ? 'accepted' : 'duplicate' });
      return { body: { result: queued ? ('queued' as const) : ('duplicate' as const) } };
    },
  });
}
