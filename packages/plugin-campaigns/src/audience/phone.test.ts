import { describe, expect, it } from 'vitest';
import { isCountryCode, normalisePhone } from './phone.js';

describe('normalisePhone', () => {
  it('normalises international forms to E.164', () => {
    expect(normalisePhone('+55 11 98765-4321')).toEqual({ ok: true, e164: '+5511987654321' });
    expect(normalisePhone('5511987654321')).toEqual({ ok: true, e164: '+5511987654321' });
    expect(normalisePhone('5511987654321@s.whatsapp.net')).toEqual({ ok: true, e164: '+5511987654321' });
    expect(normalisePhone('+1 (415) 555-2671')).toEqual({ ok: true, e164: '+14155552671' });
  });

  it('reads national numbers with the default country', () => {
    expect(normalisePhone('(11) 98765-4321', 'BR')).toEqual({ ok: true, e164: '+5511987654321' });
    expect(normalisePhone('030 123456', 'DE')).toEqual({ ok: true, e164: '+4930123456' });
    // an international number without + still works when a default country is set
    expect(normalisePhone('14155552671', 'BR')).toEqual({ ok: true, e164: '+14155552671' });
  });

  it('refuses what is not a valid number, saying why', () => {
    expect(normalisePhone('   ')).toEqual({ ok: false, problem: 'empty' });
    expect(normalisePhone('call me')).toEqual({ ok: false, problem: 'not_a_number' });
    expect(normalisePhone('+55 11 1234')).toEqual({ ok: false, problem: 'invalid' });
    // a national number without a default country cannot be placed
    expect(normalisePhone('(11) 98765-4321')).toEqual({ ok: false, problem: 'invalid' });
  });

  it('knows country codes', () => {
    expect(isCountryCode('BR')).toBe(true);
    expect(isCountryCode('XX')).toBe(false);
  });
});
