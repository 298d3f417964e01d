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
