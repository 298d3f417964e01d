import type { Session, SessionStatus } from '../contracts/session.js';
import type { Logger } from '../logger.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import type { Connection, Connector } from '../ports/connector.js';
import type { HeldLease } from '../ports/leases.js';
import type { SessionUpdate, Store } from '../ports/store.js';
import type { GatewayTuning } from './options.js';
import type { OwnedSessions, Ownership } from './ownership.js';
import { connectMany } from './session-boot.js';
import { type LeaseHooks, SessionLeases } from './session-leases.js';
import { SessionReconnects } from './session-reconnect.js';
import { SessionRuntimes } from './session-runtime.js';
import { type IngestFn, requireSession, SessionSockets } from './session-sockets.js';
import { SessionStatusWriter } from './session-status.js';

export type { IngestFn } from './session-sockets.js';

/**
 * Owns every session's socket in this process: at most one per session, because only this
 * class (through its {@link SessionSockets}) calls `connector.connect`, and only after the
 * previous socket of that session closed.
 */
export class SessionManager implements OwnedSessions {
  private readonly runtimes = new SessionRuntimes();
  private readonly leases: SessionLeases;
  private readonly status: SessionStatusWriter;
  private readonly reconnects: SessionReconnects;
  private readonly sockets: SessionSockets;
  private stopping = false;
  private readonly stopped = new AbortController();
  private readonly bootStopped = new AbortController();
  /** Aborts when the manager stops (waits and retries tied to sockets end). */
  readonly stopSignal: AbortSignal = this.stopped.signal;

  constructor(
    private readonly store: Store,
    connector: Connector,
    private readonly tuning: GatewayTuning,
    private readonly logger: Logger,
    ingest: IngestFn,
    outgoing?: OutgoingPolicy,
  ) {
    this.leases = new SessionLeases(logger);
    this.status = new SessionStatusWriter(store, this.runtimes, (sessionId) => void this.lost(sessionId));
    this.reconnects = new SessionReconnects(tuning, logger, {
      stopping: () => this.stopping,
      setStatus: (sessionId, status, reason) => this.setStatus(sessionId, status, reason),
      releaseLease: (runtime) => this.leases.release(runtime),
      reopen: (sessionId, runtime) =>
        this.runtimes.serial(sessionId, async () => {
          if (runtime.connection || this.stopping || (this.leases.ownership && !runtime.lease)) return;
          const session = await this.store.sessions.get(sessionId);
          if (session) await this.sockets.open(runtime, session);
        }),
    });
    this.sockets = new SessionSockets({
      store,
      connector,
      logger,
      ingest,
      outgoing,
      runtimes: this.runtimes,
      leases: this.leases,
      status: this.status,
      reconnects: this.reconnects,
      stopping: () => this.stopping,
      lost: (sessionId) => this.lost(sessionId),
    });
  }

  /** Runs sessions under leases from now on (before `boot`). */
  useOwnership(ownership: Ownership, hooks: LeaseHooks): void {
    this.leases.use(ownership, hooks);
  }

  /** Sessions this node runs: under a lease (several nodes), else with a socket or a reconnect pending. */
  ownedCount(): number {
    let count = 0;
    for (const runtime of this.runtimes.values()) if (this.leases.running(runtime)) count++;
    return count;
  }

  /** This node runs the session (see {@link ownedCount}). */
  runs(sessionId: string): boolean {
    const runtime = this.runtimes.get(sessionId);
    return !!runtime && this.leases.running(runtime);
  }

  /** The live connection of a session, if it has one. */
  connection(sessionId: string): Connection | null {
    return this.runtimes.get(sessionId)?.connection ?? null;
  }

  isActive(sessionId: string): boolean {
    return this.runtimes.get(sessionId)?.connection != null;
  }

  /**
   * The session's socket is open: it has one and the status this node last stored is
   * `connected` (fresher than a row a request read a moment before).
   */
  isOpen(sessionId: string): boolean {
    const runtime = this.runtimes.get(sessionId);
    return !!runtime?.connection && runtime.cached?.status === 'connected';
  }

  /** Taken over (or reconnecting after a start) and not open yet: worth a retry in a moment. */
  isMoving(sessionId: string): boolean {
    const runtime = this.runtimes.get(sessionId);
    return !!runtime?.moving && !this.stopping;
  }

  /**
   * Connects every session that was connected before, in the background: `boot.concurrency`
   * at once, each slot pausing `boot.staggerMs` ± 50 % between two starts (jitter: a thousand
   * sessions do not knock on WhatsApp in lockstep). {@link cancelBoot} ends it early.
   */
  async boot(): Promise<void> {
    const sessions = await this.store.sessions.list({ status: ['connected', 'connecting'] });
    await this.connectMany(sessions.map((session) => session.id));
  }

  claimed(leases: readonly HeldLease[]): void {
    for (const lease of leases) {
      const runtime = this.runtimes.of(lease.sessionId);
      runtime.lease = lease;
      runtime.moving = true;
    }
  }

  /** Connects sessions whose leases this node just claimed (at start, or taken over). */
  async adopt(leases: readonly HeldLease[]): Promise<void> {
    this.claimed(leases);
    await this.connectMany(leases.map((lease) => lease.sessionId));
  }

