import { type Static, Type } from '@sinclair/typebox';
import { defaultOptOutKeywords } from './tracking/opt-out.js';

/** Options of {@link campaigns}, as a TypeBox schema with defaults (validated at boot by core). */
export const CampaignsOptionsSchema = Type.Object({
  /**
   * Country (ISO 3166-1 alpha-2, e.g. `BR`) for audience numbers written without `+`; a
   * campaign's audience can set its own.
   * @default none: numbers must be international
   */
  defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  /**
   * Largest audience of one campaign.
   * @default 100000
   */
  maxRecipients: Type.Integer({ minimum: 1, default: 100_000 }),
  /**
   * Replies that opt a recipient out (whole message; case, accents and punctuation ignored).
   * @default ['STOP', 'SAIR', 'PARAR', 'BAJA', 'UNSUBSCRIBE']
   */
  optOutKeywords: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    default: [...defaultOptOutKeywords],
    maxItems: 100,
  }),
  /**
   * Text sent back to confirm an opt-out; none when null.
   * @default null
   */
  optOutConfirmation: Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()], {
    default: null,
  }),
  /**
   * Minimum time between two `campaign.progress` events of a campaign.
   * @default 5000
   */
  progressIntervalMs: Type.Integer({ minimum: 0, default: 5000 }),
  /**
   * Numbers checked on WhatsApp per request when a campaign checks numbers first.
   * @default 50
   */
  checkBatchSize: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  /**
   * Largest file `POST /v1/campaigns/uploads` accepts, in bytes (WhatsApp's own limit for
   * video is 16 MB; documents may be larger).
   * @default 16777216 (16 MiB)
   */
  maxUploadBytes: Type.Integer({ minimum: 1, maximum: 100 * 1024 * 1024, default: 16 * 1024 * 1024 }),
  /**
   * Uploads no campaign refers to are deleted after this many hours.
   * @default 24
   */
  uploadRetentionHours: Type.Integer({ minimum: 1, default: 24 }),
});

/** Options after defaults: what `ctx.options` holds. */
export type ResolvedCampaignsOptions = Static<typeof CampaignsOptionsSchema>;

/** Options of {@link campaigns}; every field has a default. */
export type CampaignsOptions = Partial<ResolvedCampaignsOptions>;

/** Per-campaign behaviour. */
export const CampaignSettings = Type.Object(
  {
    /**
     * Check each number is on WhatsApp (in batches) before sending; numbers that are not are
     * `skipped` (`not_on_whatsapp`). Sending to unknown numbers is what triggers WhatsApp's
     * reach-out restriction.
     * @default false
     */
    checkNumbers: Type.Boolean({ default: false }),
    /**
     * Pause a session's part when this share of its last `failureWindow` sends failed.
     * @default 0.3
     */
    failureRateThreshold: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.3 }),
    /**
     * How many of a session's most recent sends the failure rate is computed over (and the
     * fewest before it applies).
     * @default 20
     */
    failureWindow: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
  },
  { additionalProperties: false },
);
export type CampaignSettings = Static<typeof CampaignSettings>;

/**
 * Per-session settings of the plugin (`PUT /v1/sessions/{sessionId}/plugins/campaigns`): what
 * counts as an opt-out on that number and how it is confirmed, e.g. in the number's language.
 * An unset field uses the plugin's option of the same name.
 */
export const CampaignsSessionSettings = Type.Object(
  {
    /** Replies that opt a recipient out on this session. @default the `optOutKeywords` option */
    optOutKeywords: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }),
    ),
    /** Confirmation sent after an opt-out on this session; null sends none. @default the `optOutConfirmation` option */
    optOutConfirmation: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);
export type CampaignsSessionSettings = Static<typeof CampaignsSessionSettings>;
