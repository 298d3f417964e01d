import { Type } from '@sinclair/typebox';
import { decodeCursor, defineRoute, Page, type PluginRoute, pageSize } from '@zapgate/core';
import type { ResolvedCampaignsOptions } from '../options.js';
import { campaignStatuses, campaignsRepo } from '../repo/campaigns.js';
import type { CampaignsContext } from '../runtime.js';
import {
  cloneCampaign,
  createCampaign,
  deleteCampaign,
  requireCampaign,
  updateCampaign,
} from '../service/campaigns.js';
import { cancelCampaign, type OnSending, pauseCampaign, startCampaign } from '../service/lifecycle.js';
import { campaignStats, campaignView } from '../service/views.js';
import { keysetPage } from './paging.js';
import {
  Campaign,
  CampaignStats,
  CreateCampaignBody,
  CreatedCampaign,
  NoContent,
  UpdateCampaignBody,
  withErrors,
} from './schemas.js';

// biome-ignore lint/suspicious/noExplicitAny: each route carries its own schema type
export type Route = PluginRoute<any, ResolvedCampaignsOptions>;
const tags = ['campaigns'];
const IdParams = Type.Object({ campaignId: Type.String({ format: 'uuid' }) });

const view = async (ctx: CampaignsContext, id: string) =>
  campaignView(ctx.sql!, await requireCampaign({ sql: ctx.sql! }, id));

const audienceReport = (audience: {
  recipients: unknown[];
  duplicates: unknown[];
  invalid: Array<{ row: number; input: string; problem: string }>;
}) => ({
  added: audience.recipients.length,
  duplicates: audience.duplicates.length,
  invalid: audience.invalid.slice(0, 100).map(({ row, input, problem }) => ({ row, input, problem })),
});

/** Create, list, get, edit, clone, delete, and the lifecycle actions of campaigns (admin key). */
export function campaignRoutes(onSending: OnSending): Route[] {
  const action = (name: 'start' | 'pause' | 'resume' | 'cancel', summary: string, description: string) =>
    defineRoute({
      method: 'POST',
      path: `/campaigns/:campaignId/${name}`,
      operationId: `${name}Campaign`,
      summary,
      description,
      tags,
      auth: 'admin',
      schema: { params: IdParams, response: withErrors({ 200: Campaign }, [400, 404, 409]) },
      async handler(request, ctx: CampaignsContext) {
        const id = request.params.campaignId;
        if (name === 'pause') await pauseCampaign(ctx, id);
        else if (name === 'cancel') await cancelCampaign(ctx, id);
        else await startCampaign(ctx, id, onSending);
        return { body: await view(ctx, id) };
      },
    });
  return [
    defineRoute({
      method: 'POST',
      path: '/campaigns',
      operationId: 'createCampaign',
      summary: 'Create a campaign (a draft)',
      description:
        'Reads the audience (JSON recipients, CSV text, stored contacts, group participants), normalises numbers to E.164, de-duplicates, and checks content, schedule and pacing; every problem is a 4xx with a stable code and nothing is stored. Start it with `POST /campaigns/{id}/start`.',
      tags,
      auth: 'admin',
      schema: { body: CreateCampaignBody, response: withErrors({ 201: CreatedCampaign }, [400, 404, 413]) },
      async handler(request, ctx: CampaignsContext) {
        const { campaign, audience } = await createCampaign(ctx, request.body);
        return {
          status: 201,
          body: { campaign: await campaignView(ctx.sql!, campaign), audience: audienceReport(audience) },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/campaigns',
      operationId: 'listCampaigns',
      summary: 'List campaigns, newest first',
      tags,
      auth: 'admin',
      schema: {
        querystring: Type.Object({
          status: Type.Optional(Type.Union(campaignStatuses.map((s) => Type.Literal(s)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
        }),
        response: withErrors({ 200: Page(Campaign) }, [400]),
      },
      async handler(request, ctx: CampaignsContext) {
        const limit = pageSize(request.query.limit, 50, 200);
        const after = request.query.cursor
          ? (decodeCursor(
              request.query.cursor,
              (p) => p.length === 2 && p.every((x) => typeof x === 'string'),
            ) as [string, string])
          : undefined;
        const rows = await campaignsRepo.list(ctx.sql!, {
          limit: limit + 1,
          ...(after ? { after } : {}),
          ...(request.query.status ? { status: request.query.status } : {}),
        });
        const views = await Promise.all(rows.slice(0, limit + 1).map((row) => campaignView(ctx.sql!, row)));
        return {
          body: keysetPage(
            views,
            limit,
            (v) => v,
            (v) => [v.createdAt, v.id],
          ),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/campaigns/:campaignId',
      operationId: 'getCampaign',
      summary: 'Get a campaign with its counts',
      tags,
      auth: 'admin',
      schema: { params: IdParams, response: withErrors({ 200: Campaign }, [400, 404]) },
      async handler(request, ctx: CampaignsContext) {
        return { body: await view(ctx, request.params.campaignId) };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: '/campaigns/:campaignId',
      operationId: 'updateCampaign',
      summary: 'Edit a draft or paused campaign',
      description:
        'A new `audience` replaces the recipients nothing was sent to yet; those already reached are kept.',
      tags,
      auth: 'admin',
      schema: {
        params: IdParams,
        body: UpdateCampaignBody,
        response: withErrors({ 200: Campaign }, [400, 404, 409, 413]),
      },
      async handler(request, ctx: CampaignsContext) {
        await updateCampaign(ctx, request.params.campaignId, request.body);
        return { body: await view(ctx, request.params.campaignId) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/campaigns/:campaignId',
      operationId: 'deleteCampaign',
      summary: 'Delete a draft, completed or cancelled campaign',
      tags,
      auth: 'admin',
      schema: { params: IdParams, response: withErrors({ 204: NoContent }, [400, 404, 409]) },
      async handler(request, ctx: CampaignsContext) {
        await deleteCampaign(ctx, request.params.campaignId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/campaigns/:campaignId/clone',
      operationId: 'cloneCampaign',
      summary: 'Copy a campaign as a new draft (all recipients pending)',
      tags,
      auth: 'admin',
      schema: {
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
            { additionalProperties: false },
          ),
        ),
        response: withErrors({ 201: Campaign }, [400, 404]),
      },
      async handler(request, ctx: CampaignsContext) {
        const copy = await cloneCampaign(ctx, request.params.campaignId, request.body?.name);
        return { status: 201, body: await campaignView(ctx.sql!, copy) };
      },
    }),
    action('start', 'Start a draft campaign', 'Running at once, or `scheduled` until its `startAt`.'),
    action(
      'pause',
      'Pause a campaign',
      'Nothing more is sent until it is resumed; receipts and replies are still tracked.',
    ),
    action(
      'resume',
      'Resume a paused campaign',
      'Also resumes sessions paused by a safety stop; it continues at its pace, without catching up.',
    ),
    action('cancel', 'Cancel a campaign', 'Recipients not sent yet become `skipped` (`cancelled`).'),
    defineRoute({
      method: 'GET',
      path: '/campaigns/:campaignId/stats',
      operationId: 'getCampaignStats',
      summary: 'Counts, rates per variant and ETA',
      tags,
      auth: 'admin',
      schema: { params: IdParams, response: withErrors({ 200: CampaignStats }, [400, 404]) },
      async handler(request, ctx: CampaignsContext) {
        const campaign = await requireCampaign({ sql: ctx.sql! }, request.params.campaignId);
        return { body: await campaignStats(ctx.sql!, campaign) };
      },
    }),
  ];
}
