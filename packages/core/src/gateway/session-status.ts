import type { Session, SessionStatus } from '../contracts/session.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { CloseReason } from '../ports/connector.js';
import type { Repositories, SessionUpdate, Store } from '../ports/store.js';
import { appendEvent } from './event-writer.js';
import { checkLease } from './fenced-auth.js';
import type { Runtime, SessionRuntimes } from './session-runtime.js';

/** Closes that end a session's socket for good, and the status and reason they leave. */
export const closeStatus: Partial<Record<CloseReason, { status: SessionStatus; reason: string }>> = {
  logged_out: { status: 'logged_out', reason: 'Logged out from the phone; pair again' },
  replaced: { status: 'failed', reason: 'Connection replaced: another client opened this session' },
  qr_timeout: { status: 'disconnected', reason: 'QR code was not scanned in time' },
  bad_session: { status: 'failed', reason: 'Stored credentials are corrupt; log out and pair again' },
};

/**
 * The writes only a session's owner may make (status, QR, creds wipe), each under the lease
 * the session runs under here; a write refused as stale drops the session (`lost`).
 */
export class SessionStatusWriter {
  constructor(
    private readonly store: Store,
    private readonly runtimes: SessionRuntimes,
    private readonly lost: (sessionId: string) => void,
  ) {}

  /** Updates a session and announces a status change, in one transaction. */
  set(
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

  /** Stores the QR to show and announces it (`session.qr`), in one transaction. */
  async qr(sessionId: string, qr: string, expiresAt: string): Promise<void> {
    await this.store
      .transaction(async (tx) => {
        await this.updateStatusIn(tx, sessionId, 'qr', 'Waiting for the QR code to be scanned', {
          qr: { value: qr, expiresAt },
        });
        await appendEvent(tx, 'session.qr', sessionId, { qr, expiresAt });
      })
      .catch(this.onFenced(sessionId));
  }

  /** Creds are wiped under the lease too (a node that lost the session must not wipe them). */
  async clearAuth(runtime: Runtime, sessionId: string): Promise<void> {
    await this.store
      .transaction(async (tx) => {
        await checkLease(tx, runtime.lease);
        await tx.auth.clear(sessionId);
      })
      .catch(this.onFenced(sessionId));
  }

  /** A refused write (`SESSION_LEASE_LOST`) means the session is not ours: drop it, rethrow. */
  private onFenced(sessionId: string) {
    return (error: unknown): never => {
      if (isGatewayError(error) && error.code === 'SESSION_LEASE_LOST') this.lost(sessionId);
      throw error;
    };
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
}
