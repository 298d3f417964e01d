import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeChatwoot, startFakeChatwoot, startReceiver } from '../src/index.js';

let chatwoot: FakeChatwoot;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
  chatwoot = await startFakeChatwoot({ token: 'secret-token' });
  receiver = await startReceiver();
});
afterEach(async () => {
  await chatwoot.close();
  await receiver.close();
});

const api = (path: string, init: RequestInit & { json?: unknown } = {}) => {
  const { json, ...rest } = init;
  return fetch(`${chatwoot.url}/api/v1/accounts/1${path}`, {
    ...rest,
    headers: { api_access_token: chatwoot.token, ...(json ? { 'content-type': 'application/json' } : {}) },
    ...(json ? { body: JSON.stringify(json) } : {}),
  });
};

async function contactAndConversation(inboxId: number) {
  const created = await api('/contacts', {
    method: 'POST',
    json: {
      inbox_id: inboxId,
      name: 'Ana',
      identifier: '5511999990000@s.whatsapp.net',
      phone_number: '+5511999990000',
    },
  });
  const { payload } = (await created.json()) as {
    payload: { contact: { id: number }; contact_inbox: { source_id: string } };
  };
  const conversation = await api('/conversations', {
    method: 'POST',
    json: { source_id: payload.contact_inbox.source_id, inbox_id: inboxId, contact_id: payload.contact.id },
  });
  return {
    contactId: payload.contact.id,
    conversation: (await conversation.json()) as { id: number; status: string },
  };
}

