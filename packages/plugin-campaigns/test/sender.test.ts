import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe.each(backends)('the sender on %s', (backend) => {
  let h: Harness;
  let alpha: string;
  let beta: string;

  beforeAll(async () => {
    h = await startHarness(backend, { checkBatchSize: 3 });
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
    await waitFor(async () => (await get(id)).status === 'completed', 90_000, 'completed');
    const sends = h.fake.session(alpha).sends.slice(before);
    const texts = sends.map((s) => `+${s.to.replace(/@.*$/, '')} ${(s.content as { text: string }).text}`);
    // the first messages in audience order, each once, variants in turn; every follow-up once,
    // after its first message (a due follow-up goes before the next new recipient)
    const firsts = texts.filter((t) => !t.includes('Still there'));
    const followUps = texts.filter((t) => t.includes('Still there'));
    expect(firsts.map((t) => t.split(' ')[0])).toEqual(audience);
    expect(firsts.every((t, i) => (i % 2 === 0 ? /(Hi|Hello) #\d$/ : /Hey #\d$/).test(t))).toBe(true);
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
    await waitFor(async () => (await get(id)).status === 'completed', 90_000, 'completed');
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
    });
    await h.call('startCampaign', { params: { campaignId: id } });
    await waitFor(async () => (await get(id)).status === 'completed', 90_000, 'completed');
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
    await waitFor(async () => (await get(second)).status === 'completed', 90_000, 'completed');
    expect(
      sentTo(alpha)
        .filter((p) => more.includes(p))
        .sort(),
    ).toEqual([...more].sort());
    expect((await recipients(second)).every((r) => r.sessionId === alpha)).toBe(true);
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
    expect(runAt.toISOString().slice(11, 19)).toBe('10:00:00');
    expect((await recipients(id)).map((r) => r.status)).toEqual(['pending', 'pending']);
    await h.call('cancelCampaign', { params: { campaignId: id } });
  });
});
