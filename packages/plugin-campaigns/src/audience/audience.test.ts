import { GatewayError } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { buildAudience } from './audience.js';
import { fromCsv, fromJson } from './sources.js';

const errorOf = (fn: () => unknown): GatewayError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
};

describe('CSV audiences', () => {
  it('reads a header row, variables and quoted cells; normalises and de-duplicates', () => {
    const csv = [
      'Name,Phone,First Name,city',
      'Ana,+55 11 98765-4321,Ana,"São Paulo, SP"',
      'Bruno,(11) 91234-5678,,Rio',
      '',
      'Ana again,5511987654321,Ana,Santos',
    ].join('\n');
    const audience = buildAudience(fromCsv(csv), { defaultCountry: 'BR' });
    expect(audience.recipients).toEqual([
      { phone: '+5511987654321', variables: { Name: 'Ana', First_Name: 'Ana', city: 'São Paulo, SP' } },
      { phone: '+5511912345678', variables: { Name: 'Bruno', city: 'Rio' } },
    ]);
    expect(audience.variables).toEqual(['First_Name', 'Name', 'city']);
    expect(audience.duplicates).toEqual([{ row: 3, line: 5, phone: '+5511987654321', firstRow: 1 }]);
  });

  it('takes ; and tab delimited files (spreadsheet exports) and a BOM', () => {
    const semicolon = '\uFEFFtelefone;nome\n+14155552671;Ann\n';
    expect(buildAudience(fromCsv(semicolon)).recipients).toEqual([
      { phone: '+14155552671', variables: { nome: 'Ann' } },
    ]);
    const tab = 'name\tmobile\nAnn\t+14155552671\n';
    expect(buildAudience(fromCsv(tab)).recipients[0]?.phone).toBe('+14155552671');
  });

  it('uses an explicit phone column', () => {
    const rows = fromCsv('contact,other\n+14155552671,x\n', { phoneColumn: 'contact' });
    expect(rows).toEqual([{ phone: '+14155552671', variables: { other: 'x' }, row: 1, line: 2 }]);
  });

  it('refuses malformed CSV with the line', () => {
    const unclosed = errorOf(() => fromCsv('phone,name\n+14155552671,"Ann\n'));
    expect(unclosed.code).toBe('CAMPAIGNS_CSV_MALFORMED');
    expect(unclosed.statusCode).toBe(400);
    const ragged = errorOf(() => fromCsv('phone,name\n+14155552671,Ann\n+14155552672,Bob,extra\n'));
    expect(ragged.code).toBe('CAMPAIGNS_CSV_MALFORMED');
    expect(ragged.message).toContain('line 3');
    expect(errorOf(() => fromCsv('phone,phone\n1,2\n')).message).toContain('more than once');
    expect(errorOf(() => fromCsv('phone,,x\n1,2,3\n')).code).toBe('CAMPAIGNS_CSV_MALFORMED');
  });

  it('refuses a file without a phone column, listing the columns', () => {
    const error = errorOf(() => fromCsv('name,city\nAnn,Rio\n'));
    expect(error.code).toBe('CAMPAIGNS_CSV_NO_PHONE_COLUMN');
    expect(error.message).toContain('name, city');
    expect(errorOf(() => fromCsv('a,b\n1,2\n', { phoneColumn: 'tel' })).code).toBe(
      'CAMPAIGNS_CSV_NO_PHONE_COLUMN',
    );
  });

  it('refuses an empty file and a header-only file as an empty audience', () => {
    expect(errorOf(() => fromCsv('')).code).toBe('CAMPAIGNS_AUDIENCE_EMPTY');
    expect(errorOf(() => buildAudience(fromCsv('phone,name\n'))).code).toBe('CAMPAIGNS_AUDIENCE_EMPTY');
  });
});

describe('JSON audiences', () => {
  it('stringifies variable values and drops nulls', () => {
    const rows = fromJson([
      { phone: '+14155552671', variables: { name: 'Ann', visits: 3, vip: true, x: null } },
    ]);
    expect(rows).toEqual([
      { phone: '+14155552671', variables: { name: 'Ann', visits: '3', vip: 'true' }, row: 1 },
    ]);
  });

  it('refuses variable names templates could not use', () => {
    const error = errorOf(() => fromJson([{ phone: '+14155552671', variables: { 'first name': 'Ann' } }]));
    expect(error.code).toBe('CAMPAIGNS_VARIABLE_NAME_INVALID');
  });

  it('reports every invalid row, or skips them when asked', () => {
    const rows = fromJson([
      { phone: '+14155552671' },
      { phone: 'nope' },
      { phone: '+1 415' },
      { phone: '+14155552672' },
    ]);
    const error = errorOf(() => buildAudience(rows));
    expect(error.code).toBe('CAMPAIGNS_INVALID_NUMBERS');
    expect(error.details).toEqual({
      invalid: [
        { row: 2, input: 'nope', problem: 'not_a_number' },
        { row: 3, input: '+1 415', problem: 'invalid' },
      ],
      invalidCount: 2,
    });
    const skipped = buildAudience(rows, { invalidNumbers: 'skip' });
    expect(skipped.recipients.map((r) => r.phone)).toEqual(['+14155552671', '+14155552672']);
    expect(skipped.invalid).toHaveLength(2);
  });

  it('refuses an empty audience and one over the maximum', () => {
    expect(errorOf(() => buildAudience([])).code).toBe('CAMPAIGNS_AUDIENCE_EMPTY');
    const onlyBad = errorOf(() => buildAudience(fromJson([{ phone: 'x' }]), { invalidNumbers: 'skip' }));
    expect(onlyBad.code).toBe('CAMPAIGNS_AUDIENCE_EMPTY');
    const big = fromJson([{ phone: '+14155552671' }, { phone: '+14155552672' }]);
    const tooLarge = errorOf(() => buildAudience(big, { maxRecipients: 1 }));
    expect([tooLarge.code, tooLarge.statusCode]).toEqual(['CAMPAIGNS_AUDIENCE_TOO_LARGE', 413]);
  });
});