describe('the fake Chatwoot', () => {
  it('refuses and records a request that does not match the OpenAPI document', async () => {
    const response = await api('/contacts', { method: 'POST', json: { name: 'no inbox id' } });
    expect(response.status).toBe(400);
    expect(chatwoot.violations).toEqual([
      {
        method: 'POST',
        path: '/api/v1/accounts/1/contacts',
        operationId: 'contactCreate',
        problems: ["body must have required property 'inbox_id'"],
      },
    ]);
    expect(chatwoot.state.contacts.size).toBe(0);
  });

  it('records an endpoint the document does not have', async () => {
    const response = await api('/contacts/1/notes_typo', { method: 'GET' });
    expect(response.status).toBe(404);
    expect(chatwoot.violations[0]?.problems[0]).toMatch(/is not in the document/);
  });

  it('answers 401 to a wrong token and after the token is revoked', async () => {
    const wrong = await fetch(`${chatwoot.url}/api/v1/accounts/1/inboxes`, {
      headers: { api_access_token: 'x' },
    });
    expect(wrong.status).toBe(401);
    expect((await api('/inboxes')).status).toBe(200);
    chatwoot.revokeToken();
    const old = await fetch(`${chatwoot.url}/api/v1/accounts/1/inboxes`, {
      headers: { api_access_token: 'secret-token' },
    });
    expect(old.status).toBe(401);
  });

  it('keeps contacts, finds them by identifier and refuses a second contact with the same phone', async () => {
    const inbox = chatwoot.createInbox('WhatsApp', receiver.url);
    await contactAndConversation(inbox.id);
    const search = await api(`/contacts/search?q=${encodeURIComponent('5511999990000@s.whatsapp.net')}`);
    const found = (await search.json()) as { payload: { id: number; phone_number: string }[] };
    expect(found.payload.map((c) => c.phone_number)).toEqual(['+5511999990000']);
    const duplicate = await api('/contacts', {
      method: 'POST',
      json: { inbox_id: inbox.id, name: 'Ana again', phone_number: '+5511999990000' },
    });
    expect(duplicate.status).toBe(422);
    const badPhone = await api('/contacts', {
      method: 'POST',
      json: { inbox_id: inbox.id, phone_number: '5511' },
    });
    expect(badPhone.status).toBe(422);
  });

  it('sends message_created signed as Chatwoot signs it, for messages made over the API too', async () => {
    const inbox = chatwoot.createInbox('WhatsApp', receiver.url);
    const { conversation } = await contactAndConversation(inbox.id);
    const created = await api(`/conversations/${conversation.id}/messages`, {
      method: 'POST',
      json: { content: 'hello', message_type: 'incoming', source_id: 'WAID:ABC' },
    });
    expect(created.status).toBe(200);
    await chatwoot.webhooksIdle();
    const delivery = receiver.received.find((r) => JSON.parse(r.body).event === 'message_created')!;
    const timestamp = delivery.headers['x-chatwoot-timestamp'] as string;
    const expected = createHmac('sha256', inbox.secret!)
      .update(`${timestamp}.${delivery.body}`)
      .digest('hex');
    expect(delivery.headers['x-chatwoot-signature']).toBe(`sha256=${expected}`);
    expect(delivery.headers['x-chatwoot-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.parse(delivery.body);
    expect(body).toMatchObject({
      message_type: 'incoming',
      content: 'hello',
      source_id: 'WAID:ABC',
      private: false,
      conversation: { id: conversation.id, inbox_id: inbox.id },
      inbox: { id: inbox.id },
    });
  });

  it('takes attachments as multipart and serves them, after a file is "not ready" for a while', async () => {
    const inbox = chatwoot.createInbox('WhatsApp');
    const { conversation } = await contactAndConversation(inbox.id);
    const form = new FormData();
    form.append('content', 'a caption');
    form.append('message_type', 'incoming');
    form.append('content_attributes', JSON.stringify({}));
    form.append('attachments[]', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'pic.png');
    const response = await fetch(
      `${chatwoot.url}/api/v1/accounts/1/conversations/${conversation.id}/messages`,
      {
        method: 'POST',
        headers: { api_access_token: chatwoot.token },
        body: form,
      },
    );
    expect(response.status).toBe(200);
    const message = (await response.json()) as { attachments: { data_url: string; file_type: string }[] };
    expect(message.attachments[0]?.file_type).toBe('image');
    chatwoot.faults.attachmentsNotReady(1);
    expect((await fetch(message.attachments[0]!.data_url)).status).toBe(404);
    const file = await fetch(message.attachments[0]!.data_url);
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('PNGDATA');
  });

  it('refuses a multipart message without files, and a private flag that is not "true"/"false"', async () => {
    const inbox = chatwoot.createInbox('WhatsApp');
    const { conversation } = await contactAndConversation(inbox.id);
    const form = new FormData();
    form.append('content', 'x');
    form.append('private', 'yes');
    const response = await fetch(
      `${chatwoot.url}/api/v1/accounts/1/conversations/${conversation.id}/messages`,
      {
        method: 'POST',
        headers: { api_access_token: chatwoot.token },
        body: form,
      },
    );
    expect(response.status).toBe(400);
    expect(chatwoot.violations[0]?.problems).toEqual([
      "body must have required property 'attachments[]'",
      'body/private must be equal to one of the allowed values',
    ]);
  });

  it('fails with 503 and Retry-After during an outage, then recovers', async () => {
    chatwoot.faults.fail({ status: 503, retryAfter: 7, times: 2 });
    const first = await api('/inboxes');
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '7']);
    expect((await api('/inboxes')).status).toBe(503);
    expect((await api('/inboxes')).status).toBe(200);
  });

  it('updates message status (API inboxes) and tells the inbox with message_updated', async () => {
    const inbox = chatwoot.createInbox('WhatsApp', receiver.url);
    const { conversation } = await contactAndConversation(inbox.id);
    const { result } = await chatwoot.dashboard.reply(conversation.id, { content: 'hi from agent' });
    const response = await api(`/conversations/${conversation.id}/messages/${result.id}`, {
      method: 'PATCH',
      json: { status: 'failed', external_error: 'not on WhatsApp' },
    });
    expect(response.status).toBe(200);
    await chatwoot.webhooksIdle();
    const updated = receiver.received
      .map((r) => JSON.parse(r.body))
      .filter((b) => b.event === 'message_updated');
    expect(updated.map((b) => b.content_attributes.external_error)).toEqual(['not on WhatsApp']);
    expect(chatwoot.state.messages.get(result.id)?.status).toBe('failed');
  });

  it('records the replied message source id on agent replies, and marks deletes', async () => {
    const inbox = chatwoot.createInbox('WhatsApp', receiver.url);
    const { conversation } = await contactAndConversation(inbox.id);
    const incoming = await api(`/conversations/${conversation.id}/messages`, {
      method: 'POST',
      json: { content: 'question', message_type: 'incoming', source_id: 'WAID:Q1' },
    });
    const { id } = (await incoming.json()) as { id: number };
    const reply = await chatwoot.dashboard.reply(conversation.id, { content: 'answer', inReplyTo: id });
    expect(JSON.parse(reply.delivery!.body).content_attributes).toEqual({
      in_reply_to: id,
      in_reply_to_external_id: 'WAID:Q1',
    });
    const deleted = await chatwoot.dashboard.delete(reply.result.id);
    expect(JSON.parse(deleted.delivery!.body)).toMatchObject({
      event: 'message_updated',
      content: 'This message was deleted',
      content_attributes: { deleted: true },
    });
  });

  it('answers 404 about an inbox once it is deleted', async () => {
    const inbox = chatwoot.createInbox('WhatsApp');
    const { conversation } = await contactAndConversation(inbox.id);
    chatwoot.deleteInbox(inbox.id);
    expect((await api(`/inboxes/${inbox.id}`)).status).toBe(404);
    const post = await api(`/conversations/${conversation.id}/messages`, {
      method: 'POST',
      json: { content: 'x' },
    });
    expect(post.status).toBe(404);
    expect(chatwoot.violations).toEqual([]);
  });
});

describe('the fake Chatwoot, with bodies it does not know', () => {
  it('records a text body where JSON or multipart is expected, instead of failing', async () => {
    const cw = await startFakeChatwoot();
    const response = await fetch(`${cw.url}/api/v1/accounts/1/inboxes`, {
      method: 'POST',
      headers: { api_access_token: cw.token, 'content-type': 'text/plain' },
      body: '[object FormData]',
    });
    expect(response.status).toBe(400);
    expect(cw.violations[0]?.problems).toEqual(['body of type text/plain is not documented']);
    await cw.close();
  });
});
