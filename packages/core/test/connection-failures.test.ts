import { afterEach, describe, expect, it } from 'vitest';
import { currentContext } from '../src/context.js';
import { GatewayError } from '../src/errors.js';
import type { Connector } from '../src/ports/connector.js';
import { type Harness, startGateway, waitFor } from './helpers.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.gateway.stop();
  harness = null;
});

describe('a session whose connection attempts keep failing', () => {
  it('backs off, then is failed with the last reason after maxFailedStarts attempts that never reached WhatsApp', async () => {
    harness = await startGateway({
      tuning: { reconnect: { minDelayMs: 5, maxDelayMs: 10, maxFailedStarts: 3 } },
    });
    const { gateway, fake } = harness;
    const session = await gateway.sessions.create({ name: 'flaky' });
    await gateway.sessions.connect(session.id);
    const control = fake.session(session.id);
    // first socket: closed before any QR (a proxy that resets), then two connects that throw
    control.failNextConnect(new Error('Proxy http://p:1 cannot be reached: ECONNRESET'));
    await control.close('connection_lost', 'WebSocket Error (socket hang up)');
    await control.waitForConnects(2);
    control.failNextConnect(new Error('Proxy http://p:1 cannot be reached: ECONNRESET'));
    const failed = await waitFor(async () => {
      const current = await gateway.sessions.get(session.id);
      expect(current.status).toBe('failed');
      return current;
    });
    expect(failed.statusReason).toBe(
      'Gave up after 3 attempts: Could not open a socket: Proxy http://p:1 cannot be reached: ECONNRESET',
    );
    expect(fake.connectCount(session.id)).toBe(3);
    // a manual connect starts counting again
    await gateway.sessions.connect(session.id);
    expect(fake.connectCount(session.id)).toBe(4);
  });

  it('counts only attempts that never reached WhatsApp: a QR in between resets the count', async () => {
    harness = await startGateway({
      tuning: { reconnect: { minDelayMs: 5, maxDelayMs: 10, maxFailedStarts: 2 } },
    });
    const { gateway, fake } = harness;
    const session = await gateway.sessions.create({ name: 'recovering' });
    await gateway.sessions.connect(session.id);
    const control = fake.session(session.id);
    await control.close('connection_lost', 'reset');
    await control.waitForConnects(2);
    await control.qr('2@qr');
    await control.close('connection_lost', 'reset');
    await control.waitForConnects(3);
    expect((await gateway.sessions.get(session.id)).status).toBe('connecting');
  });

  it('is failed at once when the outgoing policy refuses its proxy (retrying cannot help)', async () => {
    const refusing: Connector = {
      name: 'refusing',
      connect: async () => {
        throw new GatewayError('URL_NOT_ALLOWED', 'Proxy 10.0.0.1 is not allowed');
      },
    };
    harness = await startGateway({ connector: refusing });
    const session = await harness.gateway.sessions.create({ name: 'refused' });
    await harness.gateway.sessions.connect(session.id);
    const failed = await waitFor(async () => {
      const current = await harness!.gateway.sessions.get(session.id);
      expect(current.status).toBe('failed');
      return current;
    });
    expect(failed.statusReason).toBe('Could not open a socket: Proxy 10.0.0.1 is not allowed');
  });

  it("runs a connection's work in its session's context (for logs of errors that escape it)", async () => {
    let seen: unknown;
    const observing: Connector = {
      name: 'observing',
      connect: () =>
        new Promise((_, reject) =>
          setTimeout(() => {
            seen = currentContext();
            reject(new Error('stop'));
          }, 1),
        ),
    };
    harness = await startGateway({ connector: observing, tuning: { reconnect: { maxFailedStarts: 1 } } });
    const session = await harness.gateway.sessions.create({ name: 'ctx' });
    await harness.gateway.sessions.connect(session.id);
    expect(seen).toEqual({ sessionId: session.id });
    expect(currentContext()).toEqual({});
  });
});
