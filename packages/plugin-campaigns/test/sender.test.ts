import { setTimeout as sleep } from 'node:timers/promises';
import { definePlugin } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pacingRepo } from '../src/repo/pacing.js';
import { sendLeadMs } from '../src/sender/sender.js';
import { backends, connectedSession, createSession, type Harness, startHarness, waitFor } from './helpers.js';

// The sender on core's durable jobs, against the fake connector (the wa-sim end-to-end tests
// in packages/e2e cover real Baileys): what is sent, to whom, how often, in which order.
const fast = {
  messagesPerMinute: 1200,
  gapJitter: 0.2,
  pauseEvery: 0,
  warmup: { enabled: false },
  typing: { enabled: true, msPerChar: 1, minMs: 5, maxMs: 20 },
};
const phones = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `+1415555${String(2000 + from + i).padStart(4, '0')}`);

/** Slows every send down by `latency.ms` (a `beforeSend` hook), recording when each started. */
const latency = { ms: 0, started: [] as number[], running: 0, maxRunning: 0 };
const slowSends = definePlugin({
  id: 'slow-sends',
  version: '1.0.0',
  hooks: {
    beforeSend: async () => {
      if (latency.ms === 0) return;
      latency.started.push(Date.now());
      latency.maxRunning = Math.max(latency.maxRunning, ++latency.running);
      await sleep(latency.ms);
      latency.running--;
    },
  },
});

