import makeWASocket, {
  type AuthenticationState,
  type ConnectionState,
  type proto,
  type WAMessage,
  type WAMessageUpdate,
  type WASocket,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { memoryAuthState, type PairedEvent, type Simulator } from '../src/index.js';

export const logger = pino({ level: process.env.BAILEYS_LOG ?? 'silent' });

export { memoryAuthState };

/** A Baileys client driven by a test, with collected events. */
export interface TestDevice {
  sock: WASocket;
  auth: AuthenticationState;
  upserts: WAMessage[];
  updates: WAMessageUpdate[];
  reactions: Array<{ key: proto.IMessageKey; reaction: proto.IReaction }>;
  /** Resolves with the status code the socket closed with. */
  closed: Promise<number | undefined>;
}

export const openSocket = (
  sim: Simulator,
  auth: AuthenticationState,
  extra: Partial<Parameters<typeof makeWASocket>[0]> = {},
): TestDevice => {
  const sock = makeWASocket({
    ...sim.baileysConfig(),
    auth,
    logger,
    browser: ['Ubuntu', 'Chrome', '22.0'],
    markOnlineOnConnect: false,
    syncFullHistory: false,
    fireInitQueries: true,
    shouldSyncHistoryMessage: () => false,
    generateHighQualityLinkPreview: false,
    connectTimeoutMs: 20_000,
    ...extra,
  });
  sock.ev.on('creds.update', (update) => Object.assign(auth.creds, update));
  const device: TestDevice = {
    sock,
    auth,
    upserts: [],
    updates: [],
    reactions: [],
    closed: new Promise((resolve) => {
      sock.ev.on('connection.update', (update) => {
        if (update.connection === 'close') {
          resolve((update.lastDisconnect?.error as { output?: { statusCode?: number } })?.output?.statusCode);
        }
      });
    }),
  };
  sock.ev.on('messages.upsert', ({ messages }) => device.upserts.push(...messages));
  sock.ev.on('messages.update', (updates) => device.updates.push(...updates));
  sock.ev.on('messages.reaction', (reactions) => device.reactions.push(...reactions));
  return device;
};

/** Waits for `open` (resolves) or `close` (rejects with the status code). */
export const waitForOpen = (device: TestDevice, onUpdate?: (update: Partial<ConnectionState>) => void) =>
  new Promise<void>((resolve, reject) => {
    device.sock.ev.on('connection.update', (update) => {
      onUpdate?.(update);
      if (update.connection === 'open') resolve();
      if (update.connection === 'close') {
        const code = (update.lastDisconnect?.error as { output?: { statusCode?: number } })?.output
          ?.statusCode;
        reject(Object.assign(new Error(`closed with ${code}`), { code }));
      }
    });
  });

/** Pairs a fresh Baileys client by QR (or pairing code) and returns it connected (`open`). */
export const pairDevice = async (
  sim: Simulator,
  options: { method?: 'qr' | 'code'; phoneNumber?: string; pushName?: string } = {},
): Promise<{ device: TestDevice; paired: PairedEvent }> => {
  const auth = memoryAuthState();
  const first = openSocket(sim, auth);
  let paired: Promise<PairedEvent> | undefined;
  let asked = false;
  first.sock.ev.on('connection.update', (update) => {
    if (!update.qr || paired || asked) return;
    if (options.method === 'code') {
      asked = true;
      const phone = options.phoneNumber ?? '15551230000';
      paired = first.sock
        .requestPairingCode(phone)
        .then((code) => sim.enterPairingCode(code, { phoneNumber: phone }));
    } else {
      paired = sim.scanQr(update.qr, { phoneNumber: options.phoneNumber, pushName: options.pushName });
    }
  });
  const code = await first.closed;
  if (code !== 515) throw new Error(`expected restart 515 after pairing, got ${code}`);
  const event = await paired!;
  const device = openSocket(sim, auth);
  await waitForOpen(device);
  return { device, paired: event };
};

/** Polls `check` every 20 ms until it returns a value or `timeoutMs` passes. */
export const eventually = async <T>(
  check: () => T | undefined | false,
  timeoutMs = 10_000,
  label = 'condition',
): Promise<T> => {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

export const textOf = (message: proto.IMessage | null | undefined): string | undefined =>
  message?.conversation ?? message?.extendedTextMessage?.text ?? undefined;
