import type { Session } from '../contracts/session.js';
import { GatewayError } from '../errors.js';
import type { Connection } from '../ports/connector.js';
import type { Store } from '../ports/store.js';
import type { SessionManager } from './session-manager.js';

/** How every API reaches a session: the stored row, or its live connection. */
export interface SessionAccess {
  /** The stored session, or `SESSION_NOT_FOUND`. */
  requireSession(id: string): Promise<Session>;
  /** The live connection of a connected session, or `SESSION_NOT_CONNECTED`. */
  connection(sessionId: string): Promise<Connection>;
  /** The same for a session just read (no second read). */
  connectionOf(session: Session): Connection;
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
  const connectionOf = (session: Session) => {
    const live = manager.connection(session.id);
    if (!live || session.status !== 'connected') {
      // stored as connected with no socket here: it is being taken over, or its socket just
      // went and the status follows — a retry in a moment reaches the socket, wherever it is
      if (manager.isMoving(session.id) || session.status === 'connected') {
        throw new GatewayError(
          'SESSION_MOVING',
          `Session ${session.id} is reconnecting on this node (taken over or restarted); retry in ${movingRetryAfterSeconds} s`,
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
  return { requireSession, connection, connectionOf };
}
