// Drives a `memory-child` process (gateway or raw Baileys sockets) over IPC: the parent's
// simulated phone scans the QR codes it reports, `ask` sends a message and awaits an answer.
import { type ChildProcess, fork } from 'node:child_process';
import type { Simulator } from '@zapgate/wa-sim';

/** What `memory-child` answers to `measure`: `process.memoryUsage()` after GC. */
export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Sessions this node runs (gateway nodes only). */
  owned?: number;
}

export const mb = (bytes: number) => bytes / 1024 / 1024;
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One process of bench 4's `memory-child` (a gateway node, or raw Baileys sockets), driven over IPC. */
export function memoryChild(
  sim: Simulator,
  args: Record<string, unknown>,
): {
  proc: ChildProcess;
  ask: <T>(message: unknown, pick: (m: Record<string, unknown>) => T | undefined) => Promise<T>;
  close(): Promise<void>;
} {
  const proc = fork(new URL('./memory-child.js', import.meta.url), [JSON.stringify(args)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--expose-gc', ...(process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? [])],
  });
  proc.on('message', (message: { qr?: string; phoneNumber?: string; id?: number }) => {
    if (!message.qr) return;
    sim.scanQr(message.qr, { phoneNumber: message.phoneNumber as string }).then(
      () => proc.send({ scanned: message.id }),
      (error: unknown) => proc.send({ failed: message.id, error: String(error) }),
    );
  });
  const ask = <T>(message: unknown, pick: (m: Record<string, unknown>) => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: Record<string, unknown>) => {
        const value = pick(m);
        if (value === undefined) return;
        proc.off('message', on);
        resolve(value);
      };
      proc.on('message', on);
      proc.once('exit', (code) => reject(new Error(`memory child exited with ${code}`)));
      if (message !== null) proc.send(message as never);
    });
  return {
    proc,
    ask,
    async close() {
      proc.send('close');
      await new Promise((resolve) => {
        proc.once('exit', resolve);
        setTimeout(() => proc.kill('SIGKILL'), 30_000).unref();
      });
    },
  };
}
