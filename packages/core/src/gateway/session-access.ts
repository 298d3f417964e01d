import type { Session } from '../contracts/session.js';
import { GatewayError } from '../errors.js';
import type { Connection } from '../ports/connector.js';
import type { Store } from '../ports/store.js';
import type { SessionManager } from './session-manager.js';

/** How every API reaches a session: the stored row, or its live connection. */
export interface SessionAccess {
  /** The stored session, or `SESSION_NOT_FOUND`. */
  requireSession(id: string): Promise<Session>;
  /**
   * The live connection of a connected session; `SESSION_MOVING` or `SESSION_CONNECTING` (503,
   * retry) while its socket is on its way, else `SESSION_NOT_CONNECTED`.
   */
  connection(sessionId: string): Promise<Connection>;
  /** The same for a session just read (no second read). */
  connectionOf(session: Session): Connection;
  /**
   * The session's socket when it is open on this node and not being handed over, without a
   * read: such a session exists (a delete closes its socket before it removes the row) and is
   * connected (the status this node stored last). Else null: read the row.
   */
  openConnection(sessionId: string): Connection | null;
}

/** What a request for a session that is moving between nodes is told to wait (`Retry-After`). */
export const movingRetryAfterSeconds = 2;

/** Session lookups shared by the sessions, messages and WhatsApp APIs. */
export function sessionAccess(store: Store, manager: SessionManager): SessionAccess {
  const requireSession = async (id: string) => {
    const session = await store.sessions.get(id);
    if (!session) throw new GatewayError('SESSION_NOT_FOUND', `Session ${id} does not exist`);
    return session;
  };
  const openConnection = (sessionId: string) => {
    const live = manager.connection(sessionId);
    return live && !manager.isMoving(sessionId) && manager.isOpen(sessionId) ? live : null;
  };
  const connectionOf = (session: Session) => {
    const live = manager.connection(session.id);
    // a socket being handed over still sends what it admitted, but takes nothing new
    const moving = manager.isMoving(session.id);
    // the row may have been read just before the socket's `connected` was stored
    if (live && !moving && manager.isOpen(session.id)) return live;
    if (!live || moving || session.status !== 'connected') {
      // stored as connected with no socket here: it is being taken over, or its socket just
      // went and the status follows; connecting with no node running it: it is between nodes
      // (handed over, its owner stopped) or waits for its turn at boot — either way a retry in
      // a moment reaches the socket, wherever it is
      const transient =
        moving ||
        session.status === 'connected' ||
        (session.status === 'connecting' && !manager.runs(session.id));
      if (transient) {
        throw new GatewayError(
          'SESSION_MOVING',
          `Session ${session.id} is moving between nodes or about to reconnect; retry in ${movingRetryAfterSeconds} s`,
          { retryAfterSeconds: movingRetryAfterSeconds },
        );
      }
      if (session.status === 'connecting') {
        // this node is opening its socket (after a drop or a takeover): also a matter of moments
        throw new GatewayError(
          'SESSION_CONNECTING',
          `Session ${session.id} is connecting; retry in ${movingRetryAfterSeconds} s`,
          { retryAfterSeconds: movingRetryAfterSeconds },
        );
      }
      throw new GatewayError(
        'SESSION_NOT_CONNECTED',
        `Session ${session.id} is ${session.status}, not connected`,
      );
    }
    return live;
  };
  const connection = async (sessionId: string) => connectionOf(await requireSession(sessionId));
  return { requireSession, connection, connectionOf, openConnection };
}
