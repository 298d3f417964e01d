import { type Static, Type } from '@sinclair/typebox';

/** Media of a message: fetched from a URL at send time, or a file uploaded to the campaign. */
export const CampaignMedia = Type.Object(
  {
    type: Type.Union([
      Type.Literal('image'),
      Type.Literal('video'),
      Type.Literal('audio'),
      Type.Literal('document'),
    ]),
    url: Type.Optional(Type.String({ format: 'uri', maxLength: 2048, description: 'Fetched when sending' })),
    uploadId: Type.Optional(Type.String({ format: 'uuid', description: 'A file uploaded to the campaign' })),
    mimeType: Type.Optional(Type.String({ maxLength: 255 })),
    fileName: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
);
export type CampaignMedia = Static<typeof CampaignMedia>;

/** One message variant: a template text (caption with media), media, or both. */
export const CampaignVariant = Type.Object(
  {
    id: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Defaults to A, B, C… by position' }),
    ),
    text: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'Template: {{variable|fallback}}, spintax {Hi|Hello}; the caption when there is media',
      }),
    ),
    media: Type.Optional(CampaignMedia),
    weight: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, description: 'Percent of recipients in `split` mode' }),
    ),
  },
  { additionalProperties: false },
);
export type CampaignVariant = Static<typeof CampaignVariant>;

/** What a campaign sends. */
export const CampaignContent = Type.Object(
  {
    variants: Type.Array(CampaignVariant, { minItems: 1, maxItems: 10 }),
    /**
     * `rotate`: recipients get the variants in turn; `split`: each recipient falls in a variant
     * with the probability of its `weight` (weights add up to 100).
     * @default 'rotate'
     */
    variantMode: Type.Optional(Type.Union([Type.Literal('rotate'), Type.Literal('split')])),
    /** A second message sent `delayMs` after the first when the recipient has not replied by then. */
    followUp: Type.Optional(
      Type.Object(
        {
          delayMs: Type.Integer({ minimum: 1000, maximum: 30 * 24 * 3600 * 1000 }),
          text: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
          media: Type.Optional(CampaignMedia),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CampaignContent = Static<typeof CampaignContent>;
