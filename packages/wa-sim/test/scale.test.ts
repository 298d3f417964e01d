import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator, trustSimulatorRoot } from '../src/index.js';
import { eventually, pairDevice, type TestDevice, textOf } from './helpers.js';

const DEVICES = 50;
const BATCH = 10;

describe(`${DEVICES} devices on one simulator`, () => {
  let sim: Simulator;
  const devices: Array<{ device: TestDevice; jid: string }> = [];

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
  });

  afterAll(async () => {
    for (const { device } of devices) device.sock.end(undefined);
    await sim?.close();
  });

  // generous bounds: 50 Baileys sockets share a busy 2-core CI box with the simulator (conditions,
  // never sleeps: a quiet machine finishes in seconds)
  it('pairs every device and exchanges messages concurrently', { timeout: 300_000 }, async () => {
    for (let start = 0; start < DEVICES; start += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, DEVICES - start) }, (_, i) =>
          pairDevice(sim, { phoneNumber: `1555200${String(start + i).padStart(4, '0')}` }),
        ),
      );
      devices.push(...batch.map(({ device, paired }) => ({ device, jid: paired.deviceJid })));
    }
    expect(new Set(devices.map((d) => d.jid)).size).toBe(DEVICES);
    expect(sim.devices().filter((d) => d.online)).toHaveLength(DEVICES);

    const dave = sim.contact('15559990000', { name: 'Dave', deliveryDelayMs: 150, readDelayMs: 300 });
    await Promise.all(
      devices.map(async ({ device, jid }, index) => {
        const inboundId = await dave.sendText(jid, `ping ${index}`);
        const inbound = await eventually(
          () => device.upserts.find((m) => m.key.id === inboundId),
          90_000,
          'ping',
        );
        expect(textOf(inbound.message)).toBe(`ping ${index}`);
        const sent = await device.sock.sendMessage(dave.jid, { text: `pong ${index}` });
        const got = await dave.waitForMessage((m) => m.id === sent?.key.id, { timeoutMs: 90_000 });
        expect(got.from).toBe(jid);
        expect(textOf(got.message)).toBe(`pong ${index}`);
        await eventually(
          () => device.updates.find((u) => u.key.id === sent?.key.id && u.update.status === 4),
          90_000,
          'read',
        );
      }),
    );
    expect(sim.messages.filter((m) => m.recipient === dave.jid && !m.ownCopy)).toHaveLength(DEVICES);
  });
});
