// What the campaign tests that run gateway processes on Postgres share: a throwaway database,
// data directory and simulator, plain pacing, the contacts' arrivals and the at-most-once check.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { type DeviceMessage, type Simulator, startSimulator } from '@zapgate/wa-sim';

/** Pacing at `messagesPerMinute` and nothing else: no pauses, caps, warm-up or typing. */
export const plainPacing = (messagesPerMinute: number, gapJitter = 0) => ({
  messagesPerMinute,
  gapJitter,
  pauseEvery: 0,
  dailyCap: 100_000,
  warmup: { enabled: false },
  typing: { enabled: false },
});

/** Where a recipient may end after a kill: reached, or failed because its send was cut by it. */
export const settledStatuses = new Set(['sent', 'delivered', 'read', 'failed']);

export interface CampaignRig {
  database: { url: string };
  dataDir: string;
  sim: Simulator;
  /** Every message the simulator delivered to a contact (own copies left out), in order. */
  arrivals: Array<{ to: string; at: number }>;
  /** Runs at `close`, last added first. */
  onClose(cleanup: () => Promise<unknown>): void;
  close(): Promise<void>;
}

/** A database (`prefix`), a data directory and a simulator, recording arrivals from the start. */
export async function campaignRig(prefix: string): Promise<CampaignRig> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const database = await createTestDatabase({ prefix });
  cleanups.push(() => database.drop());
  const dataDir = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const sim = await startSimulator();
  cleanups.push(() => sim.close());
  const arrivals: CampaignRig['arrivals'] = [];
  sim.on('message', (message: DeviceMessage) => {
    if (!message.ownCopy) arrivals.push({ to: message.recipient, at: Date.now() });
  });
  return {
    database,
    dataDir,
    sim,
    arrivals,
    onClose: (cleanup) => cleanups.push(cleanup),
    async close() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    },
  };
}

/** Contacts that received the message more than once (at most once: expect none). */
export function receivedTwice(arrivals: CampaignRig['arrivals']): Array<[string, number]> {
  const perContact = new Map<string, number>();
  for (const { to } of arrivals) perContact.set(to, (perContact.get(to) ?? 0) + 1);
  return [...perContact.entries()].filter(([, n]) => n > 1);
}

/** How many distinct contacts received something. */
export const reached = (arrivals: CampaignRig['arrivals']) => new Set(arrivals.map((a) => a.to)).size;