describe.each(backends)('the sender on %s', (backend) => {
  let h: Harness;
  let alpha: string;
  let beta: string;

  beforeAll(async () => {
    h = await startHarness(backend, { checkBatchSize: 3 }, [slowSends]);
    alpha = await connectedSession(h, 'alpha', '15550001001');
    beta = await connectedSession(h, 'beta', '15550001002');
  });
  afterAll(async () => h?.stop());

  const create = async (body: Record<string, unknown>) => {
    const created = await h.call('createCampaign', {
      body: {
        name: 'Run',
        sessionIds: [alpha],
        content: { variants: [{ text: 'Hi {{phone}}' }] },
        pacing: fast,
        ...body,
      },
    });
    expect(created.status).toBe(201);
    return created.body.campaign.id as string;
  };
  const get = async (id: string) => (await h.call('getCampaign', { params: { campaignId: id } })).body;
  const recipients = async (id: string) =>
    (await h.call('listCampaignRecipients', { params: { campaignId: id }, query: { limit: 500 } })).body
      .items as Array<{
      phone: string;
      status: string;
      sessionId: string | null;
      reason: string | null;
      messageId: string | null;
    }>;
  /** Waits for the campaign to complete; a timeout says where it stands instead. */
  const completed = (id: string) =>
    waitFor(async () => (await get(id)).status === 'completed', 90_000, 'completed').catch(
      async (error: Error) => {
        const byStatus: Record<string, number> = {};
        for (const r of await recipients(id)) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
        const campaign = await get(id);
        throw new Error(
          `${error.message}: the campaign is ${campaign.status}, its recipients ${JSON.stringify(byStatus)}, ` +
            `${h.fake.session(alpha).sends.length} sends on alpha`,
        );
      },
    );
  const sentTo = (sessionId: string) =>
    h.fake.session(sessionId).sends.map((send) => `+${send.to.replace(/@.*$/, '')}`);

  it('sends each recipient its rendered message once, typing first, then the follow-up, and completes', async () => {
    const audience = phones(8);
    const before = sentTo(alpha).length;
    const id = await create({
      audience: { recipients: audience.map((phone, i) => ({ phone, variables: { n: String(i) } })) },
      content: {
        variants: [{ text: '{Hi|Hello} #{{n}}' }, { text: 'Hey #{{n}}' }],
        followUp: { delayMs: 1000, text: 'Still there, #{{n}}?' },
      },
      pacing: { ...fast, markRead: true },
    });
    expect((await h.call('startCampaign', { params: { campaignId: id } })).body.status).toBe('running');
    await completed(id);
    const sends = h.fake.session(alpha).sends.slice(before);
    const texts = sends.map((s) => `+${s.to.replace(/@.*$/, '')} ${(s.content as { text: string }).text}`);
    // the first messages in audience order, each once, variants in turn; every follow-up once,
    // after its first message (a due follow-up goes before the next new recipient)
    // (sends decided together may overtake one another: compared by recipient, not by order)
    const firsts = texts.filter((t) => !t.includes('Still there'));
    const followUps = texts.filter((t) => t.includes('Still there'));
    expect(firsts.map((t) => t.split(' ')[0]).sort()).toEqual(audience);
    for (const [i, phone] of audience.entries())
      expect(firsts.find((t) => t.startsWith(phone))).toMatch(
        i % 2 === 0 ? new RegExp(`^\\${phone} (Hi|Hello) #${i}$`) : new RegExp(`^\\${phone} Hey #${i}$`),
      );
    expect([...followUps].sort()).toEqual(audience.map((p, i) => `${p} Still there, #${i}?`).sort());
    for (const [i, phone] of audience.entries())
      expect(texts.indexOf(`${phone} Still there, #${i}?`)).toBeGreaterThan(
        texts.findIndex((t) => t.startsWith(phone)),
      );
    const rows = await recipients(id);
    expect(rows.every((r) => r.status === 'sent' && r.sessionId === alpha && r.messageId)).toBe(true);
    // typing before every message, and the chat marked read first
    const calls = h.fake
      .session(alpha)
      .calls.filter((c) => ['sendPresence', 'send', 'markRead'].includes(c.method));
    const firstSend = calls.findIndex((c) => c.method === 'send');
    expect(calls.slice(0, firstSend).map((c) => c.method)).toContain('sendPresence');
    expect(
      calls.filter((c) => c.method === 'sendPresence' && c.args[1] === 'composing').length,
    ).toBeGreaterThanOrEqual(16);
  });

  it('holds the configured rate when a send takes longer than the gap (sends overlap)', async () => {
    const audience = phones(20, 600);
    const before = sentTo(alpha).length;
    Object.assign(latency, { ms: 600, started: [], running: 0, maxRunning: 0 });
    try {
      // 240/min is a message every 250 ms; each send takes 600 ms: one at a time would give < 100/min
      const id = await create({
        audience: { recipients: audience.map((phone) => ({ phone })) },
        pacing: { ...fast, messagesPerMinute: 240, gapJitter: 0, typing: { enabled: false } },
      });
      await h.call('startCampaign', { params: { campaignId: id } });
      await completed(id);
      expect(sentTo(alpha).slice(before).sort()).toEqual([...audience].sort());
      const starts = [...latency.started].sort((a, b) => a - b);
      expect(starts).toHaveLength(audience.length);
      // the planned instants of this run (the session's pacing state keeps them for the daily cap)
      const planned = (await pacingRepo.get(h.ctx.sql!, alpha)).recentSends.slice(-audience.length);
      // the plan never goes faster than configured: 250 ms between planned instants, never less
      for (let i = 1; i < planned.length; i++)
        expect(planned[i]! - planned[i - 1]!).toBeGreaterThanOrEqual(250);
      // and holds the rate: a stall over a second restarts it later (loose: a busy machine stalls)
      const plannedPerMinute = (60_000 * (planned.length - 1)) / (planned.at(-1)! - planned[0]!);
      expect(plannedPerMinute).toBeGreaterThan(240 * 0.85);
      // no send starts before its planned instant (sends decided together may swap places, so
      // the k-th start is compared with the k-th instant); a late one may catch up, within the plan
      for (const [k, at] of planned.entries()) expect(starts[k]).toBeGreaterThanOrEqual(at);
      // the starts follow the plan: their least-squares slope is near 250 ms (one late send barely
      // moves it); one send at a time would be under 100/min
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const [mi, mt] = [(starts.length - 1) / 2, mean(starts)];
      const slope =
        starts.reduce((sum, t, i) => sum + (i - mi) * (t - mt), 0) /
        starts.reduce((sum, _, i) => sum + (i - mi) ** 2, 0);
      expect(60_000 / slope).toBeGreaterThan(240 * 0.85);
      expect(latency.maxRunning).toBeGreaterThan(1);
    } finally {
      latency.ms = 0;
    }
  });

  it('checks numbers on WhatsApp in batches ahead of sending: those not on it are skipped, never sent', async () => {
    const audience = phones(8, 500);
    const absent = [audience[1]!, audience[5]!];
    for (const phone of absent) h.offWhatsApp.add(phone.slice(1));
    const checksBefore = h.fake.session(alpha).calls.filter((c) => c.method === 'checkNumbers').length;
    const id = await create({
      audience: { recipients: audience.map((phone) => ({ phone })) },
      settings: { checkNumbers: true },
    });
    await h.call('startCampaign', { params: { campaignId: id } });
    await completed(id);
    const rows = await recipients(id);
    expect(rows.map((r) => `${r.phone} ${r.status} ${r.reason ?? ''}`.trim())).toEqual(
      audience.map((phone) =>
        absent.includes(phone) ? `${phone} skipped not_on_whatsapp` : `${phone} sent`,
      ),
    );
    expect(sentTo(alpha).filter((phone) => absent.includes(phone))).toEqual([]);
    // batches of checkBatchSize (3 here) in audience order; core's own check before the first
    // send to a new chat asks for one number at a time and is left out
    const digits = audience.map((phone) => phone.slice(1));
    const batches = h.fake
      .session(alpha)
      .calls.filter((c) => c.method === 'checkNumbers')
      .slice(checksBefore)
      .map((c) => c.args[0] as string[])
      .filter((numbers) => numbers.length > 1);
    expect(batches).toEqual([digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)]);
  });

  it('shares a campaign between two sessions, each recipient sent once, and skips a disconnected one', async () => {
    const audience = phones(12, 100);
    const id = await create({
      sessionIds: [alpha, beta],
      audience: { recipients: audience.map((phone) => ({ phone })) },
      // a message every 250 ms each: one decision takes at most two (see sendLeadMs)
      pacing: { ...fast, messagesPerMinute: 240 },
    });
    await h.call('startCampaign', { params: { campaignId: id } });
    await completed(id);
    const byAlpha = sentTo(alpha).filter((p) => audience.includes(p));
    const byBeta = sentTo(beta).filter((p) => audience.includes(p));
    expect([...byAlpha, ...byBeta].sort()).toEqual([...audience].sort());
    expect(byAlpha.length).toBeGreaterThan(0);
    expect(byBeta.length).toBeGreaterThan(0);

    const offline = await createSession(h, 'offline');
    const more = phones(5, 200);
    const second = await create({
      sessionIds: [offline, alpha],
      audience: { recipients: more.map((phone) => ({ phone })) },
    });
    await h.call('startCampaign', { params: { campaignId: second } });
    await completed(second);
    expect(
      sentTo(alpha)
        .filter((p) => more.includes(p))
        .sort(),
    ).toEqual([...more].sort());
    expect((await recipients(second)).every((r) => r.sessionId === alpha)).toBe(true);
  });

  it('pauses a session part whose failure rate passes the threshold, with the reason', async () => {
    const audience = phones(20, 700);
    h.fake.session(beta).failSends(new Error('network down'));
    try {
      const id = await create({
        sessionIds: [beta],
        audience: { recipients: audience.map((phone) => ({ phone })) },
        settings: { failureWindow: 4, failureRateThreshold: 0.5 },
        pacing: { ...fast, messagesPerMinute: 120 },
      });
      await h.call('startCampaign', { params: { campaignId: id } });
      const paused = await waitFor(
        async () => {
          const campaign = await get(id);
          return campaign.status === 'paused' ? campaign : null;
        },
        60_000,
        'paused',
      );
      expect(paused.statusReason).toBe('all sessions paused (last: failure_rate)');
      await waitFor(
        async () => (await recipients(id)).every((r) => r.status !== 'sending'),
        30_000,
        'settled',
      );
      const rows = await recipients(id);
      // four failures stop it (as soon as their statuses come back): the rest is never tried
      const failed = rows.filter((r) => r.status === 'failed').length;
      expect(failed).toBeGreaterThanOrEqual(4);
      expect(rows.filter((r) => r.status === 'pending').length).toBeGreaterThanOrEqual(1);
      expect(failed + rows.filter((r) => r.status === 'pending').length).toBe(audience.length);
    } finally {
      h.fake.session(beta).failSends(null);
    }
  });

  it('pauses, resumes without sending anyone twice, and cancels the rest', async () => {
    const audience = phones(30, 300);
    const id = await create({
      audience: { recipients: audience.map((phone) => ({ phone })) },
      pacing: { ...fast, messagesPerMinute: 120 },
    });
    await h.call('startCampaign', { params: { campaignId: id } });
    await waitFor(
      async () => sentTo(alpha).filter((p) => audience.includes(p)).length >= 2,
      60_000,
      'two sent',
    );
    expect((await h.call('pauseCampaign', { params: { campaignId: id } })).body.status).toBe('paused');
    const atPause = (await recipients(id)).filter((r) => r.status !== 'pending').length;
    expect((await h.call('resumeCampaign', { params: { campaignId: id } })).body.status).toBe('running');
    await waitFor(
      async () => (await recipients(id)).filter((r) => r.status !== 'pending').length >= atPause + 2,
      60_000,
      'two more after resume',
    );
    const cancelled = await h.call('cancelCampaign', { params: { campaignId: id } });
    expect(cancelled.body.status).toBe('cancelled');
    // a send already on its way when cancelled still finishes; then nothing more goes
    await waitFor(async () => (await recipients(id)).every((r) => r.status !== 'sending'), 30_000, 'settled');
    const rows = await recipients(id);
    const sent = sentTo(alpha).filter((p) => audience.includes(p));
    expect(new Set(sent).size).toBe(sent.length);
    expect(
      rows
        .filter((r) => r.status === 'sent')
        .map((r) => r.phone)
        .sort(),
    ).toEqual([...sent].sort());
    expect(rows.filter((r) => r.status === 'skipped').every((r) => r.reason === 'cancelled')).toBe(true);
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
  });

  it('waits for a closed window: nothing sent, the next link enqueued at the opening', async () => {
    const today = new Date().getUTCDay();
    const other = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(today + 2) % 7];
    const id = await create({
      audience: { recipients: phones(2, 400).map((phone) => ({ phone })) },
      schedule: { timeZone: 'UTC', windows: [{ days: [other], start: '10:00', end: '11:00' }] },
    });
    await h.call('startCampaign', { params: { campaignId: id } });
    const job = await waitFor<Record<string, unknown> | null>(
      async () => {
        const [row] = await h.ctx.sql!.query(
          `SELECT "runAt" FROM "jobs" WHERE "pluginId" = 'campaigns' AND "payload"->>'campaignId' = ? AND "runAt" > now() + interval '1 hour'`,
          [id],
        );
        return row ?? null;
      },
      60_000,
      'the next link',
    );
    const runAt = job?.runAt instanceof Date ? job.runAt : new Date(String(job?.runAt));
    expect(runAt.getUTCDay()).toBe((today + 2) % 7);
    // woken one lead early, to send at the opening itself
    expect(runAt.toISOString().slice(11, 23)).toBe(
      new Date(Date.UTC(2000, 0, 1, 10) - sendLeadMs).toISOString().slice(11, 23),
    );
    expect((await recipients(id)).map((r) => r.status)).toEqual(['pending', 'pending']);
    await h.call('cancelCampaign', { params: { campaignId: id } });
  });
});
