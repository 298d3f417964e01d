import { definePlugin, GatewayError } from '@zapgate/core';
import type { SimContact } from '@zapgate/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, backends, pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

const ALICE = '15553330002';
const BOB = '15553330003';
const SPAMMER = '15553330004';

/** An opt-out list and an agent signature, as a plugin author would write them. */
const optout = definePlugin({
  id: 'optout',
  version: '1.0.0',
  hooks: {
    beforeSend: ({ body }) => {
      if (body.to === BOB)
        throw new GatewayError('OPTOUT_RECIPIENT_OPTED_OUT', `${BOB} opted out`, { statusCode: 403 });
      return body.type === 'text' ? { ...body, text: `${body.text}\n— Zapgate` } : undefined;
    },
    ignoreInbound: (message) => message.chatId === `${SPAMMER}@s.whatsapp.net`,
  },
  events: {
    'message.received': (event) => void receivedByPlugin.push(event.data.message.waid),
  },
});
const receivedByPlugin: string[] = [];

describe.each(backends)('plugin hooks over HTTP with Baileys on %s', (backend: Backend) => {
  let stack: ServerStack;
  let sessionId: string;
  let deviceJid: string;
  let alice: SimContact;
  let bob: SimContact;

  beforeAll(async () => {
    receivedByPlugin.length = 0;
    stack = await startServerStack(backend, { server: { plugins: [optout] } });
    const paired = await pairOverHttp(stack, 'hooks', '15553330001');
    sessionId = paired.id;
    deviceJid = paired.session.deviceJid;
    alice = stack.sim.contact(ALICE, { name: 'Alice' });
    bob = stack.sim.contact(BOB, { name: 'Bob' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a beforeSend veto reaches the API caller and nothing is stored or sent', async () => {
    const vetoed = await stack.api('POST', `/v1/sessions/${sessionId}/messages`, {
      type: 'text',
      to: BOB,
      text: 'special offer',
    });
    expect(vetoed.status).toBe(403);
    expect(vetoed.body).toEqual({
      statusCode: 403,
      code: 'OPTOUT_RECIPIENT_OPTED_OUT',
      error: 'Forbidden',
      message: `${BOB} opted out`,
    });
    const listed = await stack.api('GET', `/v1/sessions/${sessionId}/messages`);
    expect(listed.body.items).toEqual([]);

    // a later send to Bob's neighbour goes out changed by the hook; Bob never got anything
    const allowed = await stack.api('POST', `/v1/sessions/${sessionId}/messages`, {
      type: 'text',
      to: ALICE,
      text: 'hello',
    });
    expect(allowed.status).toBe(202);
    const got = await alice.waitForMessage((m) => m.id === allowed.body.waid && !m.ownCopy, {
      timeoutMs: 20_000,
    });
    expect(got.message.conversation ?? got.message.extendedTextMessage?.text).toBe('hello\n— Zapgate');
    expect(stack.sim.messages.filter((m) => m.to === `${BOB}@s.whatsapp.net`)).toEqual([]);
    expect(bob.received).toEqual([]);
  });

  it('an inbound message a hook ignores is stored but reaches no plugin handler', async () => {
    const spammer = stack.sim.contact(SPAMMER, { name: 'Spam' });
    const ignoredWaid = await spammer.sendText(deviceJid, 'buy followers');
    const keptWaid = await alice.sendText(deviceJid, 'hi there');
    await waitFor(() => (receivedByPlugin.includes(keptWaid) ? true : null), 20_000, 'kept message');
    const ignored = await waitFor(
      () => stack.store.messages.getByWaid(sessionId, `${SPAMMER}@s.whatsapp.net`, ignoredWaid),
      20_000,
      'ignored message stored',
    );
    expect(ignored.metadata.ignoredBy).toBe('optout');
    expect(receivedByPlugin).not.toContain(ignoredWaid);
  });
});
