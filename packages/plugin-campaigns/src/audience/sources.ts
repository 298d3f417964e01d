import { CsvError, parse } from 'csv-parse/sync';
import { type CampaignsErrorCode, campaignsError } from '../error-codes.js';
import type { RawRecipient } from './audience.js';
import { columnToVariable, variableNamePattern, variableText } from './variables.js';

/** One recipient as JSON: a number and optional variables. */
export interface JsonRecipient {
  phone: string;
  variables?: Record<string, string | number | boolean | null>;
}

/** Header names (compared lower-case, after {@link columnToVariable}) taken as the phone column. */
export const phoneColumnNames: readonly string[] = [
  'phone',
  'phone_number',
  'phonenumber',
  'number',
  'mobile',
  'whatsapp',
  'msisdn',
  'tel',
  'telefone',
  'celular',
  'numero',
  'número',
  'telefono',
  'teléfono',
];

const checkName = (name: string, where: string, code: CampaignsErrorCode) => {
  if (!variableNamePattern.test(name))
    throw campaignsError(
      code,
      `${where}: "${name}" is not a usable variable name (letters, digits and _, not starting with a digit)`,
    );
};

/** Recipients from a JSON list; variable values become text, names are checked. */
export function fromJson(items: readonly JsonRecipient[]): RawRecipient[] {
  return items.map((item, index) => {
    const variables: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(item.variables ?? {})) {
      checkName(name, `recipient ${index + 1}`, 'CAMPAIGNS_VARIABLE_NAME_INVALID');
      const text = variableText(value);
      if (text !== undefined) variables[name] = text;
    }
    return { phone: item.phone, variables, row: index + 1 };
  });
}

/** Options of {@link fromCsv}. */
export interface CsvOptions {
  /** Header of the phone column; detected from {@link phoneColumnNames} when omitted. */
  phoneColumn?: string | undefined;
}

const delimiters = [',', ';', '\t'] as const;

/** The delimiter used most in the header line (`,` when none appears). */
function detectDelimiter(text: string): string {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const counts = delimiters.map((d) => header.split(d).length - 1);
  const best = Math.max(...counts);
  return best === 0 ? ',' : delimiters[counts.indexOf(best)]!;
}

/**
 * Recipients from CSV text with a header row. The delimiter (`,` `;` or tab) is taken from the
 * header line; quotes follow RFC 4180; a BOM and blank lines are ignored. Every column but the
 * phone column becomes a variable named after its header ({@link columnToVariable}); empty
 * cells are left out, so a template's fallback applies.
 */
export function fromCsv(text: string, options: CsvOptions = {}): RawRecipient[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      delimiter: detectDelimiter(text),
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw campaignsError(
        'CAMPAIGNS_CSV_MALFORMED',
        `The CSV is malformed${line ? ` at line ${line}` : ''}: ${error.message}`,
        { csvCode: error.code, ...(line ? { line } : {}) },
      );
    }
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw campaignsError('CAMPAIGNS_AUDIENCE_EMPTY', 'The CSV is empty');
  const names = header.record.map(columnToVariable);
  names.forEach((name, index) => {
    if (name === '') throw campaignsError('CAMPAIGNS_CSV_MALFORMED', `Header column ${index + 1} is empty`);
    checkName(name, `header column ${index + 1}`, 'CAMPAIGNS_CSV_MALFORMED');
    if (names.indexOf(name) !== index)
      throw campaignsError('CAMPAIGNS_CSV_MALFORMED', `Header "${name}" appears more than once`);
  });
  const phoneIndex = phoneColumnOf(names, options.phoneColumn);
  return rows.map(({ record, info }, index) => {
    // null prototype: a `__proto__` column is a variable like any other, never a prototype
    const variables: Record<string, string> = Object.create(null);
    record.forEach((value, column) => {
      if (column !== phoneIndex && value !== '') variables[names[column]!] = value;
    });
    return { phone: record[phoneIndex] ?? '', variables, row: index + 1, line: info.lines };
  });
}

function phoneColumnOf(names: readonly string[], wanted: string | undefined): number {
  if (wanted !== undefined) {
    const index = names.indexOf(columnToVariable(wanted));
    if (index < 0)
      throw campaignsError(
        'CAMPAIGNS_CSV_NO_PHONE_COLUMN',
        `The CSV has no column "${wanted}" (columns: ${names.join(', ')})`,
      );
    return index;
  }
  const index = names.findIndex((name) => phoneColumnNames.includes(name.toLowerCase()));
  if (index < 0)
    throw campaignsError(
      'CAMPAIGNS_CSV_NO_PHONE_COLUMN',
      `No phone column found (columns: ${names.join(', ')}); name it "phone" or set phoneColumn`,
    );
  return index;
}
