import type { CountryCode } from 'libphonenumber-js/max';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Why a number was refused. */
export type PhoneProblem = 'empty' | 'not_a_number' | 'invalid';

/** A number normalised to E.164 (`+5511987654321`), or why it could not be. */
export type NormalisedPhone = { ok: true; e164: string } | { ok: false; problem: PhoneProblem };

/** True when `code` is an ISO 3166-1 alpha-2 country libphonenumber knows (`BR`, `US`…). */
export function isCountryCode(code: string): code is CountryCode {
  return isSupportedCountry(code);
}

/**
 * Normalises what people type as a phone number (`+55 11 98765-4321`, `(11) 98765-4321`
 * with default country `BR`, `5511987654321`, `5511987654321@s.whatsapp.net`) to E.164,
 * validated against the numbering plan of its country (libphonenumber's full metadata).
 *
 * Digits without `+` are tried as national numbers of `defaultCountry` first, then as an
 * international number (people often drop the `+`).
 */
export function normalisePhone(input: string, defaultCountry?: CountryCode): NormalisedPhone {
  const raw = input.trim().replace(/@s\.whatsapp\.net$|@c\.us$/, '');
  if (raw.length === 0) return { ok: false, problem: 'empty' };
  if (!/^[+\d\s().\-/]+$/.test(raw) || !/\d/.test(raw)) return { ok: false, problem: 'not_a_number' };
  const digits = raw.replace(/\D/g, '');
  const candidates = raw.startsWith('+')
    ? [parsePhoneNumberFromString(`+${digits}`)]
    : [
        defaultCountry ? parsePhoneNumberFromString(raw, defaultCountry) : undefined,
        parsePhoneNumberFromString(`+${digits}`),
      ];
  const valid = candidates.find((phone) => phone?.isValid());
  return valid ? { ok: true, e164: valid.number } : { ok: false, problem: 'invalid' };
}
