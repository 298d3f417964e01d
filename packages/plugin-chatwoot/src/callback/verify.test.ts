import { chatwootSignatureHeaders } from '@zapgate/chatwoot-sim';
import { describe, expect, it } from 'vitest';
import { secretsEqual, verifyCallback } from './verify.js';

const secret = 'inbox-signing-secret';
const body = '{"event":"message_created","id":7,"content":"olá"}';
const now = Date.parse('2026-12-01T12:00:00Z');
const at = now / 1000;
// The fake Chatwoot's signer is written independently of the verifier under test.
const signed = (overrides: { body?: string; timestamp?: number; secret?: string } = {}) =>
  chatwootSignatureHeaders(
    overrides.body ?? body,
    overrides.secret ?? secret,
    'delivery-1',
    overrides.timestamp ?? at,
  );
const check = (headers: Record<string, string>, options: { rawBody?: string; secret?: string | null } = {}) =>
  verifyCallback({
    secret: options.secret === undefined ? secret : options.secret,
    expectedToken: 'url-token-abcdefghijklmnopqrstuvwxyz',
    givenToken: undefined,
    rawBody: Buffer.from(options.rawBody ?? body),
    headers,
    now,
  });

describe('verifyCallback with the inbox secret', () => {
  it("accepts Chatwoot's signature over the raw bytes and returns the delivery id", () => {
    expect(check(signed())).toEqual({ ok: true, via: 'signature', deliveryId: 'delivery-1' });
  });

  it('accepts a timestamp within five minutes either way', () => {
    expect(check(signed({ timestamp: at - 299 })).ok).toBe(true);
    expect(check(signed({ timestamp: at + 299 })).ok).toBe(true);
  });

  it.each([
    ['no signature', {}, 'X-Chatwoot-Signature is missing'],
    ['another secret', signed({ secret: 'wrong' }), 'X-Chatwoot-Signature does not match the body'],
    [
      'a changed body',
      signed({ body: '{"event":"message_created","id":8}' }),
      'X-Chatwoot-Signature does not match the body',
    ],
    [
      'an old timestamp (replay)',
      signed({ timestamp: at - 301 }),
      'X-Chatwoot-Timestamp is 301 s away from now',
    ],
    [
      'a signature without its prefix',
      { ...signed(), 'x-chatwoot-signature': 'abc' },
      'X-Chatwoot-Signature is not sha256=<64 hex digits>',
    ],
    [
      'a timestamp that is not a number',
      { ...signed(), 'x-chatwoot-timestamp': 'soon' },
      'X-Chatwoot-Timestamp is missing or not unix seconds',
    ],
  ])('refuses %s', (_name, headers, reason) => {
    expect(check(headers as Record<string, string>)).toEqual({ ok: false, reason });
  });

  it('refuses a valid signature moved to another timestamp', () => {
    const headers = { ...signed(), 'x-chatwoot-timestamp': String(at + 1) };
    expect(check(headers).ok).toBe(false);
  });

  it('does not fall back to the URL token when the inbox has a secret', () => {
    const verdict = verifyCallback({
      secret,
      expectedToken: 'tok',
      givenToken: 'tok',
      rawBody: Buffer.from(body),
      headers: {},
      now,
    });
    expect(verdict.ok).toBe(false);
  });
});

describe('verifyCallback without a secret (older Chatwoot)', () => {
  const base = {
    secret: null,
    expectedToken: 'url-token-abcdefghijklmnopqrstuvwxyz',
    rawBody: Buffer.from(body),
    headers: {},
    now,
  };
  it('accepts the URL token', () => {
    expect(verifyCallback({ ...base, givenToken: 'url-token-abcdefghijklmnopqrstuvwxyz' })).toEqual({
      ok: true,
      via: 'token',
      deliveryId: null,
    });
  });
  it('refuses a missing or wrong token', () => {
    expect(verifyCallback({ ...base, givenToken: undefined }).ok).toBe(false);
    expect(verifyCallback({ ...base, givenToken: 'url-token-abcdefghijklmnopqrstuvwxyZ' }).ok).toBe(false);
  });
});

describe('secretsEqual', () => {
  it('compares values of any length', () => {
    expect([secretsEqual('a', 'a'), secretsEqual('a', 'ab'), secretsEqual('', 'x')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
