import { Type } from '@sinclair/typebox';
import { decodeCursor, defineRoute, pageSize } from '@zapgate/core';
import { isCountryCode, normalisePhone } from '../audience/phone.js';
import { campaignsError } from '../error-codes.js';
import { suppressionsRepo } from '../repo/suppressions.js';
import type { CampaignsContext } from '../runtime.js';
import type { Route } from './campaigns.js';
import { keysetPage } from './paging.js';
import { AddSuppressionBody, NoContent, Suppression, SuppressionPage, withErrors } from './schemas.js';

const tags = ['campaigns'];
const SessionParams = Type.Object({ sessionId: Type.String({ format: 'uuid' }) });
const PhoneParams = Type.Object({
  sessionId: Type.String({ format: 'uuid' }),
  phone: Type.String({ minLength: 1, maxLength: 64, description: 'E.164 (`+5511…`, URL-encoded) or digits' }),
});

const e164 = (phone: string, country?: string) => {
  const parsed = normalisePhone(phone, country && isCountryCode(country) ? country : undefined);
  if (!parsed.ok)
    throw campaignsError(
      'CAMPAIGNS_INVALID_NUMBERS',
      `"${phone}" is not a valid phone number (${parsed.problem})`,
    );
  return parsed.e164;
};

const view = ({
  phone,
  reason,
  campaignId,
  note,
  createdAt,
}: Awaited<ReturnType<typeof suppressionsRepo.add>>['entry']) => ({
  phone,
  reason,
  campaignId,
  note,
  createdAt,
});

/** A session's suppression list: numbers no campaign (or other send) of the session reaches. */
export function suppressionRoutes(): Route[] {
  const base = '/sessions/:sessionId/suppressions';
  return [
    defineRoute({
      method: 'GET',
      path: base,
      operationId: 'listSuppressions',
      summary: "List the session's suppressed numbers (opt-outs and numbers added by hand), newest first",
      tags,
      auth: 'session',
      schema: {
        params: SessionParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          cursor: Type.Optional(Type.String({ maxLength: 256 })),
        }),
        response: withErrors({ 200: SuppressionPage }, [400, 403, 404]),
      },
      async handler(request, ctx: CampaignsContext) {
        await ctx.gateway.sessions.get(request.params.sessionId);
        const limit = pageSize(request.query.limit, 100, 500);
        const after = request.query.cursor
          ? (decodeCursor(
              request.query.cursor,
              (p) => p.length === 2 && p.every((x) => typeof x === 'string'),
            ) as [string, string])
          : undefined;
        const rows = await suppressionsRepo.list(ctx.sql!, request.params.sessionId, {
          limit: limit + 1,
          ...(after ? { after } : {}),
        });
        return { body: keysetPage(rows, limit, view, (row) => [row.createdAt, row.phone]) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: base,
      operationId: 'addSuppression',
      summary: 'Suppress a number for the session',
      description: 'Idempotent: adding a number already on the list answers 200 with the existing entry.',
      tags,
      auth: 'session',
      schema: {
        params: SessionParams,
        body: AddSuppressionBody,
        response: withErrors({ 200: Suppression, 201: Suppression }, [400, 403, 404]),
      },
      async handler(request, ctx: CampaignsContext) {
        await ctx.gateway.sessions.get(request.params.sessionId);
        const { entry, created } = await suppressionsRepo.add(ctx.sql!, {
          sessionId: request.params.sessionId,
          phone: e164(request.body.phone, request.body.defaultCountry),
          reason: 'manual',
          campaignId: null,
          note: request.body.note ?? null,
        });
        return { status: created ? 201 : 200, body: view(entry) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: `${base}/:phone`,
      operationId: 'removeSuppression',
      summary: 'Remove a number from the suppression list',
      tags,
      auth: 'session',
      schema: { params: PhoneParams, response: withErrors({ 204: NoContent }, [400, 403, 404]) },
      async handler(request, ctx: CampaignsContext) {
        const phone = e164(
          request.params.phone.startsWith('+') ? request.params.phone : `+${request.params.phone}`,
        );
        if (!(await suppressionsRepo.remove(ctx.sql!, request.params.sessionId, phone)))
          throw campaignsError(
            'CAMPAIGNS_SUPPRESSION_NOT_FOUND',
            `${phone} is not suppressed for this session`,
          );
        return { status: 204 };
      },
    }),
  ];
}
