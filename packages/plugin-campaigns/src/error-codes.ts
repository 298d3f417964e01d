import { GatewayError } from '@zapgate/core';

/** Every error code of `@zapgate/plugin-campaigns`, with its HTTP status. */
export const CampaignsErrorCodes = {
  /** The CSV upload could not be parsed (unbalanced quotes, ragged rows, no header). */
  CAMPAIGNS_CSV_MALFORMED: 400,
  /** The CSV has no column holding the phone number. */
  CAMPAIGNS_CSV_NO_PHONE_COLUMN: 400,
  /** The audience has no recipient. */
  CAMPAIGNS_AUDIENCE_EMPTY: 400,
  /** The audience is larger than the configured maximum. */
  CAMPAIGNS_AUDIENCE_TOO_LARGE: 413,
  /** One or more numbers are not valid phone numbers (`details` lists the rows). */
  CAMPAIGNS_INVALID_NUMBERS: 400,
  /** A recipient variable name is not usable in templates (letters, digits and `_`). */
  CAMPAIGNS_VARIABLE_NAME_INVALID: 400,
  /** A template uses a variable that no recipient column, fallback or built-in provides. */
  CAMPAIGNS_UNKNOWN_VARIABLE: 400,
  /** A template or spintax expression is not well formed (unbalanced braces, empty name). */
  CAMPAIGNS_TEMPLATE_INVALID: 400,
  /** Variants are missing or their A/B weights do not add up. */
  CAMPAIGNS_VARIANTS_INVALID: 400,
  /** Start/end time or send windows are inconsistent (end before start, no window, bad zone). */
  CAMPAIGNS_SCHEDULE_INVALID: 400,
  /** No campaign with this id. */
  CAMPAIGNS_NOT_FOUND: 404,
  /** The campaign's status does not allow this (edit while running, start a completed campaign…). */
  CAMPAIGNS_INVALID_STATE: 409,
  /** No such uploaded file. */
  CAMPAIGNS_UPLOAD_NOT_FOUND: 404,
  /** An upload without a body, without a Content-Type, or sent as JSON. */
  CAMPAIGNS_UPLOAD_INVALID: 400,
  /** No such number on the session's suppression list. */
  CAMPAIGNS_SUPPRESSION_NOT_FOUND: 404,
  /** The recipient is on the session's suppression list (opted out): nothing is sent to it. */
  CAMPAIGNS_RECIPIENT_SUPPRESSED: 409,
  /** A pacing setting is out of range or contradicts another (rate 0, min gap above max gap). */
  CAMPAIGNS_PACING_INVALID: 400,
} as const;

/** A code of this plugin. */
export type CampaignsErrorCode = keyof typeof CampaignsErrorCodes;

/** A {@link GatewayError} with this plugin's code, its registered status and optional details. */
export function campaignsError(code: CampaignsErrorCode, message: string, details?: unknown): GatewayError {
  return new GatewayError(code, message, {
    statusCode: CampaignsErrorCodes[code],
    ...(details === undefined ? {} : { details }),
  });
}
