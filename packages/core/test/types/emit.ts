// Compiled by test/readme-examples.test.ts (tsc): each @ts-expect-error must be an error, or tsc fails.
import { Type } from '@sinclair/typebox';
import { definePlugin, type GatewayPlugin } from '../../src/index.js';

const declares = definePlugin({
  id: 'declares',
  version: '1.0.0',
  eventSchemas: { 'plugin.settings.updated': Type.Object({ pluginId: Type.String() }) },
  setup: async (ctx) => {
    await ctx.emit('plugin.settings.updated', null, { pluginId: 'declares' });
    // @ts-expect-error a type the plugin does not declare
    await ctx.emit('message.deleted', null, { chatId: 'x', messageId: 'm', deletedBy: null });
  },
  events: {
    'message.received': async (_event, ctx) => {
      // @ts-expect-error handlers get the same narrowed emit
      await ctx.emit('session.qr', null, { qr: 'q', expiresAt: '' });
    },
  },
});

const declaresNone = definePlugin({
  id: 'declares-none',
  version: '1.0.0',
  setup: async (ctx) => {
    // @ts-expect-error a plugin without eventSchemas emits nothing
    await ctx.emit('plugin.settings.updated', null, { pluginId: 'declares-none' });
  },
});

// narrowed plugins are still plugin values a host takes
export const plugins: GatewayPlugin[] = [declares, declaresNone];
