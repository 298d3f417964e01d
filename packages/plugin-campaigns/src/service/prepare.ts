import { Value } from '@sinclair/typebox/value';
import type { GatewayApi } from '@zapgate/core';
import { type Audience, buildAudience, type RawRecipient } from '../audience/audience.js';
import { fromContacts, fromGroup } from '../audience/from-gateway.js';
import { isCountryCode } from '../audience/phone.js';
import { fromCsv, fromJson } from '../audience/sources.js';
import { type CompiledContent, compileContent } from '../content/content.js';
import type { CampaignContent } from '../content/schemas.js';
import { campaignsError } from '../error-codes.js';
import { CampaignSettings, type ResolvedCampaignsOptions } from '../options.js';
import { checkPacing } from '../pacing/planner.js';
import { PacingSettings } from '../pacing/schemas.js';
import type { AudienceInput } from '../routes/schemas.js';
import type { CampaignSchedule } from '../schedule/schemas.js';
import { type CompiledSchedule, compileSchedule } from '../schedule/windows.js';

/** An audience read from every source of the input, normalised and de-duplicated. */
export async function readAudience(
  gateway: GatewayApi,
  input: AudienceInput,
  options: ResolvedCampaignsOptions,
): Promise<Audience> {
  const country = input.defaultCountry ?? options.defaultCountry;
  if (country !== undefined && !isCountryCode(country))
    throw campaignsError('CAMPAIGNS_INVALID_NUMBERS', `Unknown country code "${country}"`);
  const rows: RawRecipient[] = [];
  const add = (more: RawRecipient[]) => {
    for (const row of more) rows.push({ ...row, row: rows.length + 1 });
  };
  if (input.recipients) add(fromJson(input.recipients));
  if (input.csv !== undefined) add(fromCsv(input.csv, { phoneColumn: input.phoneColumn }));
  if (input.contacts) add(await fromContacts(gateway, input.contacts));
  if (input.group) add(await fromGroup(gateway, input.group));
  return buildAudience(rows, {
    defaultCountry: country,
    invalidNumbers: input.invalidNumbers ?? 'reject',
    maxRecipients: options.maxRecipients,
  });
}

/** Pacing with defaults applied and checked as a whole. */
export function resolvePacing(input: object | undefined): PacingSettings {
  const pacing = Value.Default(PacingSettings, structuredClone(input ?? {})) as PacingSettings;
  if (!Value.Check(PacingSettings, pacing)) {
    const problems = [...Value.Errors(PacingSettings, pacing)].map((e) => `${e.path} ${e.message}`);
    throw campaignsError('CAMPAIGNS_PACING_INVALID', `Pacing: ${problems.join('; ')}`, { problems });
  }
  checkPacing(pacing);
  return pacing;
}

/** Campaign settings with defaults applied. */
export const resolveSettings = (input: object | undefined): CampaignSettings =>
  Value.Default(CampaignSettings, structuredClone(input ?? {})) as CampaignSettings;

/** Everything that makes a campaign sendable, checked together. */
export interface PreparedCampaign {
  content: CompiledContent;
  schedule: CompiledSchedule;
  pacing: PacingSettings;
  settings: CampaignSettings;
}

/** Checks content against the audience's variables, the schedule and the pacing (all 400s with codes). */
export function prepare(
  content: CampaignContent,
  variables: readonly string[],
  schedule: CampaignSchedule,
  pacing: object,
  settings: object,
): PreparedCampaign {
  return {
    content: compileContent(content, variables),
    schedule: compileSchedule(schedule),
    pacing: resolvePacing(pacing),
    settings: resolveSettings(settings),
  };
}
