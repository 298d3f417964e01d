import type { MessageStatus } from '../contracts/message.js';
import type { AuthRepo } from '../ports/auth.js';
import type {
  CloseReason,
  ConnectOptions,
  Connector,
  ConnectorEvent,
  InboundMessage,
} from '../ports/connector.js';
import { type FakeCall, FakeConnection, type FakeSend } from './fake-connection.js';
import { waitFor } from './wait-for.js';

/** The account a fake session pairs as. */
export interface FakeAccount {
  deviceJid: string;
  phoneNumber: string;
  pushName: string | null;
  lid?: string | null;
}

/** Options of {@link fakeConnector}. */
export interface FakeConnectorOptions {
  /** Emit `open` right after every connect, as an already paired device would. @default false */
  autoOpen?: boolean;
  /** Delay before an automatic `open` (to observe connects in flight). @default 0 */
  openDelayMs?: number;
  /** The account a session pairs as. @default 15550000000, push name 'Fake' */
  account?: (sessionId: string) => FakeAccount;
  /** What `requestPairingCode` returns. @default 'ABCD1234' */
  pairingCode?: string;
  /** Which numbers `checkNumbers` reports as on WhatsApp. @default every number */
  onWhatsApp?: (phoneNumber: string) => boolean;
}

/** Controls and records of one session's sockets. */
export interface FakeSession {
  /** The newest live socket, or `null`. */
  readonly connection: FakeConnection | null;
  /** How many times the gateway called `connect` for this session. */
  readonly connectCount: number;
  /** Sockets currently open (the gateway must never hold two). */
  readonly liveSockets: number;
  /** The most sockets ever open at once. */
  readonly maxLiveSockets: number;
  /** Every call the session's sockets received, in order. */
  readonly calls: readonly FakeCall[];
  /** Every send, with its result. */
  readonly sends: readonly FakeSend[];
  /** Calls of one method, e.g. `callsOf('markRead')`. */
  callsOf(method: string): FakeCall[];
  /** Hands `event` to the gateway through the live socket (and waits for it to be handled). */
  emit(event: ConnectorEvent): Promise<void>;
  qr(value?: string, expiresAt?: string): Promise<void>;
  /** Pairs: stores creds through the auth port, then reports `open`. */
  open(account?: Partial<FakeAccount>): Promise<void>;
  /** The socket drops for `reason` (it is dead before the gateway hears of it). */
  close(reason: CloseReason, message?: string): Promise<void>;
  /** One inbound message (defaults fill the rest; pass `waid` to control duplicates). */
  inbound(message: Partial<InboundMessage> & { waid?: string }): Promise<void>;
  receipt(chatId: string, waid: string, status: MessageStatus): Promise<void>;
  /** Makes every following send reject with `error` (pass `null` to stop). */
  failSends(error?: Error | null): void;
  /** Makes the next `connect` reject with `error`. */
  failNextConnect(error?: Error): void;
  /** Resolves once `connect` was called at least `count` times. */
  waitForConnects(count: number, timeoutMs?: number): Promise<void>;
}

/** A {@link Connector} driven by the test. */
export interface FakeConnector extends Connector {
  session(sessionId: string): FakeSession;
  connectCount(sessionId: string): number;
  liveSockets(sessionId: string): number;
  /** Most sessions connecting at once (between `connect` and `open`/`qr`/`close`). */
  readonly maxConcurrentConnects: number;
}

interface SessionState {
  connections: FakeConnection[];
  auth: AuthRepo | null;
  connectCount: number;
  maxLive: number;
  calls: FakeCall[];
  sends: FakeSend[];
  sendFailure: Error | null;
  connectFailure: Error | null;
  account: FakeAccount | null;
}

const defaultAccount = (): FakeAccount => ({
  deviceJid: '15550000000:1@s.whatsapp.net',
  phoneNumber: '15550000000',
  pushName: 'Fake',
  lid: null,
});

let inboundIds = 0;

/**
 * A scriptable WhatsApp connector for unit tests: the test plays the phone and the network
 * (`qr`, `open`, `close`, `inbound`, receipts), and asserts on what the gateway did (sends,
 * reads, logouts, how many sockets it held).
 *
 * @example
 * const fake = fakeConnector();
 * const gateway = createGateway({ store: memoryStore(), connector: fake });
 * await gateway.sessions.connect(session.id);
 * await fake.session(session.id).open({ pushName: 'Shop' });
 * expect(fake.liveSockets(session.id)).toBe(1);
 */
