import type { Session } from '../contracts/session.js';
import { deferred } from '../deferred.js';
import type { Connection } from '../ports/connector.js';
import type { HeldLease } from '../ports/leases.js';

/** What this process knows about one session's socket. */
export interface Runtime {
  /** Bumped for every socket; events from an older socket are ignored. */
  generation: number;
  connection: Connection | null;
  /** Failed attempts since the last `open`. */
  attempt: number;
  /** Attempts in a row that never reached WhatsApp (no QR, no login). */
  failedStarts: number;
  /** The current socket reached WhatsApp (showed a QR or logged in). */
  reached: boolean;
  reconnectTimer: NodeJS.Timeout | null;
  /** Resolves when the current socket settles (open, qr or close) — used by boot. */
  settled: { promise: Promise<void>; resolve: () => void };
  /** Operations on one session run one at a time. */
  queue: Promise<unknown>;
  /** The session as last read or written through this manager (inbound events reuse it). */
  cached: Session | null;
  /** The lease this node runs the session under (several nodes), `null` when it holds none. */
  lease: HeldLease | null;
  /** Claimed (at a start, or from another node) and not open yet: requests should retry shortly. */
  moving: boolean;
}

/** The runtime of every session this process has touched, and each session's queue. */
export class SessionRuntimes {
  private readonly runtimes = new Map<string, Runtime>();

  get(sessionId: string): Runtime | undefined {
    return this.runtimes.get(sessionId);
  }

  values(): IterableIterator<Runtime> {
    return this.runtimes.values();
  }

  keys(): IterableIterator<string> {
    return this.runtimes.keys();
  }

  delete(sessionId: string): void {
    this.runtimes.delete(sessionId);
  }

  /** The session's runtime, created on first use. */
  of(sessionId: string): Runtime {
    let runtime = this.runtimes.get(sessionId);
    if (!runtime) {
      runtime = {
        generation: 0,
        connection: null,
        attempt: 0,
        failedStarts: 0,
        reached: false,
        reconnectTimer: null,
        settled: deferred(),
        queue: Promise.resolve(),
        cached: null,
        lease: null,
        moving: false,
      };
      this.runtimes.set(sessionId, runtime);
    }
    return runtime;
  }

  /** Runs `fn` after every operation queued before on this session. */
  serial<T>(sessionId: string, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
    const current = this.of(sessionId);
    const result = current.queue.then(() => fn(current));
    current.queue = result.catch(() => {});
    return result;
  }
}
