import type { Session, SessionStatus } from '../contracts/session.js';
import { isGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { backoffDelay } from './backoff.js';
import type { GatewayTuning } from './options.js';
import type { Runtime } from './session-runtime.js';

/** What reconnecting needs from the session manager. */
export interface ReconnectHost {
  /** The manager is stopping: nothing is retried. */
  stopping(): boolean;
  setStatus(sessionId: string, status: SessionStatus, reason: string | null): Promise<Session>;
  releaseLease(runtime: Runtime): Promise<void>;
  /** When a reconnect's delay is over: opens a socket again (in the session's queue) if still wanted. */
  reopen(sessionId: string, runtime: Runtime): Promise<void>;
}

/** Reconnects with exponential backoff and jitter, and the limits after which a session is `failed`. */
export class SessionReconnects {
  constructor(
    private readonly tuning: GatewayTuning,
    private readonly logger: Logger,
    private readonly host: ReconnectHost,
  ) {}

  /**
   * A start that never reached WhatsApp (the proxy or the socket failed first): retried with
   * backoff, and `failed` with the reason after `maxFailedStarts` in a row, or at once when
   * the outgoing policy refuses the session's proxy (retrying cannot help).
   */
  async failedStart(sessionId: string, runtime: Runtime, reason: string, error?: unknown) {
    runtime.failedStarts++;
    const { maxFailedStarts } = this.tuning.reconnect;
    const refused = isGatewayError(error) && error.code === 'URL_NOT_ALLOWED';
    if (
      this.host.stopping() ||
      (!refused && (maxFailedStarts === 0 || runtime.failedStarts < maxFailedStarts))
    ) {
      this.schedule(sessionId, runtime, reason);
      return;
    }
    const final = refused ? reason : `Gave up after ${runtime.failedStarts} attempts: ${reason}`;
    this.logger.warn(
      { sessionId, attempts: runtime.failedStarts, reason },
      'session failed: WhatsApp cannot be reached',
    );
    await this.host
      .setStatus(sessionId, 'failed', final)
      .catch((e) => this.logger.error({ err: e, sessionId }, 'could not mark the session failed'));
    await this.host.releaseLease(runtime);
  }

  schedule(sessionId: string, runtime: Runtime, reason: string): void {
    const { maxAttempts } = this.tuning.reconnect;
    if (this.host.stopping()) return;
    if (maxAttempts > 0 && runtime.attempt >= maxAttempts) {
      this.logger.warn(
        { sessionId, attempts: runtime.attempt, reason },
        'session failed: gave up reconnecting',
      );
      void this.host
        .setStatus(sessionId, 'failed', `Gave up after ${runtime.attempt} reconnect attempts: ${reason}`)
        .then(() => this.host.releaseLease(runtime))
        .catch(() => {});
      return;
    }
    const delay = backoffDelay(runtime.attempt++, this.tuning.reconnect);
    this.logger.info({ sessionId, attempt: runtime.attempt, delayMs: Math.round(delay) }, 'reconnecting');
    void this.host
      .setStatus(sessionId, 'connecting', `Reconnecting (attempt ${runtime.attempt}): ${reason}`)
      .catch(() => {});
    runtime.reconnectTimer = setTimeout(() => {
      runtime.reconnectTimer = null;
      void this.host
        .reopen(sessionId, runtime)
        .catch((error) => this.logger.error({ err: error, sessionId }, 'reconnect failed'));
    }, delay);
    runtime.reconnectTimer.unref?.();
  }

  cancel(runtime: Runtime): void {
    if (runtime.reconnectTimer) clearTimeout(runtime.reconnectTimer);
    runtime.reconnectTimer = null;
  }
}
