import { Type } from '@sinclair/typebox';
import { definePlugin } from '@zapgate/core';

// The plugin's own event joins the typed event map: handlers and `ctx.emit` know its payload.
declare module '@zapgate/core' {
  interface GatewayEventMap {
    'autoreply.replied': { chatId: string; keyword: string };
  }
}

/** Answers keywords in text messages, e.g. `autoReply({ replies: { ping: 'pong' } })`. */
export const autoReply = (options: { replies?: Record<string, string> } = {}) =>
  definePlugin({
    id: 'auto-reply',
    version: '1.0.0',
    // validated at boot (every problem listed), defaulted, frozen: ctx.options is typed from it
    optionsSchema: Type.Object({
      replies: Type.Record(Type.String(), Type.String(), { default: { ping: 'pong' } }),
    }),
    options,
    // the events it emits (documented in OpenAPI; ctx.emit refuses any other type)
    eventSchemas: {
      'autoreply.replied': Type.Object({ chatId: Type.String(), keyword: Type.String() }),
    },
    events: {
      // durable: at least once, in log order per session, retried with backoff when it throws
      'message.received': async (event, ctx) => {
        const { message } = event.data;
        if (message.msgType !== 'text' || !event.sessionId) return;
        const keyword = message.content.text.trim().toLowerCase();
        const { replies } = ctx.options;
        // user text is never a plain-object key on its own: `constructor` is not a keyword
        const reply = Object.hasOwn(replies, keyword) ? replies[keyword] : undefined;
        if (reply === undefined) return;
        await ctx.gateway.messages.send(event.sessionId, { type: 'text', to: message.chatId, text: reply });
        await ctx.emit('autoreply.replied', event.sessionId, { chatId: message.chatId, keyword });
      },
    },
  });
