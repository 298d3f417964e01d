import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { campaigns } from '@zapgate/plugin-campaigns';
import type { SimContact } from '@zapgate/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectSse,
  pairOverHttp,
  type ServerStack,
  startServerStack,
  waitForStatus,
} from './server-stack.js';
import { waitFor } from './stack.js';

/** A 2×2 PNG, served over HTTP for the media variant. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DA0PCfAUIBACFyBP1TVaZ3AAAAAElFTkSuQmCC',
  'base64',
);
/** Fast pacing for tests: no pauses, caps or warm-up; typing kept short. */
const fast = {
  messagesPerMinute: 1200,
  gapJitter: 0.2,
  pauseEvery: 0,
  dailyCap: 100_000,
  warmup: { enabled: false },
  typing: { enabled: true, msPerChar: 1, minMs: 5, maxMs: 20 },
};
const SENDER = '15554440001';
const audienceSize = 200;
const digits = (i: number) => `1415555${String(3000 + i).padStart(4, '0')}`;

// Campaigns end to end: the server with the campaigns plugin, real Baileys, the simulator.
describe('campaigns on wa-sim (Postgres)', () => {
  let stack: ServerStack;
  let media: Server;
  let mediaUrl: string;
  let sessionId: string;
  let deviceJid: string;
  const contacts: SimContact[] = [];

  beforeAll(async () => {
    media = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/promo.png`;
    stack = await startServerStack('postgres', {
      allowPrivateUrls: ['127.0.0.1'],
      server: { plugins: [campaigns({ maxUploadBytes: 1024 * 1024 })] },
    });
    const paired = await pairOverHttp(stack, 'campaigns', SENDER);
    sessionId = paired.id;
    deviceJid = paired.session.deviceJid;
    // every tenth contact never reads (its recipient stops at delivered)
    for (let i = 0; i < audienceSize; i++)
      contacts.push(stack.sim.contact(digits(i), { name: `C${i}`, autoRead: i % 10 !== 0 }));
  });
  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => media?.close(resolve));
  });

  const create = async (body: Record<string, unknown>) => {
    const created = await stack.api('POST', '/v1/campaigns', {
      sessionIds: [sessionId],
      pacing: fast,
      ...body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.campaign.id as string;
  };
  const campaign = async (id: string) => (await stack.api('GET', `/v1/campaigns/${id}`)).body;
  const recipients = async (id: string) =>
    (await stack.api('GET', `/v1/campaigns/${id}/recipients?limit=500`)).body.items as Array<{
      phone: string;
      status: string;
      reason: string | null;
    }>;
  const received = (contact: SimContact) => contact.received.filter((m) => !m.ownCopy);
  const textOf = (m: SimContact['received'][number]) =>
    m.message.conversation ?? m.message.extendedTextMessage?.text ?? m.message.imageMessage?.caption ?? '';

  it('sends 200 recipients their personalised text or image once; WhatsApp receipts move each to read or delivered', async () => {
    const csv = `name,phone\n${contacts.map((_, i) => `Name ${i},+${digits(i)}`).join('\n')}\n`;
    const id = await create({
      name: 'Two hundred',
      audience: { csv },
      content: {
        variants: [
          { text: '{Hi|Hello|Hey} {{name|friend}}, reply STOP to opt out' },
          { text: 'A picture for {{name}}', media: { type: 'image', url: mediaUrl } },
        ],
      },
    });
    expect((await stack.api('POST', `/v1/campaigns/${id}/start`)).body.status).toBe('running');
    // generous: ~15 s on an idle 2-core machine, minutes at load 30
    await waitFor(async () => (await campaign(id)).status === 'completed', 480_000, 'campaign completed');
    for (const [i, contact] of contacts.entries()) {
      const got = received(contact);
      expect(got, `contact ${i}`).toHaveLength(1);
      const text = textOf(got[0]!);
      if (i % 2 === 0) expect(text).toMatch(new RegExp(`^(Hi|Hello|Hey) Name ${i}, reply STOP to opt out$`));
      else {
        expect(text).toBe(`A picture for Name ${i}`);
        expect(got[0]!.message.imageMessage?.mimetype).toBe('image/png');
      }
    }
    // the recipients follow WhatsApp's receipts: read where the contact read, delivered where it did not
    const expected = contacts.map((_, i) => `+${digits(i)} ${i % 10 === 0 ? 'delivered' : 'read'}`);
    const tracked = async () => (await recipients(id)).map((r) => `${r.phone} ${r.status}`);
    await waitFor(
      async () => JSON.stringify(await tracked()) === JSON.stringify(expected),
      120_000,
      'every recipient read or delivered',
    ).catch(async (error) => {
      const rows = (await stack.api('GET', `/v1/campaigns/${id}/recipients?limit=500`)).body.items as Array<{
        phone: string;
        status: string;
        messageId: string | null;
      }>;
      const wrong = rows.filter((row, i) => `${row.phone} ${row.status}` !== expected[i]);
      const details = await Promise.all(
        wrong.slice(0, 5).map(async (row) => {
          const message = row.messageId
            ? (await stack.api('GET', `/v1/sessions/${sessionId}/messages/${row.messageId}`)).body
            : null;
          return `${row.phone} ${row.status} (message ${message?.waid} ${message?.status})`;
        }),
      );
      throw new Error(`${error.message}: ${wrong.length} differ, e.g. ${details.join(', ')}`);
    });
    const summary = await campaign(id);
    expect(summary.counts).toMatchObject({ read: 180, delivered: 20 });
  }, 660_000);

  it('moves replies to replied; STOP opts out and a later campaign skips the number', async () => {
    const [first] = (await stack.api('GET', '/v1/campaigns?limit=1')).body.items;
    await contacts[1]!.sendText(deviceJid, 'Sounds good!');
    await contacts[2]!.sendText(deviceJid, 'Stop!');
    await waitFor(
      async () => {
        const rows = await recipients(first.id);
        return rows[1]?.status === 'replied' && rows[2]?.status === 'opted_out';
      },
      60_000,
      'replied and opted out',
    );
    const suppressions = await stack.api('GET', `/v1/sessions/${sessionId}/suppressions`);
    expect(suppressions.body.items.map((s: { phone: string }) => s.phone)).toEqual([`+${digits(2)}`]);
    const id = await create({
      name: 'Second',
      audience: { recipients: [1, 2, 3].map((i) => ({ phone: `+${digits(i)}` })) },
      content: { variants: [{ text: 'Second round' }] },
    });
    await stack.api('POST', `/v1/campaigns/${id}/start`);
    await waitFor(async () => (await campaign(id)).status === 'completed', 60_000, 'second completed');
    expect((await recipients(id)).map((r) => `${r.status} ${r.reason ?? ''}`.trim())).toEqual([
      expect.stringMatching(/^(sent|delivered|read)$/),
      'skipped suppressed',
      expect.stringMatching(/^(sent|delivered|read)$/),
    ]);
    expect(received(contacts[2]!).map(textOf)).not.toContain('Second round');
    expect(received(contacts[3]!).map(textOf)).toContain('Second round');
  });

  it('sends an uploaded file: the body is the file, its type checked against the bytes; bad uploads are 4xx', async () => {
    const upload = (body: BodyInit, contentType?: string, query = '') =>
      fetch(`${stack.baseUrl}/v1/campaigns/uploads${query}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.adminKey}`,
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        body,
      }).then(async (res) => ({ status: res.status, body: await res.json() }));
    const stored = await upload(png, 'image/png', '?fileName=promo.png');
    expect(stored).toMatchObject({
      status: 201,
      body: { mimeType: 'image/png', fileName: 'promo.png', size: png.length },
    });
    // refused: a PNG declared as a PDF, JSON instead of a file, an empty body, a file over maxUploadBytes
    expect(await upload(png, 'application/pdf')).toMatchObject({
      status: 400,
      body: { code: 'MEDIA_TYPE_MISMATCH' },
    });
    expect(await upload('{"a":1}', 'application/json')).toMatchObject({
      status: 400,
      body: { code: 'CAMPAIGNS_UPLOAD_INVALID' },
    });
    expect(await upload(Buffer.alloc(0), 'image/png')).toMatchObject({
      status: 400,
      body: { code: 'CAMPAIGNS_UPLOAD_INVALID' },
    });
    expect((await upload(Buffer.alloc(1024 * 1024 + 1, 1), 'image/png')).status).toBe(413);
    const unknown = await stack.api('POST', '/v1/campaigns', {
      name: 'Missing file',
      sessionIds: [sessionId],
      audience: { recipients: [{ phone: `+${digits(0)}` }] },
      content: { variants: [{ media: { type: 'image', uploadId: '00000000-0000-4000-8000-000000000000' } }] },
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'CAMPAIGNS_UPLOAD_NOT_FOUND' } });

    const id = await create({
      name: 'Uploaded',
      audience: { recipients: [5, 6].map((i) => ({ phone: `+${digits(i)}` })) },
      content: { variants: [{ text: 'From an upload', media: { type: 'image', uploadId: stored.body.id } }] },
    });
    await stack.api('POST', `/v1/campaigns/${id}/start`);
    await waitFor(
      async () => (await campaign(id)).status === 'completed',
      120_000,
      'upload campaign completed',
    );
    for (const i of [5, 6]) {
      const image = received(contacts[i]!).find((m) => textOf(m) === 'From an upload');
      expect(image?.message.imageMessage?.mimetype).toBe('image/png');
    }
  });

  it('shares a campaign between two connected sessions (one message per recipient) and skips one that is not connected; SSE carries its events', async () => {
    const second = await pairOverHttp(stack, 'campaigns-2', '15554440002');
    const offline = await stack.api('POST', '/v1/sessions', { name: 'campaigns-offline' });
    const audience = Array.from({ length: 20 }, (_, i) => stack.sim.contact(digits(400 + i)));
    const sse = collectSse(stack, 'types=campaign.*');
    await sse.ready;
    // both sessions at the same pace: they take the audience in turn
    const id = await create({
      name: 'Shared',
      sessionIds: [sessionId, offline.body.id, second.id],
      audience: { recipients: audience.map((c) => ({ phone: `+${c.phoneNumber}` })) },
      content: { variants: [{ text: 'Shared {{phone}}' }] },
      pacing: { ...fast, messagesPerMinute: 240 },
    });
    await stack.api('POST', `/v1/campaigns/${id}/start`);
    await waitFor(async () => (await campaign(id)).status === 'completed', 120_000, 'shared completed');

    const senders = audience.map((contact) => {
      const got = received(contact);
      expect(got.map(textOf), contact.phoneNumber).toEqual([`Shared +${contact.phoneNumber}`]);
      return got[0]!.from.split(/[:@]/)[0];
    });
    const bySender = (phone: string) => senders.filter((s) => s === phone).length;
    expect(bySender(SENDER) + bySender('15554440002')).toBe(audience.length);
    expect(bySender(SENDER)).toBeGreaterThanOrEqual(5);
    expect(bySender('15554440002')).toBeGreaterThanOrEqual(5);
    // tracking agrees with what arrived: the sending session of each recipient, never the offline one
    const rows = (await stack.api('GET', `/v1/campaigns/${id}/recipients?limit=100`)).body.items as Array<{
      phone: string;
      status: string;
      sessionId: string;
    }>;
    expect(rows.map((r) => r.sessionId)).toEqual(senders.map((s) => (s === SENDER ? sessionId : second.id)));
    expect(rows.every((r) => ['sent', 'delivered', 'read'].includes(r.status))).toBe(true);

    // the event stream carried the campaign's status changes and every recipient's send
    await waitFor(
      () =>
        sse.events.some(
          (e) => e.type === 'campaign.status' && (e.data as { status: string }).status === 'completed',
        ),
      30_000,
      'campaign.status completed on SSE',
    );
    await sse.stop();
    const ours = sse.events.filter((e) => (e.data as { campaignId: string }).campaignId === id);
    expect(
      ours.filter((e) => e.type === 'campaign.status').map((e) => (e.data as { status: string }).status),
    ).toEqual(['running', 'completed']);
    const reached = ours.filter(
      (e) => e.type === 'campaign.recipient' && (e.data as { previous: string }).previous === 'sending',
    );
    expect(reached.map((e) => (e.data as { phone: string }).phone).sort()).toEqual(
      audience.map((c) => `+${c.phoneNumber}`).sort(),
    );
  });

  it('pauses the session part on WhatsApp 463 (reach-out restriction) to new contacts', async () => {
    const strangers = [300, 301, 302].map((i) => stack.sim.contact(digits(i)));
    stack.sim.restrictReachOut(deviceJid);
    try {
      const id = await create({
        name: 'Cold',
        audience: { recipients: strangers.map((c) => ({ phone: `+${c.phoneNumber}` })) },
        content: { variants: [{ text: 'Cold outreach' }] },
        // 30 s between messages: the 463 comes back long before the second would go
        pacing: { ...fast, messagesPerMinute: 2 },
      });
      await stack.api('POST', `/v1/campaigns/${id}/start`);
      const paused = await waitFor(
        async () => {
          const c = await campaign(id);
          return c.status === 'paused' ? c : null;
        },
        60_000,
        'paused',
      );
      expect(paused.statusReason).toBe('all sessions paused (last: reach_out_restricted)');
      const rows = await recipients(id);
      expect(rows[0]).toMatchObject({ status: 'failed', reason: '463' });
      expect(rows.slice(1).map((r) => r.status)).toEqual(['pending', 'pending']);
      expect(strangers.flatMap(received)).toEqual([]);
      await stack.api('POST', `/v1/campaigns/${id}/cancel`);
    } finally {
      stack.sim.restrictReachOut(deviceJid, false);
    }
  });

  it('pauses the part of a session that logs out', async () => {
    const id = await create({
      name: 'Slow',
      audience: { recipients: [10, 11, 12, 13].map((i) => ({ phone: `+${digits(i)}` })) },
      content: { variants: [{ text: 'Slowly' }] },
      pacing: { ...fast, messagesPerMinute: 6 },
    });
    await stack.api('POST', `/v1/campaigns/${id}/start`);
    await waitFor(() => received(contacts[10]!).some((m) => textOf(m) === 'Slowly'), 60_000, 'first sent');
    stack.sim.logout(deviceJid);
    await waitForStatus(stack, sessionId, 'logged_out');
    const paused = await waitFor(
      async () => {
        const c = await campaign(id);
        return c.status === 'paused' ? c : null;
      },
      60_000,
      'paused',
    );
    expect(paused.statusReason).toBe('all sessions paused (last: logged_out)');
    expect((await recipients(id)).filter((r) => r.status === 'pending').length).toBeGreaterThanOrEqual(2);
  });
});
