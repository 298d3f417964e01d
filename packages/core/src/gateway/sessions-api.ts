import type { SessionStatus } from '../contracts/session.js';
import { defaultSessionSettings } from '../contracts/session.js';
import { GatewayError } from '../errors.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import { checkProxyUrl } from '../net/proxy.js';
import type { Store } from '../ports/store.js';
import type { SessionsApi } from './api.js';
import { sleep } from './backoff.js';
import { appendEvent } from './event-writer.js';
import type { SessionAccess } from './session-access.js';
import type { SessionManager } from './session-manager.js';

interface Deps {
  store: Store;
  manager: SessionManager;
  access: SessionAccess;
  /** Proxies are user-given URLs: checked against it when set. */
  outgoing: OutgoingPolicy;
}

/** Session lifecycle over the store (rows, events) and the session manager (sockets). */
export function createSessionsApi({ store, manager, access, outgoing }: Deps): SessionsApi {
  const { requireSession } = access;
  return {
    // a taken name is refused by the store itself (SESSION_NAME_TAKEN), atomically
    async create(input, extra = {}) {
      if (input.proxyUrl) checkProxyUrl(input.proxyUrl, outgoing);
      return store.transaction(async (tx) => {
        const session = await tx.sessions.create({
          name: input.name,
          proxyUrl: input.proxyUrl ?? null,
          settings: { ...defaultSessionSettings, ...input.settings },
          apiKeyHash: extra.apiKeyHash ?? null,
        });
        await appendEvent(tx, 'session.status', session.id, {
          status: session.status,
          previous: session.status,
          reason: 'created',
          session,
        });
        return session;
      });
    },
    list: () => store.sessions.list(),
    get: requireSession,
    async update(id, patch) {
      if (patch.proxyUrl) checkProxyUrl(patch.proxyUrl, outgoing);
      const session = await requireSession(id);
      const updated = await store.sessions.update(id, {
        ...(patch.name ? { name: patch.name } : {}),
        ...(patch.proxyUrl !== undefined ? { proxyUrl: patch.proxyUrl } : {}),
        ...(patch.settings ? { settings: { ...session.settings, ...patch.settings } } : {}),
      });
      manager.sessionChanged(updated); // inbound events read settings from the manager
      return updated;
    },
    async delete(id, { keepData = false } = {}) {
      await requireSession(id);
      if (keepData) await manager.disconnect(id, 'Session deleted');
      else await manager.logout(id);
      await manager.forget(id);
      await store.sessions.delete(id, { keepData });
    },
    async connect(id) {
      const session = await requireSession(id);
      if (session.status === 'connected' && manager.isActive(id)) return session;
      return manager.connect(id);
    },
    disconnect: async (id) => {
      await requireSession(id);
      return manager.disconnect(id);
    },
    logout: async (id) => {
      await requireSession(id);
      return manager.logout(id);
    },
    restart: async (id) => {
      await requireSession(id);
      return manager.restart(id);
    },
    async pairingCode(id, phoneNumber) {
      const session = await requireSession(id);
      if (session.status === 'connected')
        throw new GatewayError('SESSION_ALREADY_CONNECTED', `Session ${id} is already paired`);
      if (!manager.connection(id)) await manager.connect(id);
      const live = manager.connection(id);
      if (!live) throw new GatewayError('SESSION_NOT_CONNECTED', `Session ${id} could not open a socket`);
      return live.requestPairingCode(phoneNumber.replace(/\D/g, ''));
    },
    async qr(id, options = {}) {
      const waitMs = Math.max(0, options.waitMs ?? 0);
      const deadline = Date.now() + waitMs;
      for (;;) {
        const session = await requireSession(id);
        if (session.status === 'qr' && session.qr) return session.qr;
        const pairing = session.status === 'connecting' || session.status === 'qr';
        const left = deadline - Date.now();
        if (!pairing || left <= 0) throw qrNotAvailable(id, session.status, waitMs);
        // the status is in the store (any node may own the socket): look again shortly
        await sleep(Math.min(qrPollMs, left), options.signal);
        if (options.signal?.aborted) throw qrNotAvailable(id, session.status, waitMs);
      }
    },
    async setApiKeyHash(id, hash) {
      await requireSession(id);
      await store.sessions.update(id, { apiKeyHash: hash });
    },
  };
}

const qrPollMs = 200;

/** `QR_NOT_AVAILABLE` with a sentence that is true for the session's status. */
function qrNotAvailable(id: string, status: SessionStatus, waitedMs: number): GatewayError {
  const message =
    status === 'connected'
      ? `Session ${id} is connected (already paired): a QR code is only shown while pairing`
      : status === 'connecting' || status === 'qr'
        ? waitedMs > 0
          ? `Session ${id} is still connecting and showed no QR code within ${Math.round(waitedMs / 1000)} s (a session with saved credentials reconnects without one); ask again to keep waiting`
          : `Session ${id} is connecting and has no QR code yet; wait for it (the server's \`?wait=10\`) or ask again in a moment`
        : `Session ${id} has status ${status}; connect it first to get a QR code`;
  return new GatewayError('QR_NOT_AVAILABLE', message, { details: { status } });
}
