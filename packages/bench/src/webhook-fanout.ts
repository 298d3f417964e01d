// Bench 6 — webhook fan-out: events committed at a steady rate to 5 global subscriptions, one
// of them a dead endpoint (accepts connections, never answers); p50/p99 commit→receiver for
// the healthy ones. Reference: the same run without the dead endpoint.
import net from 'node:net';
import { appendEvent } from '@zapgate/core';
import { percentile, printFigures, until } from './report.js';
import { type Backend, type Receiver, scratch, startReceiver, startStack, subscribe } from './stack.js';

export interface FanOutSizes {
  /** Events committed per second. */
  rate: number;
  seconds: number;
  /** Healthy endpoints (the dead one comes on top). */
  healthy: number;
  drainTimeoutMs: number;
}

interface RunResult {
  latencies: number[];
  delivered: number;
  expected: number;
  drainedMs: number;
}

/** A TCP server that accepts connections and never answers: a hung receiver. */
async function deadEndpoint(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/dead`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function run(backend: Backend, sizes: FanOutSizes, withDead: boolean): Promise<RunResult> {
  const db = await scratch(backend);
  const stack = await startStack(db, { sessions: 0 });
  const receivers: Receiver[] = [];
  const dead = withDead ? await deadEndpoint() : null;
  try {
    for (let i = 0; i < sizes.healthy; i++) receivers.push(await startReceiver());
    for (const r of receivers) await subscribe(stack.app, `${r.url}/hook`, ['chat.deleted']);
    if (dead) await subscribe(stack.app, dead.url, ['chat.deleted']);
    const committedAt = new Map<string, number>();
    const total = sizes.rate * sizes.seconds;
    // one transaction per 10 ms tick, as inbound batches arrive
    const perTick = Math.max(1, Math.round(sizes.rate / 100));
    const t0 = Date.now();
    for (let sent = 0, tick = 0; sent < total; tick++) {
      const wait = t0 + tick * 10 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const count = Math.min(perTick, total - sent);
      const ids = await stack.store.transaction(async (tx) => {
        const out: string[] = [];
        for (let i = 0; i < count; i++) {
          const event = await appendEvent(tx, 'chat.deleted', null, {
            chatJid: `f-${sent + i}@s.whatsapp.net`,
          });
          out.push(event.id);
        }
        return out;
      });
      const at = Date.now();
      for (const id of ids) committedAt.set(id, at);
      sent += count;
    }
    const expected = total * receivers.length;
    const counts = async () =>
      (await Promise.all(receivers.map((r) => r.count()))).reduce((a, b) => a + b, 0);
    await until(async () => (await counts()) >= expected, sizes.drainTimeoutMs, 100);
    const drainedMs = Date.now() - t0;
    const latencies: number[] = [];
    let delivered = 0;
    for (const r of receivers) {
      const seen = new Set<string>();
      for (const [arrived, id] of await r.report()) {
        const committed = id ? committedAt.get(id) : undefined;
        if (committed === undefined || seen.has(id as string)) continue;
        seen.add(id as string);
        delivered += 1;
        latencies.push(arrived - committed);
      }
    }
    return { latencies, delivered, expected, drainedMs };
  } finally {
    await stack.close();
    await stack.store.close();
    for (const r of receivers) await r.close();
    await dead?.close();
    await db.drop();
  }
}

export async function webhookFanOutBench(backend: Backend, sizes: FanOutSizes): Promise<void> {
  const reference = await run(backend, sizes, false);
  const measured = await run(backend, sizes, true);
  const p = (r: RunResult, q: number) => percentile(r.latencies, q);
  printFigures(
    `Webhook fan-out on ${backend}: ${sizes.rate} events/s for ${sizes.seconds} s to ${sizes.healthy} healthy endpoints + 1 dead`,
    [
      {
        name: 'healthy p50 commit→receiver',
        value: p(measured, 50),
        unit: 'ms',
        reference: { name: 'no dead endpoint', value: p(reference, 50) },
        better: 'lower',
      },
      {
        name: 'healthy p99 commit→receiver',
        value: p(measured, 99),
        unit: 'ms',
        reference: { name: 'no dead endpoint', value: p(reference, 99) },
        better: 'lower',
      },
      {
        name: 'healthy deliveries/s (first commit → last delivery)',
        value: measured.delivered / (measured.drainedMs / 1000),
        unit: '/s',
        reference: { name: 'no dead endpoint', value: reference.delivered / (reference.drainedMs / 1000) },
        better: 'higher',
      },
    ],
    [
      `delivered to healthy endpoints: ${measured.delivered}/${measured.expected} (reference ${reference.delivered}/${reference.expected})`,
      'the dead endpoint accepts connections and never answers (timeoutMs 10 s, circuit breaker defaults)',
    ],
  );
}
