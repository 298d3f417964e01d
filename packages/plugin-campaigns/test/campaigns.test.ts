import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseSuppressed } from '../src/hooks/before-send.js';
import { recipientsRepo } from '../src/repo/recipients.js';
import { uploadsRepo } from '../src/repo/uploads.js';
import { inTx } from '../src/runtime.js';
import { onMessageReceived, onMessageStatus, optOutSettings } from '../src/tracking/handlers.js';
import { backends, connectedSession, createSession, type Harness, startHarness, waitFor } from './helpers.js';

const csv =
  'name,phone,city\nAna,+55 11 98765-4321,Rio\nBruno,+55 11 91234-5678,\nAna again,5511987654321,Santos\n';
const content = {
  variants: [{ text: '{Hi|Hello} {{name|there}} from {{city|your city}}' }, { text: 'Hey {{name}}' }],
};

describe.each(backends)('campaigns on %s', (backend) => {
  let h: Harness;
  let sessionId: string;

  beforeAll(async () => {
    h = await startHarness(backend);
    sessionId = await createSession(h, 'sender');
  });
  afterAll(async () => h?.stop());

  const create = (body: Record<string, unknown> = {}) =>
    h.call('createCampaign', {
      body: { name: 'Launch', sessionIds: [sessionId], audience: { csv }, content, ...body },
    });

  it('creates a draft from CSV: numbers normalised and de-duplicated, variants rotated', async () => {
    const created = await create();
    expect(created.status).toBe(201);
    expect(created.body.audience).toEqual({ added: 2, duplicates: 1, invalid: [] });
    const campaign = created.body.campaign;
    expect(campaign).toMatchObject({ status: 'draft', total: 2, variables: ['city', 'name'] });
    expect(campaign.counts.pending).toBe(2);
    expect(campaign.pacing.messagesPerMinute).toBe(4); // defaults applied
    const list = await h.call('listCampaignRecipients', { params: { campaignId: campaign.id }, query: {} });
    expect(list.body.items.map((r: { phone: string; variantId: string }) => [r.phone, r.variantId])).toEqual([
      ['+5511987654321', 'A'],
      ['+5511912345678', 'B'],
    ]);
  });

  it('refuses bad input with 4xx and stable codes, storing nothing', async () => {
    const before = (await h.call('listCampaigns', { query: {} })).body.items.length;
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ audience: { csv: 'phone,name\n+5511987654321,"Ana\n' } }, 400, 'CAMPAIGNS_CSV_MALFORMED'],
      [{ audience: { csv: 'phone,name\n' } }, 400, 'CAMPAIGNS_AUDIENCE_EMPTY'],
      [{ audience: { recipients: [] } }, 400, 'CAMPAIGNS_AUDIENCE_EMPTY'],
      [{ audience: { recipients: [{ phone: '+55 11 1' }] } }, 400, 'CAMPAIGNS_INVALID_NUMBERS'],
      [{ content: { variants: [{ text: 'Hi {{nmae}}' }] } }, 400, 'CAMPAIGNS_UNKNOWN_VARIABLE'],
      [{ content: { variants: [{ text: 'Hi {there' }] } }, 400, 'CAMPAIGNS_TEMPLATE_INVALID'],
      [
        { schedule: { windows: [{ days: ['mon'], start: '18:00', end: '09:00' }] } },
        400,
        'CAMPAIGNS_SCHEDULE_INVALID',
      ],
      [{ schedule: { windows: [] } }, 400, 'CAMPAIGNS_SCHEDULE_INVALID'],
      [{ pacing: { messagesPerMinute: 0 } }, 400, 'CAMPAIGNS_PACING_INVALID'],
      [{ sessionIds: ['5b0a3f7e-7c1e-4b5e-9a53-0f0d1f0b8e11'] }, 404, 'SESSION_NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      const reply = await create(body);
      expect([reply.status, reply.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await h.call('listCampaigns', { query: {} })).body.items.length).toBe(before);
  });

  it('runs the lifecycle: start, pause, edit while paused, resume, cancel; clone and delete', async () => {
    const id = (await create()).body.campaign.id;
    const status = async () => (await h.call('getCampaign', { params: { campaignId: id } })).body.status;
    expect((await h.call('startCampaign', { params: { campaignId: id } })).body.status).toBe('running');
    const editRunning = await h.call('updateCampaign', { params: { campaignId: id }, body: { name: 'x' } });
    expect([editRunning.status, editRunning.body.code]).toEqual([409, 'CAMPAIGNS_INVALID_STATE']);
    await h.call('pauseCampaign', { params: { campaignId: id } });
    expect(await status()).toBe('paused');
    // one recipient was reached before the pause: a new audience replaces only the unsent ones
    await inTx(h.ctx, async (tx) => {
      await recipientsRepo.transition(tx.sql, id, 0, 'sending');
    });
    const edited = await h.call('updateCampaign', {
      params: { campaignId: id },
      body: {
        name: 'Launch 2',
        audience: { recipients: [{ phone: '+14155552671', variables: { name: 'Ann', city: 'SF' } }] },
      },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Launch 2', total: 2 });
    const phones = (
      await h.call('listCampaignRecipients', { params: { campaignId: id }, query: {} })
    ).body.items.map((r: { phone: string; status: string }) => `${r.phone} ${r.status}`);
    expect(phones).toEqual(['+5511987654321 sending', '+14155552671 pending']);
    expect((await h.call('resumeCampaign', { params: { campaignId: id } })).body.status).toBe('running');
    const cancelled = await h.call('cancelCampaign', { params: { campaignId: id } });
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.counts).toMatchObject({ pending: 0, skipped: 1, sending: 1 });
    const again = await h.call('startCampaign', { params: { campaignId: id } });
    expect([again.status, again.body.code]).toEqual([409, 'CAMPAIGNS_INVALID_STATE']);
    const clone = await h.call('cloneCampaign', { params: { campaignId: id }, body: {} });
    expect(clone.status).toBe(201);
    expect(clone.body).toMatchObject({ status: 'draft', name: 'Launch 2 (copy)', total: 2 });
    expect(clone.body.counts.pending).toBe(2);
    expect((await h.call('deleteCampaign', { params: { campaignId: clone.body.id } })).status).toBe(204);
    expect((await h.call('getCampaign', { params: { campaignId: clone.body.id } })).body.code).toBe(
      'CAMPAIGNS_NOT_FOUND',
    );
  });

  it('follows receipts and replies; STOP suppresses the number and opts the recipient out', async () => {
    const id = (await create()).body.campaign.id;
    await h.call('startCampaign', { params: { campaignId: id } });
    await inTx(h.ctx, async (tx) => {
      for (const seq of [0, 1]) {
        await tx.sql.query(
          `UPDATE "campaignRecipients" SET "status" = 'sending', "sessionId" = ? WHERE "campaignId" = ? AND "seq" = ?`,
          [sessionId, id, seq],
        );
        await recipientsRepo.setMessage(
          tx.sql,
          id,
          seq,
          0,
          { id: crypto.randomUUID(), waid: `W${seq}${id.slice(0, 8)}` },
          null,
        );
      }
    });
    const status = (seq: number, value: string) =>
      onMessageStatus(
        {
          id: '01',
          type: 'message.status',
          sessionId,
          occurredAt: new Date().toISOString(),
          data: {
            messageId: crypto.randomUUID(),
            chatId: 'x',
            waid: `W${seq}${id.slice(0, 8)}`,
            status: value as 'read',
            previous: 'sent',
          },
        },
        h.ctx,
      );
    const reply = (phone: string, text: string) =>
      onMessageReceived(
        {
          id: '02',
          type: 'message.received',
          sessionId,
          occurredAt: new Date().toISOString(),
          data: {
            message: {
              sessionId,
              chatId: `${phone.slice(1)}@s.whatsapp.net`,
              isFromMe: false,
              msgType: 'text',
              content: { text },
              timestamp: new Date().toISOString(),
            },
          } as never,
        },
        h.ctx,
      );
    await status(0, 'sent');
    await status(0, 'read');
    await status(0, 'delivered'); // late: stamps deliveredAt, keeps read
    await status(1, 'sent');
    await reply('+5511987654321', 'Thanks!');
    await reply('+5511912345678', ' Stop! ');
    const items = (await h.call('listCampaignRecipients', { params: { campaignId: id }, query: {} })).body
      .items;
    expect(items.map((r: { status: string }) => r.status)).toEqual(['replied', 'opted_out']);
    expect(items[0].readAt && items[0].deliveredAt && items[0].repliedAt).toBeTruthy();
    const suppressed = await h.call('listSuppressions', { params: { sessionId }, query: {} });
    expect(suppressed.body.items).toEqual([
      expect.objectContaining({ phone: '+5511912345678', reason: 'opt_out', campaignId: id }),
    ]);
    const stats = await h.call('getCampaignStats', { params: { campaignId: id } });
    expect(stats.body.rates).toEqual({ delivery: 0.5, read: 0.5, reply: 0.5, optOut: 0.5 });
    expect(stats.body.variants.map((v: { variantId: string }) => v.variantId)).toEqual(['A', 'B']);
    const exported = await h.call('exportCampaignRecipients', { params: { campaignId: id }, query: {} });
    const lines = (exported.body as string).trim().split('\n');
    expect(lines[0]).toBe(
      'seq,phone,variantId,status,reason,sessionId,messageId,sendingAt,sentAt,deliveredAt,readAt,repliedAt,failedAt,skippedAt,optedOutAt,city,name',
    );
    expect(lines[2]).toMatch(/^1,\+5511912345678,B,opted_out,keyword,/);
  });

  it('refuses campaign sends to suppressed numbers in beforeSend; the confirmation and API sends pass', async () => {
    await h.call('addSuppression', { params: { sessionId }, body: { phone: '+5511955554444' } });
    // ctx.gateway sends as plugin:campaigns; the hook refuses before anything is stored or sent
    const refused = await h.ctx.gateway.messages
      .send(sessionId, { type: 'text', to: '5511955554444', text: 'promo' })
      .catch((error) => error);
    expect([refused.statusCode, refused.code]).toEqual([409, 'CAMPAIGNS_RECIPIENT_SUPPRESSED']);
    expect((await h.gateway.messages.list(sessionId)).items).toEqual([]);
    const confirming = { ...h.ctx, options: { ...h.ctx.options, optOutConfirmation: 'Ok, bye' } };
    const confirmation = { type: 'text', to: '5511955554444', text: 'Ok, bye' } as const;
    await expect(
      refuseSuppressed({ sessionId, body: confirmation, origin: 'plugin:campaigns' }, confirming),
    ).resolves.toBeUndefined();
    // other origins and numbers are not the hook's business: they reach the next step (not connected)
    for (const [to, send] of [
      ['5511955554444', h.gateway.messages.send.bind(h.gateway.messages)],
      ['5511955553333', h.ctx.gateway.messages.send.bind(h.ctx.gateway.messages)],
    ] as const) {
      const error = await send(sessionId, { type: 'text', to, text: 'hi' }).catch((e) => e);
      expect(error.code).toBe('SESSION_NOT_CONNECTED');
    }
  });

  it('reads opt-out keywords and the confirmation from the session settings', async () => {
    const other = await createSession(h, 'settings');
    await h.gateway.pluginSettings.put(other, 'campaigns', {
      optOutKeywords: ['DESCADASTRAR'],
      optOutConfirmation: null,
    });
    expect(await optOutSettings(h.ctx, other)).toEqual({ keywords: ['DESCADASTRAR'], confirmation: null });
    expect(await optOutSettings(h.ctx, sessionId)).toEqual({
      keywords: ['STOP', 'SAIR', 'PARAR', 'BAJA', 'UNSUBSCRIBE'],
      confirmation: null,
    });
    const bad = await h.gateway.pluginSettings
      .put(other, 'campaigns', { optOutKeywords: [] })
      .catch((error) => error);
    expect(bad.statusCode).toBe(400);
  });

  it('takes __proto__ and constructor CSV headers as plain variables: nothing polluted, nothing leaked', async () => {
    const created = await create({
      audience: { csv: 'phone,__proto__,constructor\n+5511987654321,evil,\n+5511912345678,,ctor\n' },
      content: { variants: [{ text: 'x {{__proto__|none}} {{constructor|none}}' }] },
    });
    expect(created.status).toBe(201);
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    const id = created.body.campaign.id;
    expect(created.body.campaign.variables).toEqual(['__proto__', 'constructor']);
    const rows = await recipientsRepo.page(h.ctx.sql!, id, { limit: 10, afterSeq: -1 });
    expect(rows.map((r) => Object.entries(r.variables))).toEqual([
      [['__proto__', 'evil']],
      [['constructor', 'ctor']],
    ]);
    // a row without a `constructor` cell exports an empty cell, not Object's source text
    const exported = await h.call('exportCampaignRecipients', { params: { campaignId: id }, query: {} });
    const lines = (exported.body as string).trim().split('\n');
    expect(lines[1]).toMatch(/,evil,$/);
    expect(lines[2]).toMatch(/,,ctor$/);
    expect(exported.body).not.toContain('function');
  });

  it('keeps uploads a campaign refers to and prunes the others once old enough', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const add = () =>
      uploadsRepo.insert(h.ctx.sql!, {
        id: crypto.randomUUID(),
        mimeType: 'image/png',
        fileName: null,
        data: png,
      });
    const [used, unused] = [await add(), await add()];
    const created = await create({
      content: { variants: [{ text: 'With a picture', media: { type: 'image', uploadId: used.id } }] },
    });
    expect(created.status).toBe(201);
    expect(await uploadsRepo.prune(h.ctx.sql!, new Date(Date.now() - 3_600_000))).toBe(0); // too recent
    expect(await uploadsRepo.prune(h.ctx.sql!, new Date(Date.now() + 60_000))).toBe(1);
    expect([...(await uploadsRepo.existing(h.ctx.sql!, [used.id, unused.id]))]).toEqual([used.id]);
    const missing = await create({
      content: { variants: [{ media: { type: 'image', uploadId: unused.id } }] },
    });
    expect(missing).toMatchObject({ status: 404, body: { code: 'CAMPAIGNS_UPLOAD_NOT_FOUND' } });
  });

  it('takes an audience from stored contacts matching a search and from a group (own number and LID-only left out)', async () => {
    const directory = await connectedSession(h, 'directory', '15550002000');
    const live = h.fake.session(directory);
    await live.emit({
      type: 'contacts',
      contacts: [
        { jid: '14155552671@s.whatsapp.net', name: 'Ana Lima' },
        { jid: '14155552672@s.whatsapp.net', pushName: 'Ana B' },
        { jid: '14155552673@s.whatsapp.net', name: 'Bruno' },
        { jid: '123456789@lid', name: 'Ana Hidden' },
      ],
    });
    const fromContacts = await create({
      sessionIds: [directory],
      audience: { contacts: { sessionId: directory, search: 'Ana' } },
      content: { variants: [{ text: 'Hi {{name}}' }] },
    });
    expect(fromContacts.status, JSON.stringify(fromContacts.body)).toBe(201);
    const contactRows = await recipientsRepo.page(h.ctx.sql!, fromContacts.body.campaign.id, { limit: 10 });
    expect(contactRows.map((r) => `${r.phone} ${r.variables.name}`).sort()).toEqual([
      '+14155552671 Ana Lima',
      '+14155552672 Ana B',
    ]);

    // the group as WhatsApp answers it: two members, the session itself, a LID without a stored number
    const connection = live.connection!;
    const groupJid = '120363000000000001@g.us';
    connection.groups.get = async (jid) => ({
      jid,
      subject: 'Club',
      description: null,
      owner: null,
      participants: [
        '14155552674@s.whatsapp.net',
        '14155552675@s.whatsapp.net',
        '15550002000@s.whatsapp.net',
        '987@lid',
      ].map((member) => ({ jid: member, role: 'member' as const })),
      announce: false,
      restrict: false,
      createdAt: null,
    });
    const fromGroup = await create({
      sessionIds: [directory],
      audience: { group: { sessionId: directory, groupJid } },
      content: { variants: [{ text: 'Hi club' }] },
    });
    expect(fromGroup.status, JSON.stringify(fromGroup.body)).toBe(201);
    const groupRows = await recipientsRepo.page(h.ctx.sql!, fromGroup.body.campaign.id, { limit: 10 });
    expect(groupRows.map((r) => r.phone)).toEqual(['+14155552674', '+14155552675']);
  });

  it('confirms an opt-out once when a confirmation is configured, also when the handler runs again', async () => {
    const confirming = await connectedSession(h, 'confirming', '15550002001');
    // configured per session (the hook that lets the confirmation through reads the same settings)
    await h.gateway.pluginSettings.put(confirming, 'campaigns', {
      optOutConfirmation: 'Ok, you will not hear from us again.',
    });
    const stop = {
      id: '03',
      type: 'message.received',
      sessionId: confirming,
      occurredAt: new Date().toISOString(),
      data: {
        message: {
          sessionId: confirming,
          chatId: '14155552681@s.whatsapp.net',
          isFromMe: false,
          msgType: 'text',
          content: { text: 'Párar' },
          timestamp: new Date().toISOString(),
        },
      } as never,
    } as const;
    await onMessageReceived(stop, h.ctx);
    await onMessageReceived(stop, h.ctx); // at-least-once delivery: the same event again
    await waitFor(() => h.fake.session(confirming).sends.length > 0, 30_000, 'the confirmation');
    const sent = h.fake
      .session(confirming)
      .sends.map((send) => [send.to, (send.content as { text: string }).text]);
    expect(sent).toEqual([['14155552681@s.whatsapp.net', 'Ok, you will not hear from us again.']]);
    const list = await h.call('listSuppressions', { params: { sessionId: confirming }, query: {} });
    expect(
      list.body.items.map((item: { phone: string; reason: string }) => `${item.phone} ${item.reason}`),
    ).toEqual(['+14155552681 opt_out']);
  });

  it('manages the suppression list over its routes', async () => {
    const add = (phone: string) =>
      h.call('addSuppression', { params: { sessionId }, body: { phone, note: 'asked by phone' } });
    expect((await add('+1 415 555 2671')).status).toBe(201);
    expect((await add('14155552671')).status).toBe(200);
    const bad = await add('12');
    expect([bad.status, bad.body.code]).toEqual([400, 'CAMPAIGNS_INVALID_NUMBERS']);
    const removed = await h.call('removeSuppression', { params: { sessionId, phone: '+14155552671' } });
    expect(removed.status).toBe(204);
    const again = await h.call('removeSuppression', { params: { sessionId, phone: '+14155552671' } });
    expect([again.status, again.body.code]).toEqual([404, 'CAMPAIGNS_SUPPRESSION_NOT_FOUND']);
  });
});
