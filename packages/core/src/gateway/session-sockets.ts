import { runInContext } from '../context.js';
import type { Session } from '../contracts/session.js';
import { deferred } from '../deferred.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import type { Connection, Connector, ConnectorEvent, InboundDelivery } from '../ports/connector.js';
import type { Store } from '../ports/store.js';
import { fencedAuth } from './fenced-auth.js';
import type { SessionLeases } from './session-leases.js';
import type { SessionReconnects } from './session-reconnect.js';
import type { Runtime, SessionRuntimes } from './session-runtime.js';
import { closeStatus, type SessionStatusWriter } from './session-status.js';

/** Handles everything a connection reports besides its lifecycle. */
export type IngestFn = (
  session: Session,
  event: ConnectorEvent,
  connection: Connection,
  delivery: InboundDelivery,
) => Promise<void>;

/** What a session's socket needs around it (the session manager's collaborators). */
export interface SocketParts {
  store: Store;
  connector: Connector;
  logger: Logger;
  ingest: IngestFn;
  outgoing: OutgoingPolicy | undefined;
  runtimes: SessionRuntimes;
  leases: SessionLeases;
  status: SessionStatusWriter;
  reconnects: SessionReconnects;
  /** The manager is stopping: no socket is opened or reopened. */
  stopping: () => boolean;
  /** Drops a session whose lease another node took. */
  lost: (sessionId: string) => Promise<void>;
}

/** A session's socket from open to close: opening it, and what it reports (status, QR, close). */
export class SessionSockets {
  constructor(private readonly parts: SocketParts) {}

  async open(runtime: Runtime, session: Session): Promise<Session> {
    const { store, status, leases } = this.parts;
    const generation = ++runtime.generation;
    runtime.settled = deferred();
    const connecting = await status.set(session.id, 'connecting', null);
    runtime.reached = false;
    try {
      // everything the connection starts runs as this session's work (logged with its id)
      runtime.connection = await runInContext({ sessionId: session.id }, () =>
        this.parts.connector.connect({
          session: connecting,
          auth: runtime.lease
            ? fencedAuth(store, runtime.lease, () => void this.parts.lost(session.id))
            : store.auth,
          onEvent: (event, delivery) => this.onEvent(session.id, generation, event, delivery ?? {}),
          getMessage: (chatId, waid) => store.messages.getByWaid(session.id, chatId, waid),
          ...(this.parts.outgoing ? { outgoing: this.parts.outgoing } : {}),
        }),
      );
      // stopped (or the lease went) while the socket was opening: it must not outlive that
      if (this.parts.stopping() || (leases.ownership && !runtime.lease)) await this.close(runtime);
    } catch (error) {
      runtime.settled.resolve();
      this.parts.logger.warn({ err: error, sessionId: session.id }, 'could not open a socket');
      await this.parts.reconnects.failedStart(
        session.id,
        runtime,
        `Could not open a socket: ${messageOf(error)}`,
        error,
      );
      return requireSession(store, session.id);
    }
    return connecting;
  }

  async close(runtime: Runtime): Promise<void> {
    this.parts.reconnects.cancel(runtime);
    const connection = runtime.connection;
    runtime.connection = null;
    runtime.generation++;
    runtime.settled.resolve();
    if (connection)
      await connection.close().catch((error) => this.parts.logger.warn({ err: error }, 'close failed'));
  }

  private async onEvent(
    sessionId: string,
    generation: number,
    event: ConnectorEvent,
    delivery: InboundDelivery,
  ): Promise<void> {
    const { status, logger } = this.parts;
    const runtime = this.parts.runtimes.get(sessionId);
    // a socket we already replaced: what it has not acknowledged yet, WhatsApp delivers again
    const stale = () => {
      if (delivery.unacknowledged) throw new Error('the connection was replaced; not stored');
    };
    if (!runtime || runtime.generation !== generation) return stale();
    switch (event.type) {
      case 'connecting':
        return void (await status.set(sessionId, 'connecting', null));
      case 'qr': {
        runtime.reached = true;
        runtime.failedStarts = 0;
        runtime.moving = false;
        await status.qr(sessionId, event.qr, event.expiresAt);
        return runtime.settled.resolve();
      }
      case 'open':
        runtime.attempt = 0;
        runtime.reached = true;
        runtime.failedStarts = 0;
        try {
          await status.set(sessionId, 'connected', null, {
            qr: null,
            deviceJid: event.deviceJid,
            phoneNumber: event.phoneNumber,
            ...(event.pushName ? { pushName: event.pushName } : {}),
          });
        } finally {
          // only once `connected` is stored (and cached here): a request that read the row just
          // before sees either "moving" or this node's fresher status (see isOpen)
          runtime.moving = false;
        }
        return runtime.settled.resolve();
      case 'close':
        runtime.settled.resolve();
        // Not awaited: the connector may report a close from inside `connect()`, which runs
        // in this session's queue.
        void this.parts.runtimes
          .serial(sessionId, () => this.onClose(sessionId, runtime, generation, event))
          .catch((error) => logger.error({ err: error, sessionId }, 'handling a closed connection failed'));
        return;
      default: {
        const session = await this.currentSession(runtime, sessionId);
        if (session && runtime.connection)
          await this.parts.ingest(session, event, runtime.connection, delivery);
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
    const { logger, status, reconnects } = this.parts;
    if (runtime.generation !== generation || event.reason === 'closed_by_us') return;
    runtime.connection = null;
    runtime.moving = false;
    runtime.generation++;
    logger.info({ sessionId, reason: event.reason, message: event.message }, 'connection closed');
    if (this.parts.stopping()) return;
    if (event.reason === 'restart_required') {
      const session = await requireSession(this.parts.store, sessionId);
      await this.open(runtime, session);
      return;
    }
    const final = closeStatus[event.reason];
    if (final) {
      if (event.reason === 'logged_out' || event.reason === 'bad_session')
        await status.clearAuth(runtime, sessionId);
      // the operator must act (pair again, or look at the reason): a warning, not an info line
      logger[final.status === 'disconnected' ? 'info' : 'warn'](
        { sessionId, status: final.status, reason: final.reason },
        `session ${final.status}: ${final.reason}`,
      );
      await status.set(sessionId, final.status, final.reason, { qr: null });
      await this.parts.leases.release(runtime);
      return;
    }
    if (!runtime.reached) await reconnects.failedStart(sessionId, runtime, event.message);
    else reconnects.schedule(sessionId, runtime, event.message);
  }

  /** Inbound events read settings here: one read per socket, not one per event. */
  private async currentSession(runtime: Runtime, sessionId: string): Promise<Session | null> {
    runtime.cached ??= await this.parts.store.sessions.get(sessionId);
    return runtime.cached;
  }
}

/** The stored session, or `SESSION_NOT_FOUND`. */
export async function requireSession(store: Store, sessionId: string): Promise<Session> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new GatewayError('SESSION_NOT_FOUND', `Session ${sessionId} does not exist`);
  return session;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
