import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../src/contracts/message.js';
import { definePlugin, type PluginContext } from '../src/plugin/types.js';
import { eventsOf, type Harness, startGateway, waitFor } from './helpers.js';

let h: Harness;
afterEach(() => h.gateway.stop());

describe('send origin', () => {
  it('records api, plugin:<id> and phone on the message and in message.sent', async () => {
    let ctx: PluginContext | undefined;
    const bridge = definePlugin({
      id: 'bridge',
      version: '1.0.0',
      setup: (c) => {
        ctx = c;
      },
    });
    h = await startGateway({ plugins: [bridge] });
    const session = await h.gateway.sessions.create({ name: 'main' });
    await h.gateway.sessions.connect(session.id);
    const control = h.fake.session(session.id);
    await control.open();

    const byApi = await h.gateway.messages.send(session.id, { type: 'text', to: '15550002222', text: 'a' });
    // a plugin cannot claim another origin: its context always sends as itself
    const byPlugin = await ctx!.gateway.messages.send(
      session.id,
      { type: 'text', to: '15550002222', text: 'b' },
      { origin: 'api' },
    );
    await control.inbound({ waid: 'FROM-PHONE', isFromMe: true, content: { text: 'c' } });
    await control.inbound({ waid: 'FROM-ANA', content: { text: 'd' } });

    expect(byApi.origin).toBe('api');
    expect(byPlugin.origin).toBe('plugin:bridge');
    const sent = await waitFor(async () => {
      const events = await eventsOf(h.store, 'message.sent');
      expect(events).toHaveLength(3);
      return events.map((e) => (e.data as { message: Message }).message);
    });
    expect(
      Object.fromEntries(sent.map((m) => [m.content && 'text' in m.content ? m.content.text : '', m.origin])),
    ).toEqual({
      a: 'api',
      b: 'plugin:bridge',
      c: 'phone',
    });
    const [received] = await eventsOf(h.store, 'message.received');
    expect((received!.data as { message: Message }).message.origin).toBeNull();
    expect((await h.store.messages.get(session.id, byPlugin.id))?.origin).toBe('plugin:bridge');
  });
});
