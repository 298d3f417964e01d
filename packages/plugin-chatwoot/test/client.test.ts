// Webhook URLs point at the discard port: connections are refused at once (no DNS, no wait).
import { type FakeChatwoot, startFakeChatwoot } from '@zapgate/chatwoot-sim';
import { outgoingPolicy } from '@zapgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatwootClient, chatwootClient } from '../src/client/client.js';
import { failureOf } from '../src/error-codes.js';

let chatwoot: FakeChatwoot;
let client: ChatwootClient;

beforeEach(async () => {
  chatwoot = await startFakeChatwoot();
  client = chatwootClient({ url: chatwoot.url, accountId: chatwoot.accountId, token: chatwoot.token });
});
afterEach(async () => {
  expect(chatwoot.violations).toEqual([]);
  await chatwoot.close();
});

/** The error a call rejects with. */
async function failing(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  return { code: (error as { code: string }).code, failure: failureOf(error) };
}

describe('the Chatwoot client, against the spec-validating fake', () => {
  it('drives inboxes, contacts, conversations and messages with requests Chatwoot documents', async () => {
    const inbox = await client.inboxes.create({
      name: 'WhatsApp 1',
      webhookUrl: 'http://127.0.0.1:9/callback',
    });
    expect(inbox).toMatchObject({ name: 'WhatsApp 1', channel_type: 'Channel::Api' });
    await client.inboxes.update(inbox.id, { webhookUrl: 'http://127.0.0.1:9/callback2' });
    expect((await client.inboxes.get(inbox.id)).webhook_url).toBe('http://127.0.0.1:9/callback2');

    const { payload } = await client.contacts.create(inbox.id, {
      name: 'Ana',
      identifier: '5511999990000@s.whatsapp.net',
      phoneNumber: '+5511999990000',
    });
    const found = await client.contacts.search('5511999990000@s.whatsapp.net');
    expect(found.payload.map((c) => c.id)).toEqual([payload.contact.id]);
    await client.contacts.update(payload.contact.id, {
      name: 'Ana Maria',
      avatarUrl: 'https://x.test/a.png',
    });

    const conversation = await client.conversations.create({
      sourceId: payload.contact_inbox.source_id,
      inboxId: inbox.id,
      contactId: payload.contact.id,
      status: 'pending',
    });
    expect(conversation.status).toBe('pending');
    const first = await client.messages.create(conversation.id, {
      content: 'hello',
      messageType: 'incoming',
      sourceId: 'WAID:A1',
    });
    const withFile = await client.messages.createWithAttachments(
      conversation.id,
      {
        content: 'the caption',
        messageType: 'incoming',
        sourceId: 'WAID:A2',
        contentAttributes: { in_reply_to: first.id },
      },
      [{ fileName: 'photo.jpg', contentType: 'image/jpeg', data: Buffer.from('JPEGDATA') }],
    );
    expect(withFile.attachments?.map((a) => a.file_type)).toEqual(['image']);
    await client.messages.updateStatus(conversation.id, first.id, 'read');
    await client.messages.delete(conversation.id, withFile.id);
    await client.conversations.toggleStatus(conversation.id, 'resolved');

    const stored = chatwoot.messagesOf(conversation.id);
    expect(stored.map((m) => [m.sourceId, m.status, m.content])).toEqual([
      ['WAID:A1', 'read', 'hello'],
      ['WAID:A2', 'sent', 'This message was deleted'],
    ]);
    expect(stored[1]?.contentAttributes).toMatchObject({
      in_reply_to: first.id,
      in_reply_to_external_id: 'WAID:A1',
    });
    expect(chatwoot.state.conversations.get(conversation.id)?.status).toBe('resolved');
    expect((await client.contacts.conversations(payload.contact.id)).payload.map((c) => c.id)).toEqual([
      conversation.id,
    ]);
  });

  it('reports an outage as retryable, with the delay Retry-After asks for', async () => {
    chatwoot.faults.fail({ status: 503, retryAfter: 7, times: 1 });
    expect(await failing(client.inboxes.list())).toEqual({
      code: 'CHATWOOT_UNAVAILABLE',
      failure: { status: 503, operation: 'GET /inboxes', retryable: true, fatal: false, retryAfterMs: 7000 },
    });
    chatwoot.faults.fail({ status: 429, times: 1 });
    expect((await failing(client.inboxes.list())).failure).toMatchObject({ status: 429, retryable: true });
    await expect(client.inboxes.list()).resolves.toEqual({ payload: [] });
  });

  it('reports a slow Chatwoot as a retryable timeout', async () => {
    const impatient = chatwootClient({ ...chatwoot, timeoutMs: 100 });
    chatwoot.faults.delay({ ms: 1000, times: 1 });
    expect(await failing(impatient.inboxes.list())).toMatchObject({
      code: 'CHATWOOT_TIMEOUT',
      failure: { status: 0, retryable: true, fatal: false },
    });
  });

  it('reports an unreachable Chatwoot as retryable', async () => {
    const gone = await startFakeChatwoot();
    const url = gone.url;
    await gone.close();
    const unreachable = chatwootClient({ url, accountId: 1, token: 'x' });
    expect(await failing(unreachable.inboxes.list())).toMatchObject({
      code: 'CHATWOOT_UNAVAILABLE',
      failure: { status: 0, retryable: true },
    });
  });

  it('reports a refused token and a deleted inbox as fatal, a missing record as neither', async () => {
    const inbox = await client.inboxes.create({ name: 'WA', webhookUrl: 'http://127.0.0.1:9/cb' });
    const { payload } = await client.contacts.create(inbox.id, { name: 'Bo' });
    const conversation = await client.conversations.create({
      sourceId: payload.contact_inbox.source_id,
      inboxId: inbox.id,
    });
    expect(
      await failing(client.messages.create(conversation.id + 100, { content: 'x', messageType: 'incoming' })),
    ).toMatchObject({ code: 'CHATWOOT_NOT_FOUND', failure: { status: 404, retryable: false, fatal: false } });
    chatwoot.deleteInbox(inbox.id);
    expect(await failing(client.conversations.create({ sourceId: 'x', inboxId: inbox.id }))).toMatchObject({
      code: 'CHATWOOT_INBOX_NOT_FOUND',
      failure: { status: 404, fatal: true },
    });
    chatwoot.revokeToken();
    expect(await failing(client.inboxes.list())).toMatchObject({
      code: 'CHATWOOT_UNAUTHORIZED',
      failure: { status: 401, retryable: false, fatal: true },
    });
  });

  it("reports a refused request with Chatwoot's reason", async () => {
    const inbox = await client.inboxes.create({ name: 'WA', webhookUrl: 'http://127.0.0.1:9/cb' });
    await client.contacts.create(inbox.id, { name: 'Ana', phoneNumber: '+5511999990000' });
    const error = await client.contacts
      .create(inbox.id, { name: 'Ana 2', phoneNumber: '+5511999990000' })
      .catch((e) => e);
    expect(error.code).toBe('CHATWOOT_REJECTED');
    expect(error.message).toBe('Chatwoot refused POST /contacts (422: phone number has already been taken)');
    expect(failureOf(error)).toMatchObject({ status: 422, retryable: false, fatal: false });
  });

  it('sends every request through the injected fetch', async () => {
    const seen: string[] = [];
    const counted = chatwootClient({
      ...chatwoot,
      fetch: (url, init) => {
        seen.push(`${init.method} ${new URL(url).pathname}`);
        return fetch(url, init);
      },
    });
    await counted.inboxes.list();
    expect(seen).toEqual(['GET /api/v1/accounts/1/inboxes']);
  });

  it("uploads attachments through the host's guarded fetch (undici's own FormData differs from Node's)", async () => {
    const policy = outgoingPolicy({ allow: ['127.0.0.1'] });
    const guarded = chatwootClient({ ...chatwoot, fetch: (url, init) => policy.fetch(url, init as never) });
    const inbox = await guarded.inboxes.create({ name: 'WA', webhookUrl: 'http://127.0.0.1:9/cb' });
    const { payload } = await guarded.contacts.create(inbox.id, { name: 'Ana' });
    const conversation = await guarded.conversations.create({
      sourceId: payload.contact_inbox.source_id,
      inboxId: inbox.id,
    });
    const message = await guarded.messages.createWithAttachments(
      conversation.id,
      { messageType: 'incoming' },
      [{ fileName: 'a.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4') }],
    );
    expect(
      chatwoot.state.messages.get(message.id)?.attachments.map((a) => [a.fileName, a.data.toString()]),
    ).toEqual([['a.pdf', '%PDF-1.4']]);
    await policy.close();
  });

  it('refuses a private Chatwoot the host does not allow, as a fatal error', async () => {
    const policy = outgoingPolicy({});
    const guarded = chatwootClient({ ...chatwoot, fetch: (url, init) => policy.fetch(url, init as never) });
    expect(await failing(guarded.inboxes.list())).toMatchObject({
      code: 'CHATWOOT_URL_NOT_ALLOWED',
      failure: { retryable: false, fatal: true },
    });
    await policy.close();
  });
});
