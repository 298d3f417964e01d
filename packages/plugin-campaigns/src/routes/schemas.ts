import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Nullable, Page, Timestamp, withErrorResponses } from '@zapgate/core';
import { CampaignContent } from '../content/schemas.js';
import { RecipientCounts } from '../events.js';
import { CampaignSettings } from '../options.js';
import { PacingSettings } from '../pacing/schemas.js';
import { CampaignSchedule } from '../schedule/schemas.js';
import { recipientStatuses } from '../tracking/status.js';

const Uuid = Type.String({ format: 'uuid' });

/** Where recipients come from; sources add up and are de-duplicated. */
export const AudienceInput = Type.Object(
  {
    recipients: Type.Optional(
      Type.Array(
        Type.Object(
          {
            phone: Type.String({ minLength: 1, maxLength: 64 }),
            variables: Type.Optional(
              Type.Record(
                Type.String({ maxLength: 64 }),
                Type.Union([Type.String({ maxLength: 4096 }), Type.Number(), Type.Boolean(), Type.Null()]),
              ),
            ),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100_000 },
      ),
    ),
    csv: Type.Optional(Type.String({ maxLength: 20_000_000, description: 'CSV text with a header row' })),
    phoneColumn: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    contacts: Type.Optional(
      Type.Object(
        { sessionId: Uuid, search: Type.Optional(Type.String({ maxLength: 256 })) },
        { additionalProperties: false, description: 'Stored contacts of a session matching `search`' },
      ),
    ),
    group: Type.Optional(
      Type.Object(
        { sessionId: Uuid, groupJid: Type.String({ pattern: '^[0-9-]+@g\\.us$' }) },
        { additionalProperties: false, description: 'The participants of a group' },
      ),
    ),
    defaultCountry: Type.Optional(
      Type.String({ pattern: '^[A-Z]{2}$', description: 'For numbers without +' }),
    ),
    invalidNumbers: Type.Optional(
      Type.Union([Type.Literal('reject'), Type.Literal('skip')], {
        description: '`reject` (default): any invalid number fails the request; `skip`: leave them out',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AudienceInput = Static<typeof AudienceInput>;

const PacingInput = Type.Partial(PacingSettings, { additionalProperties: false });
const SettingsInput = Type.Partial(CampaignSettings, { additionalProperties: false });

/** The body of `POST /v1/campaigns`. */
export const CreateCampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    sessionIds: Type.Array(Uuid, {
      minItems: 1,
      maxItems: 50,
      description: 'Sessions that send, in rotation',
    }),
    audience: AudienceInput,
    content: CampaignContent,
    schedule: Type.Optional(CampaignSchedule),
    pacing: Type.Optional(PacingInput),
    settings: Type.Optional(SettingsInput),
  },
  { additionalProperties: false },
);
export type CreateCampaignBody = Static<typeof CreateCampaignBody>;

/** The body of `PATCH /v1/campaigns/{id}` (draft or paused only); an audience replaces the unsent recipients. */
export const UpdateCampaignBody = Type.Partial(CreateCampaignBody, {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateCampaignBody = Static<typeof UpdateCampaignBody>;

/** A campaign as the API shows it. */
export const Campaign = Type.Object({
  id: Uuid,
  name: Type.String(),
  status: Type.Union(
    ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'].map((s) => Type.Literal(s)),
  ),
  statusReason: Nullable(Type.String()),
  sessions: Type.Array(
    Type.Object({
      sessionId: Uuid,
      status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
      pausedReason: Nullable(Type.String()),
      pausedAt: Nullable(Timestamp),
    }),
  ),
  content: CampaignContent,
  schedule: CampaignSchedule,
  pacing: PacingSettings,
  settings: CampaignSettings,
  variables: Type.Array(Type.String(), { description: 'Variables the audience provides (plus `phone`)' }),
  total: Type.Integer({ minimum: 0 }),
  counts: RecipientCounts,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});
export type Campaign = Static<typeof Campaign>;

/** What creating a campaign reports besides the campaign. */
export const CreatedCampaign = Type.Object({
  campaign: Campaign,
  audience: Type.Object({
    added: Type.Integer({ minimum: 0 }),
    duplicates: Type.Integer({ minimum: 0 }),
    invalid: Type.Array(Type.Object({ row: Type.Integer(), input: Type.String(), problem: Type.String() })),
  }),
});

/** Rates and counts, overall and per variant. */
export const CampaignStats = Type.Object({
  campaignId: Uuid,
  total: Type.Integer({ minimum: 0 }),
  counts: RecipientCounts,
  rates: Type.Object({
    delivery: Type.Number({ description: 'delivered (or further) / sent' }),
    read: Type.Number({ description: 'read (or replied) / sent' }),
    reply: Type.Number({ description: 'replied / sent' }),
    optOut: Type.Number({ description: 'opted out / sent' }),
  }),
  variants: Type.Array(
    Type.Object({
      variantId: Type.String(),
      total: Type.Integer({ minimum: 0 }),
      counts: RecipientCounts,
      rates: Type.Object({
        delivery: Type.Number(),
        read: Type.Number(),
        reply: Type.Number(),
        optOut: Type.Number(),
      }),
    }),
  ),
  eta: Nullable(Timestamp),
});
export type CampaignStats = Static<typeof CampaignStats>;

/** A recipient with its status and timestamps. */
export const Recipient = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  phone: Type.String(),
  variables: Type.Record(Type.String(), Type.String()),
  variantId: Type.String(),
  status: Type.Union(recipientStatuses.map((s) => Type.Literal(s))),
  reason: Nullable(Type.String()),
  sessionId: Nullable(Uuid),
  messageId: Nullable(Uuid),
  followUpMessageId: Nullable(Uuid),
  sendingAt: Nullable(Timestamp),
  sentAt: Nullable(Timestamp),
  deliveredAt: Nullable(Timestamp),
  readAt: Nullable(Timestamp),
  repliedAt: Nullable(Timestamp),
  failedAt: Nullable(Timestamp),
  skippedAt: Nullable(Timestamp),
  optedOutAt: Nullable(Timestamp),
});
export type Recipient = Static<typeof Recipient>;

/** A suppressed number of a session. */
export const Suppression = Type.Object({
  phone: Type.String({ description: 'E.164' }),
  reason: Type.Union([Type.Literal('opt_out'), Type.Literal('manual')]),
  campaignId: Nullable(Uuid),
  note: Nullable(Type.String()),
  createdAt: Timestamp,
});

/** A page of recipients or suppressions. */
export const RecipientPage = Page(Recipient);
export const SuppressionPage = Page(Suppression);

/** The body of `POST /v1/sessions/{sessionId}/suppressions`. */
export const AddSuppressionBody = Type.Object(
  {
    phone: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'International, or national with defaultCountry',
    }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
    defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  },
  { additionalProperties: false },
);

/** A response without a body. */
export const NoContent = Type.Null({ description: 'No content' });

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request (`VALIDATION_FAILED`, `CAMPAIGNS_CSV_MALFORMED`, `CAMPAIGNS_AUDIENCE_EMPTY`, `CAMPAIGNS_INVALID_NUMBERS`, `CAMPAIGNS_UNKNOWN_VARIABLE`, `CAMPAIGNS_TEMPLATE_INVALID`, `CAMPAIGNS_SCHEDULE_INVALID`, `CAMPAIGNS_PACING_INVALID`…)',
  403: 'The key does not reach this session (`FORBIDDEN`)',
  404: 'Not found (`CAMPAIGNS_NOT_FOUND`, `SESSION_NOT_FOUND`, `CAMPAIGNS_SUPPRESSION_NOT_FOUND`…)',
  409: "Not allowed in the campaign's current status (`CAMPAIGNS_INVALID_STATE`)",
  413: 'The audience is too large (`CAMPAIGNS_AUDIENCE_TOO_LARGE`)',
};

/** Success responses plus the error body for each listed status. */
export const withErrors = (success: Record<number, TSchema>, errors: readonly number[]) =>
  withErrorResponses(success, errors, errorDescriptions);
