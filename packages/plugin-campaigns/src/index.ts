export {
  type Audience,
  type AudienceOptions,
  type AudienceRecipient,
  buildAudience,
  type DuplicateRow,
  type InvalidRow,
  type RawRecipient,
} from './audience/audience.js';
export { isCountryCode, type NormalisedPhone, normalisePhone, type PhoneProblem } from './audience/phone.js';
export {
  type CsvOptions,
  fromCsv,
  fromJson,
  type JsonRecipient,
  phoneColumnNames,
} from './audience/sources.js';
export { columnToVariable, variableNamePattern } from './audience/variables.js';
export {
  assignVariant,
  builtinVariables,
  type CompiledContent,
  type CompiledMessage,
  type CompiledVariant,
  compileContent,
  renderMessage,
} from './content/content.js';
export { seededRandom } from './content/random.js';
export { CampaignContent, CampaignMedia, CampaignVariant } from './content/schemas.js';
export { parseTemplate, renderTemplate, type TemplateNode, templateVariables } from './content/template.js';
export { type CampaignsErrorCode, CampaignsErrorCodes, campaignsError } from './error-codes.js';
export {
  type CampaignProgressEvent,
  type CampaignRecipientEvent,
  type CampaignStatusEvent,
  campaignsEventSchemas,
} from './events.js';
export { campaignsMigrations } from './migrations/index.js';
export {
  CampaignSettings,
  type CampaignsOptions,
  CampaignsOptionsSchema,
  CampaignsSessionSettings,
  type ResolvedCampaignsOptions,
} from './options.js';
export {
  averageGapMs,
  catchUpMs,
  checkPacing,
  dailyCapAt,
  initialPacingState,
  type PacingState,
  type Plan,
  type PlanReason,
  planNext,
  recordSend,
  typingMs,
} from './pacing/planner.js';
export { PacingSettings } from './pacing/schemas.js';
export { type CampaignsPlugin, campaigns } from './plugin.js';
export {
  AudienceInput,
  Campaign,
  CampaignStats,
  CreateCampaignBody,
  Recipient,
  Suppression,
  UpdateCampaignBody,
} from './routes/schemas.js';
export { CampaignSchedule, SendWindow, type Weekday, weekdays } from './schedule/schemas.js';
export { type CompiledSchedule, compileSchedule, isOpen, nextOpen } from './schedule/windows.js';
export { defaultOptOutKeywords, isOptOut } from './tracking/opt-out.js';
export { canMove, type RecipientStatus, recipientStatuses } from './tracking/status.js';
export { campaignsVersion } from './version.js';
