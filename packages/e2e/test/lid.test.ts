import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

describe('LID ↔ phone number mapping (Postgres)', () => {
  let stack: ServerStack;
  beforeAll(async () => {
    stack = await startServerStack('postgres');
  });
  afterAll(() => stack?.close());

  it('stores a message from a LID-addressed contact under its phone number and maps the contact', async () => {
    const { id, session } = await pairOverHttp(stack, 'lid', '15554440001');
    const carol = stack.sim.contact('15554440002', { name: 'Carol', addressing: 'lid' });
    const waid = await carol.sendText(session.deviceJid, 'from my LID');
    const message = await waitFor(
      () => stack.store.messages.getByWaid(id, '15554440002@s.whatsapp.net', waid),
      20_000,
      'message',
    );
    expect(message).toMatchObject({
      chatId: '15554440002@s.whatsapp.net',
      senderJid: '15554440002@s.whatsapp.net',
    });
    const contact = await waitFor(
      async () => {
        const res = await stack.api('GET', `/v1/sessions/${id}/contacts/15554440002@s.whatsapp.net`);
        return res.status === 200 && res.body.lid ? res.body : null;
      },
      20_000,
      'contact with LID',
    );
    expect(contact).toMatchObject({
      jid: '15554440002@s.whatsapp.net',
      lid: carol.lid,
      phoneNumber: '15554440002',
    });
  });
});
