import { DisconnectReason } from '@whiskeysockets/baileys';
import type { CloseReason } from '../ports/connector.js';

/** Zapgate's reason for a Baileys close, from its status code and message. */
export function closeReasonOf(
  error: unknown,
  wasShowingQr: boolean,
): { reason: CloseReason; statusCode?: number; message: string } {
  const boom = error as { output?: { statusCode?: number }; message?: string } | undefined;
  const statusCode = boom?.output?.statusCode;
  const message = boom?.message ?? 'connection closed';
  // Baileys gives socket errors without an E-code (a proxy that resets, a TLS failure) the
  // generic 500, which is also `badSession`: they are network failures, never a reason to
  // wipe a paired session's credentials.
  if (statusCode === DisconnectReason.badSession && /^WebSocket Error/.test(message))
    return { reason: 'connection_lost', statusCode, message };
  switch (statusCode) {
    case DisconnectReason.loggedOut:
      return { reason: 'logged_out', statusCode, message };
    case DisconnectReason.connectionReplaced:
      return { reason: 'replaced', statusCode, message };
    case DisconnectReason.restartRequired:
      return { reason: 'restart_required', statusCode, message };
    case DisconnectReason.badSession:
      return { reason: 'bad_session', statusCode, message };
    case DisconnectReason.timedOut:
      if (wasShowingQr && /QR refs/i.test(message)) return { reason: 'qr_timeout', statusCode, message };
      return { reason: 'timed_out', statusCode, message };
    case DisconnectReason.connectionClosed:
      return { reason: 'connection_lost', statusCode, message };
    default:
      return {
        reason: statusCode === undefined ? 'connection_lost' : 'unknown',
        ...(statusCode === undefined ? {} : { statusCode }),
        message,
      };
  }
}
