import type { CountryCode } from 'libphonenumber-js/max';
import { campaignsError } from '../error-codes.js';
import { normalisePhone, type PhoneProblem } from './phone.js';

/** One recipient before normalisation, as given (JSON item or CSV row). */
export interface RawRecipient {
  phone: string;
  variables: Record<string, string>;
  /** Where it came from, for error reports: 1-based position, and the CSV line when from a file. */
  row: number;
  line?: number;
}

/** A recipient of an audience: E.164 number and its variables. */
export interface AudienceRecipient {
  phone: string;
  variables: Record<string, string>;
}

/** A row refused because its number is not valid. */
export interface InvalidRow {
  row: number;
  line?: number;
  input: string;
  problem: PhoneProblem;
}

/** A row left out because its number already appeared. */
export interface DuplicateRow {
  row: number;
  line?: number;
  phone: string;
  firstRow: number;
}

/** A normalised audience with what was left out and why. */
export interface Audience {
  recipients: AudienceRecipient[];
  /** Every variable name some recipient has. */
  variables: string[];
  invalid: InvalidRow[];
  duplicates: DuplicateRow[];
}

/** How to build an audience. */
export interface AudienceOptions {
  /** Country for numbers written without an international prefix. */
  defaultCountry?: CountryCode | undefined;
  /** `reject`: any invalid number fails the whole audience (400); `skip`: leave them out, reported. */
  invalidNumbers?: 'reject' | 'skip';
  /** Largest audience accepted (after de-duplication). */
  maxRecipients?: number;
}

/** Rows listed at most in an error's details. */
const reportedRows = 100;

/**
 * Normalises numbers to E.164, drops duplicates (the first row wins), and refuses an empty
 * audience (`CAMPAIGNS_AUDIENCE_EMPTY`) or one with invalid numbers
 * (`CAMPAIGNS_INVALID_NUMBERS`, listing the rows) unless `invalidNumbers: 'skip'`.
 */
export function buildAudience(rows: readonly RawRecipient[], options: AudienceOptions = {}): Audience {
  const byPhone = new Map<string, RawRecipient>();
  const invalid: InvalidRow[] = [];
  const duplicates: DuplicateRow[] = [];
  const recipients: AudienceRecipient[] = [];
  const variables = new Set<string>();
  for (const row of rows) {
    const where = { row: row.row, ...(row.line === undefined ? {} : { line: row.line }) };
    const phone = normalisePhone(row.phone, options.defaultCountry);
    if (!phone.ok) {
      invalid.push({ ...where, input: row.phone, problem: phone.problem });
      continue;
    }
    const first = byPhone.get(phone.e164);
    if (first) {
      duplicates.push({ ...where, phone: phone.e164, firstRow: first.row });
      continue;
    }
    byPhone.set(phone.e164, row);
    recipients.push({ phone: phone.e164, variables: row.variables });
    for (const name of Object.keys(row.variables)) variables.add(name);
  }
  if (invalid.length > 0 && (options.invalidNumbers ?? 'reject') === 'reject') {
    const listed = invalid
      .slice(0, 10)
      .map((item) => `row ${item.row}${item.line ? ` (line ${item.line})` : ''}: "${item.input}"`);
    throw campaignsError(
      'CAMPAIGNS_INVALID_NUMBERS',
      `${invalid.length} invalid phone number(s): ${listed.join(', ')}${invalid.length > 10 ? ', …' : ''}`,
      { invalid: invalid.slice(0, reportedRows), invalidCount: invalid.length },
    );
  }
  if (recipients.length === 0) {
    throw campaignsError(
      'CAMPAIGNS_AUDIENCE_EMPTY',
      invalid.length > 0 ? 'The audience has no valid number' : 'The audience has no recipient',
    );
  }
  if (options.maxRecipients !== undefined && recipients.length > options.maxRecipients) {
    throw campaignsError(
      'CAMPAIGNS_AUDIENCE_TOO_LARGE',
      `The audience has ${recipients.length} recipients; at most ${options.maxRecipients} are allowed`,
    );
  }
  return { recipients, variables: [...variables].sort(), invalid, duplicates };
}
