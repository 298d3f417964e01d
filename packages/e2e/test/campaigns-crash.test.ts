import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { type DeviceMessage, startSimulator } from '@zapgate/wa-sim';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ServerProcess } from './chaos-harness.js';
import { waitFor } from './stack.js';

const recipients = 40;
const perMinute = 120; // one message every 500 ms
const gapMs = 60_000 / perMinute;
const digits = (i: number) => `1415556${String(1000 + i).padStart(4, '0')}`;
/** No pauses, caps, warm-up, typing or jitter: the pace is exactly `perMinute`. */
const pacing = {
  messagesPerMinute: perMinute,
  gapJitter: 0,
  pauseEvery: 0,
  dailyCap: 100_000,
  warmup: { enabled: false },
  typing: { enabled: false },
};
/** Where a recipient may end after a crash: reached, or failed because its send was interrupted. */
const settled = new Set(['sent', 'delivered', 'read', 'failed']);

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe('campaigns across a crash: the server as a child process on Postgres', () => {
  it('SIGKILL mid-campaign, then a restart: no recipient sent twice, none left pending, the pace kept', {
    timeout: 600_000,
  }, async () => {
    const database = await createTestDatabase({ prefix: 'zapgate_campaign_crash' });
    cleanups.push(() => database.drop());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-campaign-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const sim = await startSimulator();
    cleanups.push(() => sim.close());
    const server = new ServerProcess(await freePort(), {
      DATABASE_URL: database.url,
      ZAPGATE_DATA_DIR: dataDir,
      WA_WEBSOCKET_URL: sim.url,
      ZAPGATE_SIM_ADMIN_URL: sim.adminUrl,
      ZAPGATE_PLUGINS: 'campaigns',
    });
    cleanups.push(() => server.stop());
    await server.start();
    const { id: sessionId } = await server.pair(sim, 'crash', '15554449001');
    const contacts = Array.from({ length: recipients }, (_, i) => sim.contact(digits(i), { name: `R${i}` }));
    const arrivals: Array<{ to: string; at: number }> = [];
    sim.on('message', (message: DeviceMessage) => {
      if (!message.ownCopy) arrivals.push({ to: message.recipient, at: Date.now() });
    });

    const created = await server.api('POST', '/v1/campaigns', {
      name: 'Crash',
      sessionIds: [sessionId],
      pacing,
      audience: { recipients: contacts.map((c) => ({ phone: `+${c.phoneNumber}` })) },
      content: { variants: [{ text: 'Hello from a campaign that survives crashes' }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const campaignId = created.body.campaign.id as string;
    expect((await server.api('POST', `/v1/campaigns/${campaignId}/start`)).body.status).toBe('running');

    await waitFor(() => arrivals.length >= recipients / 4, 120_000, 'a quarter of the campaign sent');
    await server.kill();
    const beforeCrash = arrivals.length;
    await server.start();

    const campaign = () => server.api('GET', `/v1/campaigns/${campaignId}`).then((res) => res.body);
    await waitFor(async () => (await campaign()).status === 'completed', 300_000, 'campaign completed');

    // at most once: no contact got the message twice, and every recipient ended somewhere
    const perContact = new Map<string, number>();
    for (const { to } of arrivals) perContact.set(to, (perContact.get(to) ?? 0) + 1);
    expect([...perContact.values()].filter((n) => n > 1)).toEqual([]);
    const rows = (await server.api('GET', `/v1/campaigns/${campaignId}/recipients?limit=100`)).body
      .items as Array<{
      phone: string;
      status: string;
    }>;
    expect(rows).toHaveLength(recipients);
    expect(rows.filter((row) => !settled.has(row.status))).toEqual([]);
    // at most the one send in flight at the kill is lost (marked failed), never more
    expect(perContact.size).toBeGreaterThanOrEqual(recipients - 1);
    expect(rows.filter((row) => row.status === 'failed').length).toBeLessThanOrEqual(1);

    // no burst to catch up after the restart: the rest went out at the configured pace
    const after = arrivals.slice(beforeCrash).map((a) => a.at);
    expect(after.length).toBeGreaterThanOrEqual(recipients / 2);
    const span = after.at(-1)! - after[0]!;
    expect(span).toBeGreaterThanOrEqual((after.length - 1) * gapMs * 0.9);
  });
});
