import { Type } from '@sinclair/typebox';
import { decodeCursor, defineRoute, pageSize, rawResponse } from '@zapgate/core';
import { stringify } from 'csv-stringify/sync';
import { recipientsRepo } from '../repo/recipients.js';
import type { CampaignsContext } from '../runtime.js';
import { requireCampaign } from '../service/campaigns.js';
import { recipientView } from '../service/views.js';
import { type RecipientStatus, recipientStatuses } from '../tracking/status.js';
import type { Route } from './campaigns.js';
import { keysetPage } from './paging.js';
import { RecipientPage, withErrors } from './schemas.js';

const tags = ['campaigns'];
const IdParams = Type.Object({ campaignId: Type.String({ format: 'uuid' }) });
const StatusFilter = Type.Optional(
  Type.String({
    pattern: `^(${recipientStatuses.join('|')})(,(${recipientStatuses.join('|')}))*$`,
    description: 'Comma-separated statuses, e.g. `read,replied`',
  }),
);
const statusesOf = (filter: string | undefined) =>
  filter ? (filter.split(',') as RecipientStatus[]) : undefined;

const csvColumns = [
  'seq',
  'phone',
  'variantId',
  'status',
  'reason',
  'sessionId',
  'messageId',
  'sendingAt',
  'sentAt',
  'deliveredAt',
  'readAt',
  'repliedAt',
  'failedAt',
  'skippedAt',
  'optedOutAt',
] as const;

/** Recipient listing (keyset pages, status filter) and CSV export. */
export function recipientRoutes(): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/campaigns/:campaignId/recipients',
      operationId: 'listCampaignRecipients',
      summary: 'List recipients with their status and timestamps',
      description: 'In audience order, by keyset pages (`cursor`).',
      tags,
      auth: 'admin',
      schema: {
        params: IdParams,
        querystring: Type.Object({
          status: StatusFilter,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          cursor: Type.Optional(Type.String({ maxLength: 128 })),
        }),
        response: withErrors({ 200: RecipientPage }, [400, 404]),
      },
      async handler(request, ctx: CampaignsContext) {
        const sql = ctx.sql!;
        await requireCampaign({ sql }, request.params.campaignId);
        const limit = pageSize(request.query.limit, 100, 1000);
        const afterSeq = request.query.cursor
          ? (
              decodeCursor(request.query.cursor, (p) => p.length === 1 && Number.isInteger(p[0])) as [number]
            )[0]
          : undefined;
        const statuses = statusesOf(request.query.status);
        const rows = await recipientsRepo.page(sql, request.params.campaignId, {
          limit: limit + 1,
          ...(afterSeq === undefined ? {} : { afterSeq }),
          ...(statuses ? { statuses } : {}),
        });
        return { body: keysetPage(rows, limit, recipientView, (row) => [row.seq]) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/campaigns/:campaignId/recipients.csv',
      operationId: 'exportCampaignRecipients',
      summary: 'Export recipients with statuses as CSV',
      description: `Columns: ${csvColumns.join(', ')}, then one column per audience variable.`,
      tags,
      auth: 'admin',
      schema: {
        params: IdParams,
        querystring: Type.Object({ status: StatusFilter }),
        response: withErrors(
          { 200: rawResponse('text/csv', 'One row per recipient, with a header row') },
          [400, 404],
        ),
      },
      async handler(request, ctx: CampaignsContext) {
        const sql = ctx.sql!;
        const campaign = await requireCampaign({ sql }, request.params.campaignId);
        const statuses = statusesOf(request.query.status);
        const lines = [stringify([[...csvColumns, ...campaign.variables]])];
        for (let afterSeq = -1; ; ) {
          const rows = await recipientsRepo.page(sql, campaign.id, {
            limit: 1000,
            afterSeq,
            ...(statuses ? { statuses } : {}),
          });
          if (rows.length === 0) break;
          lines.push(
            stringify(
              rows.map((row) => [
                ...csvColumns.map((column) => row[column] ?? ''),
                ...campaign.variables.map((name) =>
                  Object.hasOwn(row.variables, name) ? row.variables[name] : '',
                ),
              ]),
            ),
          );
          afterSeq = rows[rows.length - 1]!.seq;
        }
        return {
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="campaign-${campaign.id}.csv"`,
          },
          body: lines.join(''),
        };
      },
    }),
  ];
}
