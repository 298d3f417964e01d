import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';

/** What a session key could try as a chat, contact or group id to reach Object.prototype. */
const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

// The chat actions go through real Baileys, whose own bookkeeping keys plain objects by chat id:
// an id like `__proto__` once set `id` on Object.prototype for the whole process.
describe('one tenant cannot reach the process through ids (real Baileys on the simulator)', () => {
  let stack: ServerStack;
  let base: string;
  let key: Record<string, string>;
  const ownBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    stack = await startServerStack('postgres');
    const paired = await pairOverHttp(stack, 'tenant', '15557770001');
    base = `/v1/sessions/${paired.id}`;
    key = { authorization: `Bearer ${paired.apiKey}` };
  });
  afterAll(async () => {
    await stack?.close();
  });

  it.each(prototypeKeys)(
    'refuses %s as a chat, contact or group id with 400, and Object.prototype stays clean',
    async (id) => {
      const calls: [string, string, unknown][] = [
        ['POST', `/chats/${id}/archive`, { archived: true }],
        ['POST', `/chats/${id}/pin`, { pinned: true }],
        ['POST', `/chats/${id}/unread`, { unread: true }],
        ['POST', `/chats/${id}/mute`, { until: null }],
        ['POST', `/chats/${id}/read`, {}],
        ['GET', `/chats/${id}`, undefined],
        ['DELETE', `/chats/${id}`, undefined],
        ['GET', `/contacts/${id}`, undefined],
        ['POST', `/contacts/${id}/block`, undefined],
        ['GET', `/contacts/${id}/picture`, undefined],
        ['GET', `/groups/${id}`, undefined],
        ['GET', `/messages?chatId=${id}`, undefined],
      ];
      for (const [method, path, body] of calls) {
        const res = await stack.api(method, base + path, body, key);
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: expect.stringMatching(/^[A-Z_]+$/) });
      }
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(ownBefore);
      expect(({} as Record<string, unknown>).id).toBeUndefined();
      // the session still works for everyone
      expect((await stack.api('GET', base, undefined, key)).body.status).toBe('connected');
    },
  );
});