  /** The lease this node holds on a session, if any. */
  leaseOf(sessionId: string): HeldLease | null {
    return this.runtimes.get(sessionId)?.lease ?? null;
  }

  held(): HeldLease[] {
    return [...this.runtimes.values()].flatMap((runtime) => (runtime.lease ? [runtime.lease] : []));
  }

  movable(): HeldLease[] {
    return [...this.runtimes.values()].flatMap((runtime) =>
      runtime.lease && runtime.connection && !runtime.moving && runtime.cached?.status === 'connected'
        ? [runtime.lease]
        : [],
    );
  }

  private connectMany(sessionIds: readonly string[]): Promise<void> {
    return connectMany(sessionIds, {
      tuning: this.tuning.boot,
      signal: this.bootStopped.signal,
      stopping: () => this.stopping,
      connect: (sessionId) => this.connect(sessionId),
      settled: (sessionId) => this.runtimes.get(sessionId)?.settled.promise,
      logger: this.logger,
    });
  }

  /** Stops starting stored sessions (those not started yet stay `connecting` for the next start). */
  cancelBoot(): void {
    this.bootStopped.abort();
  }

  /** Opens a socket unless one is open or opening. */
  connect(sessionId: string): Promise<Session> {
    return this.runtimes.serial(sessionId, async (runtime) => {
      const session = await requireSession(this.store, sessionId);
      if (runtime.connection) return session;
      await this.leases.ensure(runtime, sessionId);
      this.reconnects.cancel(runtime);
      runtime.attempt = 0;
      runtime.failedStarts = 0;
      return this.sockets.open(runtime, session);
    });
  }

  disconnect(sessionId: string, reason = 'Disconnected by request'): Promise<Session> {
    return this.runtimes.serial(sessionId, async (runtime) => {
      await this.leases.notElsewhere(runtime, sessionId);
      await this.sockets.close(runtime);
      const session = await this.setStatus(sessionId, 'disconnected', reason, { qr: null });
      await this.leases.release(runtime);
      return session;
    });
  }

  logout(sessionId: string): Promise<Session> {
    return this.runtimes.serial(sessionId, async (runtime) => {
      await this.leases.notElsewhere(runtime, sessionId);
      const connection = runtime.connection;
      runtime.generation++;
      runtime.connection = null;
      this.reconnects.cancel(runtime);
      if (connection) {
        await connection
          .logout()
          .catch((error) =>
            this.logger.warn({ err: error, sessionId }, 'logout failed; wiping creds anyway'),
          );
        await connection.close().catch(() => {});
      }
      await this.status.clearAuth(runtime, sessionId);
      const session = await this.setStatus(sessionId, 'logged_out', 'Logged out by request', {
        qr: null,
        deviceJid: null,
      });
      await this.leases.release(runtime);
      return session;
    });
  }

  async restart(sessionId: string): Promise<Session> {
    await this.runtimes.serial(sessionId, async (runtime) => {
      await this.leases.notElsewhere(runtime, sessionId);
      await this.sockets.close(runtime);
    });
    return this.connect(sessionId);
  }

  /** Closes the socket and forgets the runtime (before deleting a session). */
  async forget(sessionId: string): Promise<void> {
    await this.runtimes.serial(sessionId, async (runtime) => {
      await this.leases.notElsewhere(runtime, sessionId);
      await this.sockets.close(runtime);
      await this.leases.release(runtime);
    });
    this.runtimes.delete(sessionId);
  }

  /** Another node took the lease: close the socket at once, write nothing (it is not ours). */
  async lost(sessionId: string, epoch?: number): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    if (!runtime?.lease || (epoch !== undefined && runtime.lease.epoch !== epoch)) return;
    this.logger.warn({ sessionId, epoch: runtime.lease.epoch }, 'lease lost: dropping the socket');
    this.leases.leaseLost();
    runtime.lease = null;
    runtime.moving = false;
    runtime.cached = null;
    await this.sockets.close(runtime);
  }

  /** Over fair share: after its in-flight sends, close the socket, say `connecting`, free the lease. */
  handOver(sessionId: string): Promise<void> {
    return this.runtimes.serial(sessionId, async (runtime) => {
      if (!runtime.lease) return;
      // from here until another node opens it, a request is told to retry (503), not refused;
      // a send admitted before this point holds its place in the queue and goes out first
      runtime.moving = true;
      await this.leases.sendsSettled(sessionId);
      await this.sockets.close(runtime);
      await this.setStatus(sessionId, 'connecting', 'Moving to another node').catch(() => {});
      await this.leases.release(runtime);
    });
  }

  /** Closes every socket; statuses stay as they are so the next start reconnects them. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.bootStopped.abort();
    await Promise.all(
      [...this.runtimes.keys()].map((id) =>
        this.runtimes.serial(id, (runtime) => this.sockets.close(runtime)),
      ),
    );
  }

  /** Tells the manager a session changed outside it (settings, name), so inbound events see it. */
  sessionChanged(session: Session): void {
    const runtime = this.runtimes.get(session.id);
    if (runtime) runtime.cached = session;
  }

  /** Updates a session and announces a status change, in one transaction. */
  setStatus(
    sessionId: string,
    status: SessionStatus,
    reason: string | null,
    extra: SessionUpdate = {},
  ): Promise<Session> {
    return this.status.set(sessionId, status, reason, extra);
  }
}
