import { campaigns } from '@zapgate/plugin-campaigns';
import { postgresStore } from '@zapgate/store-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer } from './fixtures.js';

// The campaigns plugin's routes as the server mounts them: schema validation, then the
// plugin's own checks; bad input is a 4xx with a stable code and stores nothing.
describe('campaign routes through the server', () => {
  let t: TestServer;
  let s: { id: string; apiKey: string };
  beforeAll(async () => {
    // migrate before the server's ready hook (its 10 s budget is short for PGlite on a busy machine)
    const store = postgresStore({ dataDir: 'memory://' });
    await store.init();
    t = await testServer({ plugins: [campaigns()], store });
    s = await t.createSession('campaigns');
  }, 180_000);
  afterAll(() => t?.close());

  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: admin,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const base = () => ({
    name: 'Promo',
    sessionIds: [s.id],
    audience: { csv: 'name,phone\nAna,+5511987654321\nBruno,+5511912345678\n' },
    content: { variants: [{ text: '{Hi|Hello} {{name|there}}' }] },
  });
  const expectError = (res: { statusCode: number; json(): unknown }, status: number, code: string) => {
    expect({ status: res.statusCode, body: res.json() }).toMatchObject({
      status,
      body: { statusCode: status, code, error: expect.any(String), message: expect.any(String) },
    });
  };

  it('creates a draft and runs its lifecycle over HTTP', async () => {
    const created = await inject('POST', '/v1/campaigns', base());
    expect(created.statusCode).toBe(201);
    const { campaign, audience } = created.json();
    expect(audience).toEqual({ added: 2, duplicates: 0, invalid: [] });
    expect(campaign).toMatchObject({ status: 'draft', total: 2, variables: ['name'] });
    const recipients = await inject('GET', `/v1/campaigns/${campaign.id}/recipients?status=pending`);
    expect(recipients.json().items.map((r: { phone: string }) => r.phone)).toEqual([
      '+5511987654321',
      '+5511912345678',
    ]);
    const csv = await inject('GET', `/v1/campaigns/${campaign.id}/recipients.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[1]).toMatch(/^0,\+5511987654321,A,pending,/);
    expect((await inject('POST', `/v1/campaigns/${campaign.id}/cancel`)).json().status).toBe('cancelled');
    expectError(await inject('POST', `/v1/campaigns/${campaign.id}/start`), 409, 'CAMPAIGNS_INVALID_STATE');
    expect((await inject('DELETE', `/v1/campaigns/${campaign.id}`)).statusCode).toBe(204);
    expectError(await inject('GET', `/v1/campaigns/${campaign.id}`), 404, 'CAMPAIGNS_NOT_FOUND');
  });

  it('answers bad input with a 4xx and a stable code, storing nothing', async () => {
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [
        'unknown variable',
        { content: { variants: [{ text: 'Hi {{nmae}}' }] } },
        400,
        'CAMPAIGNS_UNKNOWN_VARIABLE',
      ],
      ['empty CSV audience', { audience: { csv: 'name,phone\n' } }, 400, 'CAMPAIGNS_AUDIENCE_EMPTY'],
      ['empty JSON audience', { audience: { recipients: [] } }, 400, 'CAMPAIGNS_AUDIENCE_EMPTY'],
      [
        'malformed CSV',
        { audience: { csv: 'name,phone\n"Ana,+5511987654321\n' } },
        400,
        'CAMPAIGNS_CSV_MALFORMED',
      ],
      [
        'CSV without a phone column',
        { audience: { csv: 'name,city\nAna,Rio\n' } },
        400,
        'CAMPAIGNS_CSV_NO_PHONE_COLUMN',
      ],
      [
        'window ending before it starts',
        { schedule: { windows: [{ days: ['mon'], start: '18:00', end: '09:00' }] } },
        400,
        'CAMPAIGNS_SCHEDULE_INVALID',
      ],
      ['unknown time zone', { schedule: { timeZone: 'Mars/Olympus' } }, 400, 'CAMPAIGNS_SCHEDULE_INVALID'],
      ['rate of 0', { pacing: { messagesPerMinute: 0 } }, 400, 'VALIDATION_FAILED'],
      [
        'pause range upside down',
        { pacing: { pauseMs: { minMs: 9000, maxMs: 1000 } } },
        400,
        'CAMPAIGNS_PACING_INVALID',
      ],
      [
        'invalid numbers',
        { audience: { recipients: [{ phone: '+55 11 1' }] } },
        400,
        'CAMPAIGNS_INVALID_NUMBERS',
      ],
      ['unknown session', { sessionIds: ['5b0a3f7e-7c1e-4b5e-9a53-0f0d1f0b8e11'] }, 404, 'SESSION_NOT_FOUND'],
      ['unknown field', { colour: 'blue' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [what, change, status, code] of cases) {
      const res = await inject('POST', '/v1/campaigns', { ...base(), ...change });
      expect(`${what}: ${res.statusCode} ${res.json().code}`).toBe(`${what}: ${status} ${code}`);
      expectError(res, status, code);
    }
    expect((await inject('GET', '/v1/campaigns?status=draft')).json().items).toHaveLength(0);
    expectError(await inject('GET', '/v1/campaigns/not-a-uuid'), 400, 'VALIDATION_FAILED');
    expectError(
      await inject('POST', `/v1/sessions/${s.id}/suppressions`, { phone: 'call me' }),
      400,
      'CAMPAIGNS_INVALID_NUMBERS',
    );
  });
});
