import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/contracts/events.js';
import type { Message } from '../src/contracts/message.js';
import { GatewayError } from '../src/errors.js';
import { definePlugin, type GatewayPlugin } from '../src/plugin/types.js';
import { eventsOf, type Harness, rejectsWith, startGateway, waitFor } from './helpers.js';

let h: Harness;
afterEach(() => h.gateway.stop());

async function connected(plugins: GatewayPlugin[]) {
  h = await startGateway({ plugins });
  const session = await h.gateway.sessions.create({ name: 'main' });
  await h.gateway.sessions.connect(session.id);
  const control = h.fake.session(session.id);
  await control.open();
  return { sessionId: session.id, control };
}

const textOf = (m: Message) => (m.msgType === 'text' ? m.content.text : null);

describe('beforeSend hooks', () => {
  it('run in dependency order, each seeing the body the previous one returned', async () => {
    const seen: string[] = [];
    // given in reverse: `signature` depends on `optout`, so optout's hook runs first
    const signature = definePlugin({
      id: 'signature',
      version: '1.0.0',
      dependencies: { optout: '^1.0.0' },
      hooks: {
        beforeSend: ({ body, origin }) => {
          seen.push(`signature:${origin}:${body.type === 'text' ? body.text : ''}`);
          return body.type === 'text' ? { ...body, text: `${body.text}\n— Ana` } : undefined;
        },
      },
    });
    const optout = definePlugin({
      id: 'optout',
      version: '1.0.0',
      hooks: {
        beforeSend: ({ body }) => {
          seen.push(`optout:${body.type === 'text' ? body.text : ''}`);
          return body.type === 'text' ? { ...body, text: body.text.toUpperCase() } : body;
        },
      },
    });
    const { sessionId, control } = await connected([signature, optout]);

    const message = await h.gateway.messages.send(sessionId, { type: 'text', to: '15550002222', text: 'hi' });

    expect(seen).toEqual(['optout:hi', 'signature:api:HI']);
    expect(textOf(message)).toBe('HI\n— Ana');
    await waitFor(() => expect(control.sends).toHaveLength(1));
    expect(control.sends[0]?.content).toMatchObject({ type: 'text', text: 'HI\n— Ana' });
  });

  it('refuses with the GatewayError it throws: nothing stored, nothing sent', async () => {
    const optout = definePlugin({
      id: 'optout',
      version: '1.0.0',
      hooks: {
        beforeSend: ({ body }) => {
          if (body.to === '15550009999')
            throw new GatewayError('OPTOUT_RECIPIENT_OPTED_OUT', 'This contact opted out', {
              statusCode: 403,
            });
        },
      },
    });
    const { sessionId, control } = await connected([optout]);

    const error = await rejectsWith(
      h.gateway.messages.send(sessionId, { type: 'text', to: '15550009999', text: 'buy now' }),
      'OPTOUT_RECIPIENT_OPTED_OUT',
    );
    expect(error).toMatchObject({ statusCode: 403, message: 'This contact opted out' });
    expect((await h.gateway.messages.list(sessionId)).items).toEqual([]);
    expect(await eventsOf(h.store, 'message.sent', 'message.status')).toEqual([]);

    // other recipients still go out
    await h.gateway.messages.send(sessionId, { type: 'text', to: '15550002222', text: 'ok' });
    await waitFor(() => expect(control.sends).toHaveLength(1));
    expect(control.sends[0]?.to).toBe('15550002222@s.whatsapp.net');
  });

  it('a hook that throws anything else refuses the send as PLUGIN_HOOK_FAILED, as does an invalid body', async () => {
    const broken = definePlugin({
      id: 'broken',
      version: '1.0.0',
      hooks: {
        beforeSend: ({ body }) => {
          if (body.type === 'text' && body.text === 'crash') throw new TypeError('oops');
          if (body.type === 'text' && body.text === 'invalid') return { ...body, to: 42 } as never;
        },
      },
    });
    const { sessionId, control } = await connected([broken]);

    const crashed = await rejectsWith(
      h.gateway.messages.send(sessionId, { type: 'text', to: '15550002222', text: 'crash' }),
      'PLUGIN_HOOK_FAILED',
    );
    expect(crashed).toMatchObject({
      statusCode: 500,
      message: 'The beforeSend hook of plugin "broken" failed',
    });
    const invalid = await rejectsWith(
      h.gateway.messages.send(sessionId, { type: 'text', to: '15550002222', text: 'invalid' }),
      'PLUGIN_HOOK_FAILED',
    );
    expect(invalid).toMatchObject({
      message: 'The beforeSend hook of plugin "broken" returned an invalid message body',
    });
    expect((await h.gateway.messages.list(sessionId)).items).toEqual([]);
    expect(control.sends).toEqual([]);
  });

  it('see the plugin origin on plugin sends, and are skipped by an idempotent retry', async () => {
    const origins: string[] = [];
    let sendAsPlugin: ((sessionId: string) => Promise<Message>) | undefined;
    const audit = definePlugin({
      id: 'audit',
      version: '1.0.0',
      hooks: { beforeSend: ({ origin }) => void origins.push(origin) },
      setup: (ctx) => {
        sendAsPlugin = (sessionId) =>
          ctx.gateway.messages.send(sessionId, { type: 'text', to: '15550002222', text: 'from plugin' });
      },
    });
    const { sessionId } = await connected([audit]);
    const body = { type: 'text', to: '15550002222', text: 'once' } as const;
    const first = await h.gateway.messages.send(sessionId, body, { idempotencyKey: 'k1' });
    const retry = await h.gateway.messages.send(sessionId, body, { idempotencyKey: 'k1' });
    await sendAsPlugin!(sessionId);

    expect(retry.id).toBe(first.id);
    expect(origins).toEqual(['api', 'plugin:audit']);
  });
});