export function fakeConnector(options: FakeConnectorOptions = {}): FakeConnector {
  const sessions = new Map<string, SessionState>();
  const pending = new Set<FakeConnection>();
  let maxConcurrentConnects = 0;
  const accountOf = options.account ?? defaultAccount;

  const stateOf = (id: string): SessionState => {
    let state = sessions.get(id);
    if (!state) {
      state = {
        connections: [],
        auth: null,
        connectCount: 0,
        maxLive: 0,
        calls: [],
        sends: [],
        sendFailure: null,
        connectFailure: null,
        account: null,
      };
      sessions.set(id, state);
    }
    return state;
  };
  const live = (state: SessionState) => state.connections.filter((c) => c.live);
  const settle = (connection: FakeConnection | null) => {
    if (connection) pending.delete(connection);
  };

  const control = (id: string): FakeSession => {
    const state = stateOf(id);
    const current = () => live(state).at(-1) ?? null;
    const emit = async (event: ConnectorEvent) => {
      const connection = current();
      if (!connection) throw new Error(`fake connector: session ${id} has no live socket`);
      if (event.type === 'open' || event.type === 'qr') settle(connection);
      if (event.type === 'close') {
        settle(connection);
        connection.kill();
      }
      await connection.onEvent(event);
    };
    return {
      get connection() {
        return current();
      },
      get connectCount() {
        return state.connectCount;
      },
      get liveSockets() {
        return live(state).length;
      },
      get maxLiveSockets() {
        return state.maxLive;
      },
      get calls() {
        return state.calls;
      },
      get sends() {
        return state.sends;
      },
      callsOf: (method) => state.calls.filter((c) => c.method === method),
      emit,
      qr: (
        value = `2@fake-qr-${state.connectCount}`,
        expiresAt = new Date(Date.now() + 60_000).toISOString(),
      ) => emit({ type: 'qr', qr: value, expiresAt }),
      async open(account = {}) {
        const full = { ...accountOf(id), ...account };
        state.account = full;
        await state.auth?.setCreds(id, { me: { id: full.deviceJid, name: full.pushName }, registered: true });
        await emit({
          type: 'open',
          deviceJid: full.deviceJid,
          phoneNumber: full.phoneNumber,
          pushName: full.pushName,
          lid: full.lid ?? null,
        });
      },
      close: (reason, message = `closed: ${reason}`) => emit({ type: 'close', reason, message }),
      inbound: (message) =>
        emit({
          type: 'messages',
          history: false,
          messages: [
            {
              chatId: '15550001111@s.whatsapp.net',
              waid: `IN${(++inboundIds).toString().padStart(10, '0')}`,
              msgType: 'text',
              content: { text: 'hi' },
              senderJid: '15550001111@s.whatsapp.net',
              senderName: 'Ana',
              isFromMe: false,
              quotedMsgId: null,
              timestamp: new Date().toISOString(),
              ...message,
            } as InboundMessage,
          ],
        }),
      receipt: (chatId, waid, status) => emit({ type: 'message.status', chatId, waid, status }),
      failSends(error = new Error('fake send failure')) {
        state.sendFailure = error;
      },
      failNextConnect(error = new Error('fake connect failure')) {
        state.connectFailure = error;
      },
      async waitForConnects(count, timeoutMs = 5000) {
        await waitFor(() => state.connectCount >= count, timeoutMs).catch(() => {
          throw new Error(`fake connector: ${state.connectCount} connects of ${id}, expected ${count}`);
        });
      },
    };
  };

  return {
    name: 'fake',
    async connect({ session, auth, onEvent }: ConnectOptions) {
      const state = stateOf(session.id);
      state.connectCount++;
      state.auth = auth;
      if (state.connectFailure) {
        const error = state.connectFailure;
        state.connectFailure = null;
        throw error;
      }
      const connection = new FakeConnection(session.id, onEvent, {
        pairingCode: options.pairingCode ?? 'ABCD1234',
        onWhatsApp: options.onWhatsApp ?? (() => true),
        sendFailure: () => state.sendFailure,
        deviceJid: () => state.account?.deviceJid ?? null,
        record: (call) => state.calls.push(call),
        recordSend: (send) => state.sends.push(send),
        died: (c) => settle(c),
      });
      state.connections.push(connection);
      state.maxLive = Math.max(state.maxLive, live(state).length);
      pending.add(connection);
      maxConcurrentConnects = Math.max(maxConcurrentConnects, pending.size);
      if (options.autoOpen) {
        setTimeout(() => {
          if (connection.live && live(state).at(-1) === connection)
            void control(session.id)
              .open()
              .catch(() => {});
        }, options.openDelayMs ?? 0);
      }
      return connection;
    },
    session: control,
    connectCount: (id) => stateOf(id).connectCount,
    liveSockets: (id) => live(stateOf(id)).length,
    get maxConcurrentConnects() {
      return maxConcurrentConnects;
    },
  };
}
