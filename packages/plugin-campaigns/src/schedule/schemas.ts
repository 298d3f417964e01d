import { type Static, Type } from '@sinclair/typebox';

/** Days of the week, as written in send windows. */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

const clock = (description: string, allowMidnightEnd: boolean) =>
  Type.String({
    pattern: allowMidnightEnd ? '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' : '^([01][0-9]|2[0-3]):[0-5][0-9]$',
    description,
    examples: ['09:00'],
  });

/** Hours of some weekdays during which sending is allowed, in the schedule's time zone. */
export const SendWindow = Type.Object(
  {
    days: Type.Array(Type.Union(weekdays.map((day) => Type.Literal(day))), { minItems: 1, maxItems: 7 }),
    start: clock('Local time the window opens (HH:MM)', false),
    end: clock('Local time the window closes (HH:MM, 24:00 for midnight); after start', true),
  },
  { additionalProperties: false },
);
export type SendWindow = Static<typeof SendWindow>;

/** When a campaign may send. */
export const CampaignSchedule = Type.Object(
  {
    /** Do not send before this time. @default when started */
    startAt: Type.Optional(Type.String({ format: 'date-time' })),
    /** Stop sending at this time; recipients not reached are marked `skipped` (`ended`). @default none */
    endAt: Type.Optional(Type.String({ format: 'date-time' })),
    /** IANA time zone of the windows (`America/Sao_Paulo`). @default 'UTC' */
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, examples: ['America/Sao_Paulo'] })),
    /** Send only inside these windows; when omitted, at any hour. An empty list is refused. */
    windows: Type.Optional(Type.Array(SendWindow, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type CampaignSchedule = Static<typeof CampaignSchedule>;
