import pLimit from 'p-limit';
import { runInContext } from '../context.js';
import type { Session, SessionStatus } from '../contracts/session.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import type {
  CloseReason,
  Connection,
  Connector,
  ConnectorEvent,
  InboundDelivery,
} from '../ports/connector.js';
import type { HeldLease } from '../ports/leases.js';
import type { Repositories, SessionUpdate, Store } from '../ports/store.js';
import { backoffDelay, sleep } from './backoff.js';
import { appendEvent } from './event-writer.js';
import { checkLease, fencedAuth } from './fenced-auth.js';
import type { GatewayTuning } from './options.js';
import type { OwnedSessions, Ownership } from './ownership.js';

/** Handles everything a connection reports besides its lifecycle. */
export type IngestFn = (
  session: Session,
  event: ConnectorEvent,
  connection: Connection,
  delivery: InboundDelivery,
) => Promise<void>;

interface Runtime {
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

const closeStatus: Partial<Record<CloseReason, { status: SessionStatus; reason: string }>> = {
  logged_out: { status: 'logged_out', reason: 'Logged out from the phone; pair again' },
  replaced: { status: 'failed', reason: 'Connection replaced: another client opened this session' },
  qr_timeout: { status: 'disconnected', reason: 'QR code was not scanned in time' },
  bad_session: { status: 'failed', reason: 'Stored credentials are corrupt; log out and pair again' },
};

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Owns every session's socket in this process: at most one per session, because only this
 * class calls `connector.connect`, and only after the previous socket of that session closed.
 */
export class SessionManager implements OwnedSessions {
  private readonly runtimes = new Map<string, Runtime>();
  /** Set when the store has leases (several nodes may share it): sockets run under a lease. */
  private ownership: Ownership | null = null;
  /** Resolves when a session's queued sends have settled (before a handover). */
  private sendsSettled: (sessionId: string) => Promise<void> = async () => {};
  private stopping = false;
  private readonly stopped = new AbortController();
  private readonly bootStopped = new AbortController();
  /** Aborts when the manager stops (waits and retries tied to sockets end). */
  readonly stopSignal: AbortSignal = this.stopped.signal;

  constructor(
    private readonly store: Store,
    private readonly connector: Connector,
    private readonly tuning: GatewayTuning,
    private readonly logger: Logger,
    private readonly ingest: IngestFn,
    private readonly outgoing?: OutgoingPolicy,
  ) {}

  /** Runs sessions under leases from now on (before `boot`). */
  useOwnership(ownership: Ownership, sendsSettled: (sessionId: string) => Promise<void>): void {
    this.ownership = ownership;
    this.sendsSettled = sendsSettled;
  }

  /** The live connection of a session, if it has one. */
  connection(sessionId: string): Connection | null {
    return this.runtimes.get(sessionId)?.connection ?? null;
  }

