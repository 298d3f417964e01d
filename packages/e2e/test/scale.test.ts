import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

const SESSIONS = 20;

describe('20 sessions at once (Postgres)', () => {
  let stack: ServerStack;
  beforeAll(async () => {
    stack = await startServerStack('postgres');
  });
  afterAll(() => stack?.close());

  it('pairs 20 sessions concurrently, each receives and sends, and all reconnect after a restart', async () => {
    const numbers = Array.from({ length: SESSIONS }, (_, i) => `1555333${String(i).padStart(4, '0')}`);
    const paired = await Promise.all(numbers.map((phone, i) => pairOverHttp(stack, `scale-${i}`, phone)));
    expect(new Set(paired.map((p) => p.session.deviceJid)).size).toBe(SESSIONS);

    const contact = stack.sim.contact('15553339999', { name: 'Zed' });
    await Promise.all(
      paired.map(async ({ id, session }, i) => {
        const waid = await contact.sendText(session.deviceJid, `to session ${i}`);
        const stored = await waitFor(
          () => stack.store.messages.getByWaid(id, '15553339999@s.whatsapp.net', waid),
          30_000,
          `inbound ${i}`,
        );
        expect(stored.content).toEqual({ text: `to session ${i}` });
        const sent = await stack.api('POST', `/v1/sessions/${id}/messages`, {
          type: 'text',
          to: '15553339999',
          text: `from session ${i}`,
        });
        expect(sent.status).toBe(202);
        const got = await contact.waitForMessage((m) => m.id === sent.body.waid && !m.ownCopy, {
          timeoutMs: 30_000,
        });
        expect(got.from.startsWith(numbers[i]!)).toBe(true);
      }),
    );

    await stack.restart();
    const after = await waitFor(
      async () => {
        const sessions = (await stack.api('GET', '/v1/sessions')).body.items as {
          status: string;
          deviceJid: string;
        }[];
        return sessions.filter((s) => s.status === 'connected').length === SESSIONS ? sessions : null;
      },
      60_000,
      'all 20 reconnected',
    );
    // same devices, none paired again
    expect(new Set(after.map((s) => s.deviceJid))).toEqual(new Set(paired.map((p) => p.session.deviceJid)));
    expect(stack.sim.devices()).toHaveLength(SESSIONS);
  });
});