describe('ignoreInbound hooks', () => {
  it('store the message but keep its message.received from every plugin handler', async () => {
    const received: string[] = [];
    const allEvents: string[] = [];
    const ignoreList = definePlugin({
      id: 'ignore-list',
      version: '1.0.0',
      hooks: { ignoreInbound: (message) => message.chatId === '15550001111@s.whatsapp.net' },
    });
    const listener = definePlugin({
      id: 'listener',
      version: '1.0.0',
      events: {
        'message.received': (event) => void received.push(event.data.message.waid),
        'message.*': (event: StoredEvent) =>
          void allEvents.push(
            `${event.type}:${'message' in event.data ? (event.data.message as Message).waid : ''}`,
          ),
      },
    });
    const { sessionId, control } = await connected([ignoreList, listener]);

    await control.inbound({
      waid: 'IGNORED',
      chatId: '15550001111@s.whatsapp.net',
      senderJid: '15550001111@s.whatsapp.net',
    });
    await control.inbound({
      waid: 'KEPT',
      chatId: '15550002222@s.whatsapp.net',
      senderJid: '15550002222@s.whatsapp.net',
    });
    // the phone's own message in the ignored chat is not inbound: hooks do not see it
    await control.inbound({ waid: 'MINE', chatId: '15550001111@s.whatsapp.net', isFromMe: true });

    await waitFor(() => expect(allEvents).toContain('message.sent:MINE'));
    await waitFor(() => expect(received).toEqual(['KEPT']));
    expect(allEvents).not.toContain('message.received:IGNORED');

    const stored = (await h.gateway.messages.list(sessionId)).items;
    const ignored = stored.find((m) => m.waid === 'IGNORED');
    expect(ignored?.metadata.ignoredBy).toBe('ignore-list');
    expect(stored.find((m) => m.waid === 'KEPT')?.metadata.ignoredBy).toBeUndefined();
    expect(stored.find((m) => m.waid === 'MINE')?.metadata.ignoredBy).toBeUndefined();
    // the event is in the log (for the SSE stream), only plugins skip it
    const logged = await eventsOf(h.store, 'message.received');
    expect(logged.map((e) => (e.data as { message: Message }).message.waid)).toEqual(['IGNORED', 'KEPT']);
  });

  it('a throwing hook counts as not ignored; the first true wins', async () => {
    const calls: string[] = [];
    const received: string[] = [];
    const plugins = [
      definePlugin({
        id: 'thrower',
        version: '1.0.0',
        hooks: {
          ignoreInbound: (m) => {
            calls.push(`thrower:${m.waid}`);
            throw new Error('db down');
          },
        },
      }),
      definePlugin({
        id: 'first',
        version: '1.0.0',
        hooks: {
          ignoreInbound: (m) => {
            calls.push(`first:${m.waid}`);
            return m.waid === 'DROP';
          },
        },
      }),
      definePlugin({
        id: 'second',
        version: '1.0.0',
        hooks: {
          ignoreInbound: (m) => {
            calls.push(`second:${m.waid}`);
            return m.waid === 'DROP';
          },
        },
        events: { 'message.received': (e) => void received.push(e.data.message.waid) },
      }),
    ];
    const { control } = await connected(plugins);
    await control.inbound({ waid: 'DROP' });
    await control.inbound({ waid: 'KEEP' });

    await waitFor(() => expect(received).toEqual(['KEEP']));
    expect(calls).toEqual(['thrower:DROP', 'first:DROP', 'thrower:KEEP', 'first:KEEP', 'second:KEEP']);
    const logged = await eventsOf(h.store, 'message.received');
    expect(logged.map((e) => (e.data as { message: Message }).message.metadata.ignoredBy ?? null)).toEqual([
      'first',
      null,
    ]);
  });
});
