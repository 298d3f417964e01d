import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createGateway,
  type Gateway,
  type GatewayOptions,
  localMediaStore,
  type Store,
  type StoredEvent,
} from '@zapgate/core';
import { baileysConnector } from '@zapgate/core/baileys';
import { waitFor } from '@zapgate/core/testing';
import { type Simulator, startSimulator, trustSimulatorRoot } from '@zapgate/wa-sim';

/** A gateway wired to a fresh simulator: real Baileys, real store, nothing mocked. */
export interface Stack {
  sim: Simulator;
  gateway: Gateway;
  store: Store;
  dataDir: string;
  /** A new gateway on the same store and simulator (a "server restart"). */
  restart(): Promise<Gateway>;
  close(): Promise<void>;
}

export const fastTuning: GatewayOptions['tuning'] = {
  reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
  events: { pollIntervalMs: 100, retryMinMs: 50, retryMaxMs: 500 },
  boot: { staggerMs: 20 },
};

export async function startStack(store: Store, options: Partial<GatewayOptions> = {}): Promise<Stack> {
  const sim = await startSimulator();
  const untrust = trustSimulatorRoot(sim);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-e2e-'));
  const build = () =>
    createGateway({
      store,
      connector: baileysConnector({ ...sim.baileysConfig() }),
      mediaStore: localMediaStore({ dir: path.join(dataDir, 'media') }),
      tuning: fastTuning,
      ...options,
    });
  const stack: Stack = {
    sim,
    store,
    dataDir,
    gateway: build(),
    async restart() {
      await stack.gateway.stop();
      stack.gateway = build();
      await stack.gateway.start();
      return stack.gateway;
    },
    async close() {
      await stack.gateway.stop();
      await sim.close();
      untrust();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await stack.gateway.start();
  return stack;
}

export { waitFor };

/** Events of a type in the durable log, oldest first. */
export async function eventsOf(store: Store, type: string, sessionId?: string): Promise<StoredEvent[]> {
  return store.events.list({ afterSeq: 0, limit: 1000, types: [type], ...(sessionId ? { sessionId } : {}) });
}

/** Creates a session, connects it and pairs it by having the simulated phone scan the QR. */
export async function pairByQr(stack: Stack, name: string, phoneNumber: string) {
  const session = await stack.gateway.sessions.create({ name });
  await stack.gateway.sessions.connect(session.id);
  const qr = await waitFor(async () => (await stack.store.sessions.get(session.id))?.qr?.value, 20_000, 'QR');
  await stack.sim.scanQr(qr, { phoneNumber });
  const connected = await waitFor(
    async () => {
      const s = await stack.store.sessions.get(session.id);
      return s?.status === 'connected' ? s : null;
    },
    30_000,
    'connected',
  );
  return connected;
}
