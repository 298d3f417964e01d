import { afterAll, describe, expect, it } from 'vitest';
import {
  type CampaignRig,
  campaignRig,
  plainPacing,
  reached,
  receivedTwice,
  settledStatuses,
} from './campaign-rig.js';
import { freePort, ServerProcess } from './chaos-harness.js';
import { waitFor } from './stack.js';

const recipients = 40;
const perMinute = 120; // one message every 500 ms
const gapMs = 60_000 / perMinute;
const digits = (i: number) => `1415556${String(1000 + i).padStart(4, '0')}`;

let rig: CampaignRig | undefined;
afterAll(() => rig?.close());

describe('campaigns across a crash: the server as a child process on Postgres', () => {
  it('SIGKILL mid-campaign, then a restart: no recipient sent twice, none left pending, the pace kept', {
    timeout: 600_000,
  }, async () => {
    rig = await campaignRig('zapgate_campaign_crash');
    const { database, dataDir, sim, arrivals } = rig;
    const server = new ServerProcess(await freePort(), {
      DATABASE_URL: database.url,
      ZAPGATE_DATA_DIR: dataDir,
      WA_WEBSOCKET_URL: sim.url,
      ZAPGATE_SIM_ADMIN_URL: sim.adminUrl,
      ZAPGATE_PLUGINS: 'campaigns',
    });
    rig.onClose(() => server.stop());
    await server.start();
    const { id: sessionId } = await server.pair(sim, 'crash', '15554449001');
    const contacts = Array.from({ length: recipients }, (_, i) => sim.contact(digits(i), { name: `R${i}` }));

    const created = await server.api('POST', '/v1/campaigns', {
      name: 'Crash',
      sessionIds: [sessionId],
      pacing: plainPacing(perMinute),
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
    expect(receivedTwice(arrivals)).toEqual([]);
    const rows = (await server.api('GET', `/v1/campaigns/${campaignId}/recipients?limit=100`)).body
      .items as Array<{
      phone: string;
      status: string;
    }>;
    expect(rows).toHaveLength(recipients);
    expect(rows.filter((row) => !settledStatuses.has(row.status))).toEqual([]);
    // only sends on their way at the kill can be lost (core marks an interrupted send failed:
    // WhatsApp may or may not have it); sends overlap when one takes longer than the 500 ms gap
    // on a busy machine, so that is a few at most. Every other recipient arrived (once, above).
    const failed = rows.filter((row) => row.status === 'failed').length;
    expect(failed).toBeLessThanOrEqual(4);
    expect(reached(arrivals)).toBeGreaterThanOrEqual(recipients - failed);

    // no burst to catch up after the restart: the rest went out at the configured pace
    const after = arrivals.slice(beforeCrash).map((a) => a.at);
    expect(after.length).toBeGreaterThanOrEqual(recipients / 2);
    const span = after.at(-1)! - after[0]!;
    expect(span).toBeGreaterThanOrEqual((after.length - 1) * gapMs * 0.9);
  });
});
