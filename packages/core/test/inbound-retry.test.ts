import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import type { Store } from '../src/ports/store.js';
import { memoryStore } from '../src/testing/index.js';
import { type Harness, startGateway } from './helpers.js';

let h: Harness;
afterEach(() => h.gateway.stop());

/** A memory store whose next `failures` transactions throw `error` (the database away). */
function flakyStore(error: () => Error) {
  const store = memoryStore();
  const state = { failures: 0 };
  const flaky: Store = {
    ...store,
    transaction: (fn) => {
      if (state.failures > 0) {
        state.failures--;
        return Promise.reject(error());
      }
      return store.transaction(fn);
    },
  };
  return { store: flaky, state };
}

function recording() {
  const errors: Record<string, unknown>[] = [];
  const logger: Logger = {
    level: 'error',
    error: (obj: unknown) => errors.push(obj as Record<string, unknown>),
    warn: () => {},
    info: () => {},
    debug: () => {},
    trace: () => {},
    fatal: () => {},
    child: () => logger,
  } as unknown as Logger;
  const counts = new Map<string, number>();
  const metrics: Metrics = {
    counter: (name) => ({
      inc: (labels = {}) => {
        const k = `${name}${JSON.stringify(labels)}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      },
    }),
    histogram: () => ({ observe: () => {} }),
    gauge: () => ({ set: () => {} }),
  };
  return { logger, errors, metrics, counts };
}

const tuning = { inbound: { retryMinMs: 5, retryMaxMs: 20 } };

describe('inbound store failures', () => {
  it('are retried until the store answers, logged with the session id and counted', async () => {
    const { store, state } = flakyStore(() => new Error('Connection terminated unexpectedly'));
    const rec = recording();
    h = await startGateway({ store, logger: rec.logger, metrics: rec.metrics, tuning });
    const session = await h.gateway.sessions.create({ name: 'main' });
    await h.gateway.sessions.connect(session.id);
    const control = h.fake.session(session.id);
    await control.open();
    state.failures = 3;
    await control.inbound({ waid: 'KEEP-1' });
    expect(
      await h.store.messages.getByWaid(session.id, '15550001111@s.whatsapp.net', 'KEEP-1'),
    ).not.toBeNull();
    expect(rec.counts.get('zapgate_inbound_store_failures_total{"type":"messages"}')).toBe(3);
    const logged = rec.errors.filter((e) => e.type === 'messages');
    expect(logged).toHaveLength(3);
    expect(logged.every((e) => e.sessionId === session.id)).toBe(true);
    expect([...rec.counts.keys()].some((k) => k.startsWith('zapgate_inbound_events_lost_total'))).toBe(false);
  });

  it('gives up at once on a failure of the event itself, and says so', async () => {
    const { store, state } = flakyStore(() => new GatewayError('VALIDATION_FAILED', 'bad event'));
    const rec = recording();
    h = await startGateway({ store, logger: rec.logger, metrics: rec.metrics, tuning });
    const session = await h.gateway.sessions.create({ name: 'main' });
    await h.gateway.sessions.connect(session.id);
    const control = h.fake.session(session.id);
    await control.open();
    state.failures = 1;
    await control.inbound({ waid: 'BAD-1' });
    expect(rec.counts.get('zapgate_inbound_events_lost_total{"type":"messages","reason":"rejected"}')).toBe(
      1,
    );
    expect(rec.errors.find((e) => e.reason === 'rejected')).toMatchObject({ sessionId: session.id });
    // the next event is stored normally
    await control.inbound({ waid: 'GOOD-1' });
    expect(
      await h.store.messages.getByWaid(session.id, '15550001111@s.whatsapp.net', 'GOOD-1'),
    ).not.toBeNull();
  });

  it('withhold an unacknowledged message (the connector sends no receipt) when the store stays away, instead of losing it', async () => {
    const { store, state } = flakyStore(() => new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const rec = recording();
    h = await startGateway({
      store,
      logger: rec.logger,
      metrics: rec.metrics,
      tuning: { inbound: { ...tuning.inbound, unacknowledgedMaxWaitMs: 100 } },
    });
    const session = await h.gateway.sessions.create({ name: 'main' });
    await h.gateway.sessions.connect(session.id);
    const control = h.fake.session(session.id);
    await control.open();
    const connection = control.connection!;
    const message = {
      chatId: '15550001111@s.whatsapp.net',
      waid: 'HELD-1',
      msgType: 'text' as const,
      content: { text: 'hi' },
      senderJid: '15550001111@s.whatsapp.net',
      senderName: null,
      isFromMe: false,
      quotedMsgId: null,
      timestamp: new Date().toISOString(),
    };
    state.failures = 1_000_000;
    await expect(
      connection.onEvent({ type: 'messages', history: false, messages: [message] }, { unacknowledged: true }),
    ).rejects.toThrow('ECONNREFUSED');
    expect(
      rec.counts.get('zapgate_inbound_events_withheld_total{"type":"messages","reason":"timeout"}'),
    ).toBe(1);
    expect([...rec.counts.keys()].some((k) => k.startsWith('zapgate_inbound_events_lost_total'))).toBe(false);
    // delivered again once the store is back: stored, and resolved (the receipt may go)
    state.failures = 0;
    await connection.onEvent(
      { type: 'messages', history: false, messages: [message] },
      { unacknowledged: true },
    );
    expect(await h.store.messages.getByWaid(session.id, message.chatId, 'HELD-1')).not.toBeNull();
  });

  it('still acknowledge an unacknowledged message that can never be stored (its own fault): counted as lost', async () => {
    const { store, state } = flakyStore(() => new GatewayError('VALIDATION_FAILED', 'bad event'));
    const rec = recording();
    h = await startGateway({ store, logger: rec.logger, metrics: rec.metrics, tuning });
    const session = await h.gateway.sessions.create({ name: 'main' });
    await h.gateway.sessions.connect(session.id);
    const control = h.fake.session(session.id);
    await control.open();
    state.failures = 1;
    await control.connection!.onEvent(
      {
        type: 'messages',
        history: false,
        messages: [
          {
            chatId: '15550001111@s.whatsapp.net',
            waid: 'POISON-1',
            msgType: 'text',
            content: { text: 'hi' },
            senderJid: '15550001111@s.whatsapp.net',
            senderName: null,
            isFromMe: false,
            quotedMsgId: null,
            timestamp: new Date().toISOString(),
          },
        ],
      },
      { unacknowledged: true },
    );
    expect(rec.counts.get('zapgate_inbound_events_lost_total{"type":"messages","reason":"rejected"}')).toBe(
      1,
    );
  });
});
