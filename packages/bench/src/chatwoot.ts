import { createServer } from 'node:net';
import { type FakeChatwoot, startFakeChatwoot, startReceiver } from '@zapgate/chatwoot-sim';
import { chatwoot, chatwootClient } from '@zapgate/plugin-chatwoot';
import { type Figure, printFigures, until } from './report.js';
import { adminKey, type Backend, scratch, startStack } from './stack.js';

/** Sizes of {@link chatwootBench}. */
export interface ChatwootSizes {
  /** Chats (each its own Chatwoot conversation and job lane). */
  chats: number;
  /** Messages per direction. */
  messages: number;
  timeoutMs: number;
}

const auth = { authorization: `Bearer ${adminKey}` };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * References, measured against the same fake Chatwoot in the same run: WhatsApp → Chatwoot
 * against the plugin's own client posting the same messages straight to Chatwoot with one
 * request in flight per chat (what the bridge does per chat lane, minus the gateway); Chatwoot
 * → WhatsApp against the fake's webhooks going to a bare HTTP receiver (the rate Chatwoot's
 * side can deliver callbacks at, one at a time in order as Chatwoot does per inbox).
 */
async function references(chatwoot: FakeChatwoot, sizes: ChatwootSizes) {
  const inbox = chatwoot.createInbox('reference');
  const client = chatwootClient({ url: chatwoot.url, accountId: chatwoot.accountId, token: chatwoot.token });
  const conversations: number[] = [];
  for (let c = 0; c < sizes.chats; c += 1) {
    const { payload } = await client.contacts.create(inbox.id, {
      name: `ref ${c}`,
      identifier: `ref${c}@s.whatsapp.net`,
    });
    const conversation = await client.conversations.create({
      sourceId: payload.contact_inbox.source_id,
      inboxId: inbox.id,
      contactId: payload.contact.id,
    });
    conversations.push(conversation.id);
  }
  const perChat = Math.ceil(sizes.messages / sizes.chats);
  const t0 = performance.now();
  await Promise.all(
    conversations.map(async (id, c) => {
      for (let i = 0; i < perChat; i += 1) {
        await client.messages.create(id, {
          content: `ref ${c}/${i}`,
          messageType: 'incoming',
          sourceId: `REF:${c}:${i}`,
        });
      }
    }),
  );
  const toChatwoot = (perChat * sizes.chats) / ((performance.now() - t0) / 1000);

  const receiver = await startReceiver();
  inbox.webhookUrl = receiver.url;
  const t1 = performance.now();
  for (let i = 0; i < sizes.messages; i += 1) {
    await chatwoot.dashboard.reply(conversations[i % conversations.length]!, { content: `agent ${i}` });
  }
  await until(() => receiver.received.length >= sizes.messages, sizes.timeoutMs);
  const callbacks = sizes.messages / ((performance.now() - t1) / 1000);
  await receiver.close();
  return { toChatwoot, callbacks };
}

/**
 * Bridged messages per second in both directions: the reference server on a fake WhatsApp
 * connector with the Chatwoot plugin, against the spec-validating fake Chatwoot over HTTP.
 */
export async function chatwootBench(backend: Backend, sizes: ChatwootSizes): Promise<void> {
  const fake = await startFakeChatwoot();
  const db = await scratch(backend);
  const port = await freePort();
  const stack = await startStack(db, {
    sessions: 1,
    plugins: [chatwoot({ publicUrl: `http://127.0.0.1:${port}`, concurrency: 8 })],
  });
  await stack.app.listen({ port, host: '127.0.0.1' });
  const sessionId = stack.sessionIds[0]!;
  const session = stack.fake.session(sessionId);
  const figures: Figure[] = [];
  try {
    const reference = await references(fake, sizes);
    const put = await stack.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${sessionId}/plugins/chatwoot`,
      headers: auth,
      payload: {
        url: fake.url,
        accountId: fake.accountId,
        token: fake.token,
        inboxName: 'bench',
        commands: false,
      },
    });
    if (put.statusCode !== 200) throw new Error(`settings refused: ${put.statusCode} ${put.body}`);
    await until(async () => {
      const res = await stack.app.inject({
        method: 'GET',
        url: `/v1/sessions/${sessionId}/chatwoot`,
        headers: auth,
      });
      return res.json().status === 'running';
    }, sizes.timeoutMs);

    // WhatsApp → Chatwoot: every chat's first message makes its contact and conversation
    const bridged = () =>
      [...fake.state.messages.values()].filter((m) => m.sourceId?.startsWith('WAID:BENCH')).length;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: sizes.messages }, (_, i) =>
        session.inbound({
          waid: `BENCH${i}`,
          chatId: `1555900${String(i % sizes.chats).padStart(4, '0')}@s.whatsapp.net`,
          msgType: 'text',
          content: { text: `message ${i}` },
        }),
      ),
    );
    const done = await until(() => bridged() >= sizes.messages, sizes.timeoutMs, 50);
    const inRate = bridged() / ((performance.now() - t0) / 1000);
    figures.push({
      name: `WhatsApp → Chatwoot (${backend}, ${sizes.chats} chats${done ? '' : ', timed out'})`,
      value: inRate,
      unit: 'msg/s',
      reference: { name: 'direct API posts, one per chat in flight', value: reference.toChatwoot },
      better: 'higher',
    });

    // Chatwoot → WhatsApp: agents answer in every conversation
    const conversations = [...fake.state.conversations.values()]
      .filter((c) => fake.state.inboxes.get(c.inboxId)?.name === 'bench')
      .map((c) => c.id);
    const sent = () => session.sends.filter((s) => s.error === null).length;
    const before = sent();
    const t1 = performance.now();
    for (let i = 0; i < sizes.messages; i += 1) {
      await fake.dashboard.reply(conversations[i % conversations.length]!, { content: `agent ${i}` });
    }
    const out = await until(() => sent() - before >= sizes.messages, sizes.timeoutMs, 50);
    figures.push({
      name: `Chatwoot → WhatsApp (${backend}${out ? '' : ', timed out'})`,
      value: (sent() - before) / ((performance.now() - t1) / 1000),
      unit: 'msg/s',
      reference: { name: 'the fake’s webhooks to a bare receiver', value: reference.callbacks },
      better: 'higher',
    });
    printFigures('Chatwoot bridge: bridged messages per second', figures, [
      `${sizes.messages} messages per direction over ${sizes.chats} chats; the fake Chatwoot validates every request against Chatwoot's OpenAPI document`,
      'Chatwoot → WhatsApp: the fake sends webhooks one at a time, in order, as Chatwoot does per inbox; the reference is that ceiling',
    ]);
  } finally {
    await stack.close();
    await fake.close();
    await db.drop();
  }
}
