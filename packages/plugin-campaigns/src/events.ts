import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '@zapgate/core';
import { recipientStatuses } from './tracking/status.js';

const CampaignStatusSchema = Type.Union(
  ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'].map((status) => Type.Literal(status)),
);
const RecipientStatusSchema = Type.Union(recipientStatuses.map((status) => Type.Literal(status)));

/** Counts of recipients per status. */
export const RecipientCounts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
  description:
    'Recipients per status (pending, skipped, sending, sent, delivered, read, replied, failed, opted_out)',
});

/** Payload schemas of the events this plugin emits (documented under OpenAPI `webhooks`). */
export const campaignsEventSchemas = {
  'campaign.status': Type.Object({
    campaignId: Type.String({ format: 'uuid' }),
    name: Type.String(),
    status: CampaignStatusSchema,
    previous: CampaignStatusSchema,
    reason: Nullable(Type.String({ description: 'Why (e.g. `ended`, `all sessions paused`)' })),
    session: Nullable(
      Type.Object(
        {
          sessionId: Type.String({ format: 'uuid' }),
          status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
          reason: Nullable(
            Type.String({
              description: 'Safety stop: `logged_out`, `reach_out_restricted`, `failure_rate`; or `manual`',
            }),
          ),
        },
        { description: 'Set when one sending session’s part was paused or resumed' },
      ),
    ),
  }),
  'campaign.progress': Type.Object({
    campaignId: Type.String({ format: 'uuid' }),
    total: Type.Integer({ minimum: 0 }),
    counts: RecipientCounts,
    eta: Nullable(
      Type.String({ format: 'date-time', description: 'When the last pending recipient should be sent' }),
    ),
  }),
  'campaign.recipient': Type.Object({
    campaignId: Type.String({ format: 'uuid' }),
    seq: Type.Integer({ minimum: 0, description: 'Position in the audience' }),
    phone: Type.String({ description: 'E.164' }),
    variantId: Type.String(),
    status: RecipientStatusSchema,
    previous: RecipientStatusSchema,
    reason: Nullable(Type.String()),
    messageId: Nullable(Type.String({ format: 'uuid' })),
  }),
};

export type CampaignStatusEvent = Static<(typeof campaignsEventSchemas)['campaign.status']>;
export type CampaignProgressEvent = Static<(typeof campaignsEventSchemas)['campaign.progress']>;
export type CampaignRecipientEvent = Static<(typeof campaignsEventSchemas)['campaign.recipient']>;

declare module '@zapgate/core' {
  interface GatewayEventMap {
    /** A campaign changed status, or one of its sending sessions was paused or resumed. */
    'campaign.status': CampaignStatusEvent;
    /** Counts and ETA of a running campaign (at most one every `progressIntervalMs`). */
    'campaign.progress': CampaignProgressEvent;
    /** A recipient changed status (sent, delivered, read, replied, failed, opted out…). */
    'campaign.recipient': CampaignRecipientEvent;
  }
}
