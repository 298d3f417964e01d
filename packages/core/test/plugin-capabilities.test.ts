import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type PluginContext } from '../src/plugin/types.js';
import { type TestGateway, testGateway } from '../src/testing/index.js';
import { eventsOf, rejectsWith } from './helpers.js';

let t: TestGateway | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

/** A gateway with one plugin that declares `probe.done`; returns the plugin's context. */
async function probeContext(): Promise<PluginContext> {
  let captured: PluginContext | null = null;
  const probe = definePlugin({
    id: 'probe',
    version: '1.0.0',
    eventSchemas: { 'probe.done': Type.Object({ n: Type.Integer() }) },
    setup: (ctx) => {
      captured = ctx;
    },
  });
  t = await testGateway({ plugins: [probe] });
  return captured as unknown as PluginContext;
}

describe("a plugin's capabilities", () => {
  it('see a store without credentials, Signal keys, API-key hashes, other settings or cursors', async () => {
    const ctx = await probeContext();
    const h = t as TestGateway;
    const created = await h.gateway.sessions.create(
      { name: 'keyed' },
      { apiKeyHash: 'hash-of-a-secret-key' },
    );
    await h.store.auth.setCreds(created.id, { me: { id: '1@s.whatsapp.net' } });

    const views = [ctx.store, await ctx.store.transaction(async (tx) => tx)];
    for (const view of views) {
      expect(Object.keys(view).sort()).toEqual(
        expect.arrayContaining(['chats', 'contacts', 'events', 'messages', 'sessions']),
      );
      for (const hidden of ['auth', 'pluginSettings', 'deadLetters', 'cursors', 'close', 'migrate', 'init'])
        expect(view).not.toHaveProperty(hidden);
      expect(Object.keys(view.sessions).sort()).toEqual(['get', 'getByName', 'list']);
    }
    const session = await ctx.store.sessions.get(created.id);
    expect(session).toMatchObject({ id: created.id, name: 'keyed' });
    expect(JSON.stringify(session)).not.toContain('hash-of-a-secret-key');
    expect(JSON.stringify(await ctx.store.sessions.list())).not.toContain('hash-of-a-secret-key');
  });

  it('emit only the event types they declare, with a clear error for any other', async () => {
    const ctx = await probeContext();
    const h = t as TestGateway;
    const error = await rejectsWith(
      ctx.emit('message.deleted', null, {
        chatId: 'x@s.whatsapp.net',
        messageId: 'm',
        deletedBy: null,
      } as never),
      'PLUGIN_EVENT_NOT_DECLARED',
    );
    expect(error).toMatchObject({
      statusCode: 500,
      message:
        'Plugin "probe" emitted "message.deleted", which it does not declare in eventSchemas (it declares probe.done)',
    });
    await ctx.emit('probe.done' as never, null, { n: 1 } as never);
    await ctx.store.transaction((tx) => ctx.emit('probe.done' as never, null, { n: 2 } as never, tx));
    expect((await eventsOf(h.store, 'probe.done', 'message.deleted')).map((e) => [e.type, e.data])).toEqual([
      ['probe.done', { n: 1 }],
      ['probe.done', { n: 2 }],
    ]);
  });
});
