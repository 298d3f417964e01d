// The benchmarks' reference: a raw Baileys socket, as an application without the gateway runs it.
import makeWASocket, {
  type AuthenticationState,
  type SocketConfig,
  type WASocket,
} from '@whiskeysockets/baileys';
import pino from 'pino';

const silent = pino({ level: 'silent' });

/**
 * A raw Baileys socket on `config` (the simulator's URL and agent) with `state` as its
 * in-memory auth, kept up to date from `creds.update`; silent, offline, no history sync.
 */
export function openRawSocket(config: Partial<SocketConfig>, state: AuthenticationState): WASocket {
  const sock = makeWASocket({
    ...config,
    auth: state,
    logger: silent,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
  });
  sock.ev.on('creds.update', (update) => Object.assign(state.creds, update));
  return sock;
}
