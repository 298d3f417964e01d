import { describe, expect, it } from 'vitest';
import { fieldsOf, initialValues, type JsonSchema, outgoingValue, parseInput, setAt } from './schema-form.js';
import { validateValue } from './schema-validate.js';

/** Shaped like a Chatwoot plugin's per-session settings (TypeBox output). */
const chatwootLike: JsonSchema = {
  type: 'object',
  required: ['url', 'accountId', 'token'],
  properties: {
    url: { type: 'string', format: 'uri', description: 'Base URL of the Chatwoot instance' },
    accountId: { type: 'integer', minimum: 1 },
    token: { type: 'string', writeOnly: true, minLength: 10 },
    inboxName: { anyOf: [{ type: 'string', maxLength: 60 }, { type: 'null' }], default: null },
    signMessages: { type: 'boolean', default: true },
    conversationMode: {
      anyOf: [{ const: 'reopen' }, { const: 'new' }],
      default: 'reopen',
      title: 'When a conversation is resolved',
    },
  },
};

/** Shaped like a campaigns plugin's settings: nested object and lists. */
const campaignsLike: JsonSchema = {
  type: 'object',
  properties: {
    rate: {
      type: 'object',
      properties: {
        perMinute: { type: 'integer', minimum: 1, maximum: 600, default: 20 },
        jitterMs: { type: 'number', default: 250 },
      },
    },
    quietHours: { type: 'array', items: { type: 'string', pattern: '^\\d\\d:\\d\\d$' }, maxItems: 4 },
    optOutWords: { type: 'array', items: { type: 'string' }, default: ['STOP'] },
    extra: { type: 'object', description: 'Free-form JSON' },
  },
};

describe('fieldsOf', () => {
  it('derives kinds, labels, requirement and enum options from the schema', () => {
    const fields = fieldsOf(chatwootLike);
    expect(fields.map((f) => [f.path.join('.'), f.kind, f.label, f.required])).toEqual([
      ['url', 'url', 'URL', true],
      ['accountId', 'number', 'Account ID', true],
      ['token', 'secret', 'Token', true],
      ['inboxName', 'text', 'Inbox name', false],
      ['signMessages', 'boolean', 'Sign messages', false],
      ['conversationMode', 'select', 'When a conversation is resolved', false],
    ]);
    expect(fields[1]?.integer).toBe(true);
    expect(fields[3]?.nullable).toBe(true);
    expect(fields[5]?.options).toEqual(['reopen', 'new']);
  });

  it('nests object properties and recognises lists and free-form JSON', () => {
    const fields = fieldsOf(campaignsLike);
    expect(fields.map((f) => f.kind)).toEqual(['object', 'list', 'list', 'json']);
    expect(fields[0]?.fields?.map((f) => f.path.join('.'))).toEqual(['rate.perMinute', 'rate.jitterMs']);
  });
});

describe('values', () => {
  it('starts from stored values over defaults, nested included', () => {
    expect(initialValues(chatwootLike, { url: 'https://cw.example', accountId: 3 })).toEqual({
      url: 'https://cw.example',
      accountId: 3,
      inboxName: null,
      signMessages: true,
      conversationMode: 'reopen',
    });
    expect(initialValues(campaignsLike, { rate: { perMinute: 5 } })).toEqual({
      rate: { perMinute: 5, jitterMs: 250 },
      optOutWords: ['STOP'],
    });
  });

  it('parses what inputs hold into the schema types', () => {
    const [url, accountId, , inboxName, , mode] = fieldsOf(chatwootLike);
    expect(parseInput(accountId!, '42')).toBe(42);
    expect(parseInput(inboxName!, '')).toBeNull();
    expect(parseInput(url!, '')).toBeUndefined();
    expect(parseInput(mode!, 'new')).toBe('new');
    const [, quiet, , extra] = fieldsOf(campaignsLike);
    expect(parseInput(quiet!, '22:00\n07:00, 12:00')).toEqual(['22:00', '07:00', '12:00']);
    expect(parseInput(quiet!, ' ')).toEqual([]); // emptied: no items, not "unset"
    expect(parseInput(extra!, '{"a":1}')).toEqual({ a: 1 });
    expect(() => parseInput(extra!, '{nope')).toThrow();
  });

  it('leaves out secrets the user did not type, so the stored one is kept', () => {
    const value = { url: 'https://cw.example', accountId: 1, token: '[redacted]' };
    expect(outgoingValue(chatwootLike, value, new Set())).toEqual({
      url: 'https://cw.example',
      accountId: 1,
    });
    expect(outgoingValue(chatwootLike, value, new Set(['token']))).toEqual(value);
  });

  it('sets nested paths without touching the original', () => {
    const before = { rate: { perMinute: 1 } };
    expect(setAt(before, ['rate', 'jitterMs'], 9)).toEqual({ rate: { perMinute: 1, jitterMs: 9 } });
    expect(before).toEqual({ rate: { perMinute: 1 } });
    expect(setAt({ a: 1, b: 2 }, ['a'], undefined)).toEqual({ b: 2 });
  });
});

describe('validateValue', () => {
  it('reports each problem in plain words by field path', () => {
    expect(
      validateValue(chatwootLike, {
        url: 'not a url',
        accountId: 0,
        inboxName: 'x'.repeat(61),
        conversationMode: 'later',
      }),
    ).toEqual({
      url: 'must be a full URL (https://…)',
      accountId: 'must be at least 1',
      inboxName: 'must have at most 60 characters',
      conversationMode: 'must be one of reopen, new',
    });
    expect(validateValue(chatwootLike, {})).toEqual({ url: 'is required', accountId: 'is required' });
    // knowing which secrets the server has: a required one neither stored nor typed is missing
    expect(validateValue(chatwootLike, {}, [])).toEqual({
      url: 'is required',
      accountId: 'is required',
      token: 'is required',
    });
    expect(validateValue(chatwootLike, {}, ['token'])).toEqual({
      url: 'is required',
      accountId: 'is required',
    });
    expect(validateValue(chatwootLike, { url: 'https://cw.example', accountId: 2.5 })).toEqual({
      accountId: 'must be a whole number',
    });
  });

  it('checks nested fields and list sizes, and accepts a valid value', () => {
    expect(
      validateValue(campaignsLike, { rate: { perMinute: 601 }, quietHours: ['1', '2', '3', '4', '5'] }),
    ).toEqual({
      'rate.perMinute': 'must be at most 600',
      quietHours: 'takes at most 4 item(s)',
    });
    expect(
      validateValue(campaignsLike, { rate: { perMinute: 20, jitterMs: 0 }, quietHours: ['22:00'] }),
    ).toEqual({});
    expect(
      validateValue(chatwootLike, {
        url: 'https://cw.example',
        accountId: 1,
        signMessages: false,
        conversationMode: 'new',
      }),
    ).toEqual({});
  });
});
