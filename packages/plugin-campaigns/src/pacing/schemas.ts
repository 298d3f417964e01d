import { type Static, Type } from '@sinclair/typebox';

const range = (description: string, min: number, max: number) =>
  Type.Object(
    {
      minMs: Type.Integer({ minimum: 0, default: min }),
      maxMs: Type.Integer({ minimum: 0, default: max }),
    },
    { additionalProperties: false, default: {}, description },
  );

/**
 * How fast one session sends. The defaults are deliberately slow: see the README's
 * "Pacing and the anti-ban defaults" for what each protects against.
 */
export const PacingSettings = Type.Object(
  {
    /**
     * Average sending rate while sending (pauses, windows and caps come on top).
     * @default 4
     */
    messagesPerMinute: Type.Number({ exclusiveMinimum: 0, maximum: 1200, default: 4 }),
    /**
     * Randomness of each gap: gaps are drawn uniformly from `average × (1 ± gapJitter)`, so
     * the average rate holds while no two gaps look alike (4/min, 0.5 → 7.5 s to 22.5 s).
     * @default 0.5
     */
    gapJitter: Type.Number({ minimum: 0, maximum: 0.9, default: 0.5 }),
    /**
     * After this many messages, take a longer pause (`pauseMs`); 0 never pauses.
     * @default 25
     */
    pauseEvery: Type.Integer({ minimum: 0, default: 25 }),
    /** @default { minMs: 180000, maxMs: 480000 } (3 to 8 minutes) */
    pauseMs: range('Length of the pause after every `pauseEvery` messages', 180_000, 480_000),
    /**
     * Most messages the session sends in any 24 hours (a moving window, like WhatsApp's own
     * business messaging limits), across every campaign.
     * @default 200
     */
    dailyCap: Type.Integer({ minimum: 1, default: 200 }),
    /** A new number's cap starts low and grows each day until it reaches `dailyCap`. */
    warmup: Type.Object(
      {
        /** @default true */
        enabled: Type.Boolean({ default: true }),
        /** Cap on the first day (counted from the session's first campaign message). @default 20 */
        startPerDay: Type.Integer({ minimum: 1, default: 20 }),
        /** Growth of the cap per day (0.3: +30% a day, 20 → 200 in 9 days). @default 0.3 */
        dailyGrowth: Type.Number({ exclusiveMinimum: 0, maximum: 10, default: 0.3 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Shows "typing…" before each message, for a time proportional to its length. */
    typing: Type.Object(
      {
        /** @default true */
        enabled: Type.Boolean({ default: true }),
        /** @default 40 */
        msPerChar: Type.Integer({ minimum: 0, maximum: 1000, default: 40 }),
        /** @default 1000 */
        minMs: Type.Integer({ minimum: 0, default: 1000 }),
        /** Never longer than this, nor than half the average gap. @default 8000 */
        maxMs: Type.Integer({ minimum: 0, default: 8000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Mark the recipient's chat read before writing (as a person answering would).
     * @default false
     */
    markRead: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

/** Pacing with every default applied. */
export type PacingSettings = Static<typeof PacingSettings>;
