import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../lib/schema-form.js';
import { SchemaForm } from './schema-form.js';

const schema: JsonSchema = {
  type: 'object',
  description: 'Settings of the example plugin',
  required: ['endpoint', 'apiToken'],
  properties: {
    endpoint: { type: 'string', format: 'uri', description: 'Where to send' },
    apiToken: { type: 'string', writeOnly: true },
    retries: { type: 'integer', minimum: 0, maximum: 10, default: 3 },
    enabled: { type: 'boolean', default: true },
    mode: { enum: ['fast', 'safe'], type: 'string' },
    limits: { type: 'object', properties: { daily: { type: 'integer' } } },
  },
};

describe('<SchemaForm>', () => {
  const html = render(
    <SchemaForm
      schema={schema}
      stored={{ endpoint: 'https://x.example', apiToken: '[redacted]' }}
      idPrefix="p"
      onSubmit={() => {}}
    />,
  );

  it('labels every input, marks required ones and links help text', () => {
    expect(html).toContain('<label for="p-endpoint">Endpoint<span aria-hidden="true"> *</span></label>');
    expect(html).toMatch(
      /<input id="p-endpoint" name="endpoint" aria-describedby="p-endpoint-help" type="url" required[^>]*value="https:\/\/x.example"/,
    );
    expect(html).toContain('<small id="p-endpoint-help">Where to send</small>');
    expect(html).toMatch(/<input id="p-retries"[^>]*type="number"[^>]*step="1" min="0" max="10" value="3"/);
    expect(html).toMatch(
      /<label class="check" for="p-enabled"><input id="p-enabled"[^>]*type="checkbox" checked/,
    );
    expect(html).toContain('<option value="fast">fast</option>');
    expect(html).toContain('<legend>Limits</legend>');
    expect(html).toMatch(/<input id="p-limits-daily" name="limits.daily"/);
  });

  it('never shows a stored secret', () => {
    expect(html).toMatch(
      /<input id="p-apiToken"[^>]*type="password"[^>]*placeholder="unchanged" value(="")?\/?>/,
    );
    expect(html).not.toContain('[redacted]');
  });

  it('says whether a secret is stored when the server tells', () => {
    const told = (secretsSet: string[]) =>
      render(<SchemaForm schema={schema} secretsSet={secretsSet} idPrefix="p" onSubmit={() => {}} />);
    expect(told(['apiToken'])).toMatch(
      /<input id="p-apiToken"[^>]*placeholder="stored \(leave empty to keep it\)"/,
    );
    expect(told([])).toMatch(/<input id="p-apiToken"[^>]*placeholder="not set"/);
  });
});
