import { describe, expect, it } from 'vitest';
import { audienceOf } from '../pages/campaign-create.js';
import { campaignActions, campaignProgress } from './campaigns.js';
import { problemsByField } from './plugins.js';
import type { JsonSchema } from './schema-form.js';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    token: { type: 'string', writeOnly: true },
    ignoreJids: { type: 'array', items: { type: 'string', maxLength: 128 } },
    inbox: { type: 'object', properties: { id: { type: 'integer' } } },
  },
};

describe('problemsByField', () => {
  it("puts each of a 400's problems on its field: nested, inside a list, several joined", () => {
    expect(
      problemsByField(schema, [
        { path: '/token', message: 'Expected required property' },
        { path: '/url', message: "Expected string to match 'uri' format" },
        { path: '/url', message: "Expected string to match '^https?://'" },
        { path: '/ignoreJids/2', message: 'Expected string length less or equal to 128' },
        { path: '/inbox/id', message: 'Expected integer' },
      ]),
    ).toEqual({
      token: 'expected required property',
      url: "expected string to match 'uri' format; expected string to match '^https?://'",
      ignoreJids: 'expected string length less or equal to 128',
      'inbox.id': 'expected integer',
    });
  });

  it('keeps problems no field owns under "" and ignores details that are not problems', () => {
    expect(problemsByField(schema, [{ path: '/colour', message: 'Unknown setting' }])).toEqual({
      '': '/colour: Unknown setting',
    });
    expect(problemsByField(schema, 'oops')).toEqual({});
    expect(problemsByField(schema, [42, { path: 1 }])).toEqual({});
  });
});

describe('campaignProgress', () => {
  it('counts done (any outcome), reached and failed recipients', () => {
    expect(
      campaignProgress(10, {
        pending: 3,
        sending: 1,
        sent: 1,
        delivered: 1,
        read: 1,
        replied: 1,
        failed: 1,
        skipped: 1,
      }),
    ).toEqual({ done: 6, reached: 4, failed: 1, percent: 60 });
    expect(campaignProgress(0, {})).toEqual({ done: 0, reached: 0, failed: 0, percent: 100 });
  });

  it('offers the actions the plugin allows from each status', () => {
    expect(campaignActions('draft')).toEqual(['start', 'cancel']);
    expect(campaignActions('running')).toEqual(['pause', 'cancel']);
    expect(campaignActions('paused')).toEqual(['resume', 'cancel']);
    expect(campaignActions('completed')).toEqual([]);
  });
});

describe('audienceOf', () => {
  it('reads one number a line, or CSV when the first line has a comma', () => {
    expect(audienceOf(' +14155550100\n\n+14155550101 \n')).toEqual({
      recipients: [{ phone: '+14155550100' }, { phone: '+14155550101' }],
    });
    expect(audienceOf('name,phone\nAna,+14155550100\n')).toEqual({ csv: 'name,phone\nAna,+14155550100\n' });
  });
});