  isActive(sessionId: string): boolean {
    return this.runtimes.get(sessionId)?.connection != null;
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

  /** Connects sessions whose leases this node just claimed (at start, or taken over). */
  async adopt(leases: readonly HeldLease[]): Promise<void> {
    for (const lease of leases) {
      const runtime = this.runtime(lease.sessionId);
      runtime.lease = lease;
      runtime.moving = true;
    }
    await this.connectMany(leases.map((lease) => lease.sessionId));
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

  /** Bounded concurrency, each start waiting for the previous in its slot to settle, with jitter. */
  private async connectMany(sessionIds: readonly string[]): Promise<void> {
    const { concurrency, settleTimeoutMs, staggerMs } = this.tuning.boot;
    const signal = this.bootStopped.signal;
    const limit = pLimit(concurrency);
    await Promise.all(
      sessionIds.map((sessionId) =>
        limit(async () => {
          if (this.stopping || signal.aborted) return;
          try {
            await this.connect(sessionId);
            const runtime = this.runtimes.get(sessionId);
            if (runtime) await settleWithin(runtime.settled.promise, settleTimeoutMs, signal);
          } catch (error) {
            this.logger.error({ err: error, sessionId }, 'could not reconnect session on boot');
          }
          // jitter: nodes starting together do not reconnect in lockstep
          await sleep(staggerMs * (0.5 + Math.random()), signal);
        }),
      ),
    );
  }

  /** Stops starting stored sessions (those not started yet stay `connecting` for the next start). */
  cancelBoot(): void {
    this.bootStopped.abort();
  }

  /** Opens a socket unless one is open or opening. */
  connect(sessionId: string): Promise<Session> {
    return this.serial(sessionId, async (runtime) => {
      const session = await this.requireSession(sessionId);
      if (runtime.connection) return session;
      await this.ensureLease(runtime, sessionId);
      this.cancelReconnect(runtime);
      runtime.attempt = 0;
      runtime.failedStarts = 0;
      return this.open(runtime, session);
    });
  }

  disconnect(sessionId: string, reason = 'Disconnected by request'): Promise<Session> {
    return this.serial(sessionId, async (runtime) => {
      await this.notElsewhere(runtime, sessionId);
      await this.closeSocket(runtime);
      const session = await this.setStatus(sessionId, 'disconnected', reason, { qr: null });
      await this.releaseLease(runtime);
      return session;
    });
  }

  logout(sessionId: string): Promise<Session> {
    return this.serial(sessionId, async (runtime) => {
      await this.notElsewhere(runtime, sessionId);
      const connection = runtime.connection;
      runtime.generation++;
      runtime.connection = null;
      this.cancelReconnect(runtime);
      if (connection) {
        await connection
          .logout()
          .catch((error) =>
            this.logger.warn({ err: error, sessionId }, 'logout failed; wiping creds anyway'),
          );
        await connection.close().catch(() => {});
      }
      await this.clearAuth(runtime, sessionId);
      const session = await this.setStatus(sessionId, 'logged_out', 'Logged out by request', {
        qr: null,
        deviceJid: null,
      });
      await this.releaseLease(runtime);
      return session;
    });
  }

  async restart(sessionId: string): Promise<Session> {
    await this.serial(sessionId, async (runtime) => {
      await this.notElsewhere(runtime, sessionId);
      await this.closeSocket(runtime);
    });
    return this.connect(sessionId);
  }

  /** Closes the socket and forgets the runtime (before deleting a session). */
  async forget(sessionId: string): Promise<void> {
    await this.serial(sessionId, async (runtime) => {
      await this.notElsewhere(runtime, sessionId);
      await this.closeSocket(runtime);
      await this.releaseLease(runtime);
    });
    this.runtimes.delete(sessionId);
  }

  /** Another node took the lease: close the socket at once, write nothing (it is not ours). */
  async lost(sessionId: string, epoch?: number): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    if (!runtime?.lease || (epoch !== undefined && runtime.lease.epoch !== epoch)) return;
    this.logger.warn({ sessionId, epoch: runtime.lease.epoch }, 'lease lost: dropping the socket');
    runtime.lease = null;
    runtime.moving = false;
    runtime.cached = null;
    await this.closeSocket(runtime);
  }

  /** Over fair share: after its in-flight sends, close the socket, say `connecting`, free the lease. */
  handOver(sessionId: string): Promise<void> {
    return this.serial(sessionId, async (runtime) => {
      if (!runtime.lease) return;
      await this.sendsSettled(sessionId);
      await this.closeSocket(runtime);
      await this.setStatus(sessionId, 'connecting', 'Moving to another node').catch(() => {});
      await this.releaseLease(runtime);
    });
  }

  /** Closes every socket; statuses stay as they are so the next start reconnects them. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.bootStopped.abort();
    await Promise.all(
      [...this.runtimes.keys()].map((id) => this.serial(id, (runtime) => this.closeSocket(runtime))),
    );
  }

  private async open(runtime: Runtime, session: Session): Promise<Session> {
    const generation = ++runtime.generation;
    runtime.settled = deferred();
    const connecting = await this.setStatus(session.id, 'connecting', null);
    runtime.reached = false;
    try {
      // everything the connection starts runs as this session's work (logged with its id)
      runtime.connection = await runInContext({ sessionId: session.id }, () =>
        this.connector.connect({
          session: connecting,
          auth: runtime.lease
            ? fencedAuth(this.store, runtime.lease, () => void this.lost(session.id))
            : this.store.auth,
          onEvent: (event, delivery) => this.onEvent(session.id, generation, event, delivery ?? {}),
          getMessage: (chatId, waid) => this.store.messages.getByWaid(session.id, chatId, waid),
          ...(this.outgoing ? { outgoing: this.outgoing } : {}),
        }),
      );
      // stopped (or the lease went) while the socket was opening: it must not outlive that
      if (this.stopping || (this.ownership && !runtime.lease)) await this.closeSocket(runtime);
    } catch (error) {
      runtime.settled.resolve();
      this.logger.warn({ err: error, sessionId: session.id }, 'could not open a socket');
      await this.failedStart(session.id, runtime, `Could not open a socket: ${messageOf(error)}`, error);
      return this.requireSession(session.id);
    }
    return connecting;
  }

  private async onEvent(
    sessionId: string,
    generation: number,
    event: ConnectorEvent,
    delivery: InboundDelivery,
  ): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    // a socket we already replaced: what it has not acknowledged yet, WhatsApp delivers again
    const stale = () => {
      if (delivery.unacknowledged) throw new Error('the connection was replaced; not stored');
    };
    if (!runtime || runtime.generation !== generation) return stale();
    switch (event.type) {
      case 'connecting':
        return void (await this.setStatus(sessionId, 'connecting', null));
      case 'qr': {
        runtime.reached = true;
        runtime.failedStarts = 0;
        runtime.moving = false;
        await this.store
          .transaction(async (tx) => {
            await this.updateStatusIn(tx, sessionId, 'qr', 'Waiting for the QR code to be scanned', {
              qr: { value: event.qr, expiresAt: event.expiresAt },
            });
            await appendEvent(tx, 'session.qr', sessionId, { qr: event.qr, expiresAt: event.expiresAt });
          })
          .catch(this.onFenced(sessionId));
        return runtime.settled.resolve();
      }
      case 'open':
        runtime.moving = false;
        runtime.attempt = 0;
        runtime.reached = true;
        runtime.failedStarts = 0;
        await this.setStatus(sessionId, 'connected', null, {
          qr: null,
          deviceJid: event.deviceJid,
          phoneNumber: event.phoneNumber,
          ...(event.pushName ? { pushName: event.pushName } : {}),
        });
        return runtime.settled.resolve();
      case 'close':
        runtime.settled.resolve();
        // Not awaited: the connector may report a close from inside `connect()`, which runs
        // in this session's queue.
        void this.serial(sessionId, () => this.onClose(sessionId, runtime, generation, event)).catch(
          (error) => this.logger.error({ err: error, sessionId }, 'handling a closed connection failed'),
        );
        return;
      default: {
        const session = await this.currentSession(runtime, sessionId);
        if (session && runtime.connection) await this.ingest(session, event, runtime.connection, delivery);
        else stale();
      }
    }
  }

  private async onClose(
    sessionId: string,
    runtime: Runtime,
    generation: number,
    event: Extract<ConnectorEvent, { type: 'close' }>,
  ): Promise<void> {
    if (runtime.generation !== generation || event.reason === 'closed_by_us') return;
    runtime.connection = null;
    runtime.moving = false;
    runtime.generation++;
    this.logger.info({ sessionId, reason: event.reason, message: event.message }, 'connection closed');
    if (this.stopping) return;
    if (event.reason === 'restart_required') {
      const session = await this.requireSession(sessionId);
      await this.open(runtime, session);
      return;
    }
    const final = closeStatus[event.reason];
    if (final) {
      if (event.reason === 'logged_out' || event.reason === 'bad_session')
        await this.clearAuth(runtime, sessionId);
      // the operator must act (pair again, or look at the reason): a warning, not an info line
      this.logger[final.status === 'disconnected' ? 'info' : 'warn'](
        { sessionId, status: final.status, reason: final.reason },
        `session ${final.status}: ${final.reason}`,
      );
      await this.setStatus(sessionId, final.status, final.reason, { qr: null });
      await this.releaseLease(runtime);
      return;
    }
    if (!runtime.reached) await this.failedStart(sessionId, runtime, event.message);
    else this.scheduleReconnect(sessionId, runtime, event.message);
  }

  /**
   * A start that never reached WhatsApp (the proxy or the socket failed first): retried with
   * backoff, and `failed` with the reason after `maxFailedStarts` in a row, or at once when
   * the outgoing policy refuses the session's proxy (retrying cannot help).
   */
  private async failedStart(sessionId: string, runtime: Runtime, reason: string, error?: unknown) {
    runtime.failedStarts++;
    const { maxFailedStarts } = this.tuning.reconnect;
    const refused = isGatewayError(error) && error.code === 'URL_NOT_ALLOWED';
    if (this.stopping || (!refused && (maxFailedStarts === 0 || runtime.failedStarts < maxFailedStarts))) {
      this.scheduleReconnect(sessionId, runtime, reason);
      return;
    }
    const final = refused ? reason : `Gave up after ${runtime.failedStarts} attempts: ${reason}`;
    this.logger.warn(
      { sessionId, attempts: runtime.failedStarts, reason },
      'session failed: WhatsApp cannot be reached',
    );
    await this.setStatus(sessionId, 'failed', final).catch((e) =>
      this.logger.error({ err: e, sessionId }, 'could not mark the session failed'),
    );
    await this.releaseLease(runtime);
  }

  private scheduleReconnect(sessionId: string, runtime: Runtime, reason: string): void {
    const { maxAttempts } = this.tuning.reconnect;
    if (this.stopping) return;
    if (maxAttempts > 0 && runtime.attempt >= maxAttempts) {
      this.logger.warn(
        { sessionId, attempts: runtime.attempt, reason },
        'session failed: gave up reconnecting',
      );
      void this.setStatus(
        sessionId,
        'failed',
        `Gave up after ${runtime.attempt} reconnect attempts: ${reason}`,
      )
        .then(() => this.releaseLease(runtime))
        .catch(() => {});
      return;
    }
    const delay = backoffDelay(runtime.attempt++, this.tuning.reconnect);
    this.logger.info({ sessionId, attempt: runtime.attempt, delayMs: Math.round(delay) }, 'reconnecting');
    void this.setStatus(
      sessionId,
      'connecting',
      `Reconnecting (attempt ${runtime.attempt}): ${reason}`,
    ).catch(() => {});
    runtime.reconnectTimer = setTimeout(() => {
      runtime.reconnectTimer = null;
      void this.serial(sessionId, async () => {
        if (runtime.connection || this.stopping || (this.ownership && !runtime.lease)) return;
        const session = await this.store.sessions.get(sessionId);
        if (session) await this.open(runtime, session);
      }).catch((error) => this.logger.error({ err: error, sessionId }, 'reconnect failed'));
    }, delay);
    runtime.reconnectTimer.unref?.();
  }

  private cancelReconnect(runtime: Runtime): void {
    if (runtime.reconnectTimer) clearTimeout(runtime.reconnectTimer);
    runtime.reconnectTimer = null;
  }

  private async closeSocket(runtime: Runtime): Promise<void> {
    this.cancelReconnect(runtime);
    const connection = runtime.connection;
    runtime.connection = null;
    runtime.generation++;
    runtime.settled.resolve();
    if (connection)
      await connection.close().catch((error) => this.logger.warn({ err: error }, 'close failed'));
  }

  /** Inbound events read settings here: one read per socket, not one per event. */
  private async currentSession(runtime: Runtime, sessionId: string): Promise<Session | null> {
    runtime.cached ??= await this.store.sessions.get(sessionId);
    return runtime.cached;
  }

  /** Tells the manager a session changed outside it (settings, name), so inbound events see it. */
  sessionChanged(session: Session): void {
    const runtime = this.runtimes.get(session.id);
    if (runtime) runtime.cached = session;
  }

  private async requireSession(sessionId: string): Promise<Session> {
    const session = await this.store.sessions.get(sessionId);
    if (!session) throw new GatewayError('SESSION_NOT_FOUND', `Session ${sessionId} does not exist`);
    return session;
  }

  /** Updates a session and announces a status change, in one transaction. */
  setStatus(
    sessionId: string,
    status: SessionStatus,
    reason: string | null,
    extra: SessionUpdate = {},
  ): Promise<Session> {
    return this.store
      .transaction((tx) => this.updateStatusIn(tx, sessionId, status, reason, extra))
      .then((session) => {
        const runtime = this.runtimes.get(sessionId);
        if (runtime) runtime.cached = session;
        return session;
      }, this.onFenced(sessionId));
  }

  /** A refused write (`SESSION_LEASE_LOST`) means the session is not ours: drop it, rethrow. */
  private onFenced(sessionId: string) {
    return (error: unknown): never => {
      if (isGatewayError(error) && error.code === 'SESSION_LEASE_LOST') void this.lost(sessionId);
      throw error;
    };
  }

  /** Without a socket here: claim the lease, or say which node runs the session. */
  private async ensureLease(runtime: Runtime, sessionId: string): Promise<void> {
    if (!this.ownership || runtime.lease) return;
    const lease = await this.ownership.claim(sessionId);
    if (!lease) throw ownedElsewhere(sessionId);
    runtime.lease = lease;
  }

  /** Changing a session another live node runs is that node's job (the host forwards it there). */
  private async notElsewhere(runtime: Runtime, sessionId: string): Promise<void> {
    if (!this.ownership || runtime.lease) return;
    const owner = await this.ownership.owner(sessionId);
    if (owner?.live && owner.nodeId !== this.ownership.nodeId) throw ownedElsewhere(sessionId, owner.nodeId);
  }

  private async releaseLease(runtime: Runtime): Promise<void> {
    runtime.moving = false;
    const lease = runtime.lease;
    if (!lease || !this.ownership) return;
    runtime.lease = null;
    await this.ownership
      .release(lease)
      .catch((error) =>
        this.logger.warn({ err: error, sessionId: lease.sessionId }, 'could not free a lease'),
      );
  }

  /** Creds are wiped under the lease too (a node that lost the session must not wipe them). */
  private async clearAuth(runtime: Runtime, sessionId: string): Promise<void> {
    await this.store
      .transaction(async (tx) => {
        await checkLease(tx, runtime.lease);
        await tx.auth.clear(sessionId);
      })
      .catch(this.onFenced(sessionId));
  }

  private async updateStatusIn(
    tx: Repositories,
    sessionId: string,
    status: SessionStatus,
    reason: string | null,
    extra: SessionUpdate = {},
  ): Promise<Session> {
    await checkLease(tx, this.runtimes.get(sessionId)?.lease ?? null);
    const before = await tx.sessions.get(sessionId);
    if (!before) throw new GatewayError('SESSION_NOT_FOUND', `Session ${sessionId} does not exist`);
    const session = await tx.sessions.update(sessionId, { ...extra, status, statusReason: reason });
    if (before.status !== status) {
      await appendEvent(tx, 'session.status', sessionId, {
        status,
        previous: before.status,
        reason,
        session,
      });
    }
    return session;
  }

  private runtime(sessionId: string): Runtime {
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

  private serial<T>(sessionId: string, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
    const current = this.runtime(sessionId);
    const result = current.queue.then(() => fn(current));
    current.queue = result.catch(() => {});
    return result;
  }
}

/** Waits for `promise`, at most `ms`, or until `signal` aborts; leaves no timer or listener behind. */
async function settleWithin(promise: Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  const done = new AbortController();
  const abort = () => done.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    await Promise.race([promise, sleep(ms, done.signal)]);
  } finally {
    signal.removeEventListener('abort', abort);
    done.abort();
  }
}

const ownedElsewhere = (sessionId: string, nodeId?: string) =>
  new GatewayError(
    'SESSION_OWNED_ELSEWHERE',
    `Session ${sessionId} runs on ${nodeId ? `node ${nodeId}` : 'another node'}; send this request to that node`,
    { details: { nodeId: nodeId ?? null } },
  );

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
