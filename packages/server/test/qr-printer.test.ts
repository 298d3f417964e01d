import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createGateway, silentLogger } from '@zapgate/core';
import { fakeConnector, memoryStore } from '@zapgate/core/testing';
import QRCode from 'qrcode';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { qrPrinter } from '../src/qr-printer.js';
import { type RunningServer, startServer } from '../src/start.js';
import { waitFor } from './fixtures.js';

/** A stdout stand-in that keeps what is written; `isTTY` like a terminal when asked. */
function terminal(isTTY?: boolean) {
  let text = '';
  const out = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    isTTY === undefined ? {} : { isTTY },
  );
  return { out, text: () => text };
}

const qrValue = '2@printer-test,abc,def,ghi';
const expectedQr = () => QRCode.toString(qrValue, { type: 'terminal', small: true });

describe('terminal QR codes from the event log', () => {
  let running: RunningServer | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts the server on a memory store with `env`, creates a session and shows a QR for it. */
  async function showQr(env: Record<string, string>, out: Writable) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-qr-'));
    const config = loadConfig({
      env: {
        ZAPGATE_DATA_DIR: dataDir,
        ZAPGATE_ADMIN_KEY: 'qr-test-admin-key-0123456789',
        LOG_LEVEL: 'silent',
        ZAPGATE_PLUGINS: 'none', // the memory store keeps no plugin tables
        ...env,
      },
    });
    const connector = fakeConnector();
    running = await startServer(config, { store: memoryStore(), connector, out, listen: false });
    const { gateway } = running.app;
    const session = await gateway.sessions.create({ name: 'front-desk' });
    await gateway.sessions.connect(session.id);
    await connector.session(session.id).qr(qrValue);
    return gateway;
  }

  it('prints each new QR as a terminal QR code with the session name (ZAPGATE_PRINT_QR=true)', async () => {
    const term = terminal();
    await showQr({ ZAPGATE_PRINT_QR: 'true' }, term.out);
    const printed = await waitFor(() => term.text().includes('front-desk') && term.text());
    expect(printed).toContain('Session "front-desk": scan with WhatsApp');
    expect(printed).toContain(await expectedQr());
  });

  it('prints by default when stdout is a terminal', async () => {
    const term = terminal(true);
    await showQr({}, term.out);
    expect(await waitFor(() => term.text())).toContain(await expectedQr());
  });

  it('prints nothing when not a terminal, or when disabled on a terminal', async () => {
    for (const [env, isTTY] of [
      [{}, undefined],
      [{ ZAPGATE_PRINT_QR: 'false' }, true],
    ] as const) {
      const term = terminal(isTTY);
      const gateway = await showQr(env, term.out);
      expect(await gateway.store.events.list({ afterSeq: 0, limit: 10, types: ['session.qr'] })).toHaveLength(
        1,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(term.text()).toBe('');
      await running?.close();
      running = undefined;
    }
  });
});

describe('qrPrinter', () => {
  it('skips a QR that expired before it could be printed', async () => {
    const connector = fakeConnector();
    const gateway = createGateway({ store: memoryStore(), connector, logger: silentLogger });
    await gateway.start();
    const term = terminal();
    const printer = qrPrinter({ store: gateway.store, out: term.out, pollMs: 20 });
    try {
      const session = await gateway.sessions.create({ name: 'late' });
      await gateway.sessions.connect(session.id);
      const control = connector.session(session.id);
      await control.qr('2@expired', new Date(Date.now() - 1000).toISOString());
      await new Promise((resolve) => setTimeout(resolve, 100)); // read on its own, not with the next
      expect(term.text()).toBe('');
      await control.qr(qrValue);
      const printed = await waitFor(() => term.text());
      expect(printed).toContain(await expectedQr());
      expect(printed).not.toContain(await QRCode.toString('2@expired', { type: 'terminal', small: true }));
      expect(printed.match(/Session "late"/g)).toHaveLength(1);
    } finally {
      await printer.stop();
      await printer.stop();
      await gateway.stop();
    }
  });
});
