// Compiled by test/readme-examples.test.ts (tsc): each @ts-expect-error must be an error, or tsc fails.
import { Type } from '@sinclair/typebox';
import { definePlugin, type GatewayPlugin } from '../../src/index.js';

const typed = definePlugin({
  id: 'typed-settings',
  version: '1.0.0',
  sessionSettingsSchema: Type.Object({ greeting: Type.String(), delayMs: Type.Integer({ default: 0 }) }),
  events: {
    'message.received': async (event, ctx) => {
      const settings = await ctx.settings.get(event.sessionId ?? '');
      const greeting: string | undefined = settings?.greeting;
      const delay: number | undefined = settings?.delayMs;
      // @ts-expect-error not a field of the schema
      void settings?.farewell;
      void [greeting, delay];
    },
  },
});

const untyped = definePlugin({
  id: 'untyped-settings',
  version: '1.0.0',
  setup: async (ctx) => {
    const settings = await ctx.settings.get('s');
    const anything: unknown = settings?.whatever;
    void anything;
  },
});

export const plugins: GatewayPlugin[] = [typed, untyped];
