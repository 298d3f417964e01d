import { randomUUID } from 'node:crypto';
import type { Connection, ConnectOptions, Connector, ConnectorEvent, OutboundContent } from '@zapgate/core';

/** One scripted socket of the test connector. */
export interface FakeSocket {
  sessionId: string;
  emit(event: ConnectorEvent): Promise<void>;
  sends: { to: string; content: OutboundContent; waid: string }[];
  closed: boolean;
}

/**
 * A minimal scriptable connector for server tests: connecting shows a QR at once; tests then
 * `open()` the socket. Sends succeed and are recorded.
 */
export function testConnector() {
  const sockets = new Map<string, FakeSocket>();
  const connector: Connector = {
    name: 'test',
    async connect(options: ConnectOptions): Promise<Connection> {
      const socket: FakeSocket = {
        sessionId: options.session.id,
        emit: (event) => options.onEvent(event),
        sends: [],
        closed: false,
      };
      sockets.set(options.session.id, socket);
      const close = async () => {
        socket.closed = true;
      };
      const connection: Partial<Connection> = {
        close,
        logout: close,
        requestPairingCode: async () => 'ABCD-1234',
        newMessageId: () => `3EB0${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`,
        toJid: (recipient) => {
          if (/^\+?\d{5,20}$/.test(recipient)) return `${recipient.replace('+', '')}@s.whatsapp.net`;
          return /^[\w.:-]+@(s\.whatsapp\.net|g\.us|lid)$/.test(recipient) ? recipient : null;
        },
        async send(to, content, sendOptions) {
          const waid = sendOptions.waid ?? randomUUID();
          socket.sends.push({ to, content, waid });
          const text = 'text' in content ? content.text : '';
          return {
            waid,
            chatId: to,
            timestamp: new Date().toISOString(),
            message: {
              waid,
              chatId: to,
              msgType: 'text',
              content: { text },
              senderJid: null,
              senderName: null,
              isFromMe: true,
              quotedMsgId: null,
              timestamp: new Date().toISOString(),
            } as never,
          };
        },
        edit: async () => {},
        revoke: async () => {},
        markRead: async () => {},
        checkNumbers: async (numbers) =>
          numbers.map((n) => ({ phoneNumber: n, jid: `${n}@s.whatsapp.net`, exists: true })),
      };
      queueMicrotask(() => {
        void options.onEvent({
          type: 'qr',
          qr: `2@fake-qr-${options.session.id}`,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        });
      });
      return connection as Connection;
    },
  };
  return {
    connector,
    socket: (sessionId: string) => sockets.get(sessionId),
    /** Completes pairing of a session's socket. */
    async open(sessionId: string, phoneNumber = '15550001111') {
      const socket = sockets.get(sessionId);
      if (!socket) throw new Error(`no socket for ${sessionId}`);
      await socket.emit({
        type: 'open',
        deviceJid: `${phoneNumber}:1@s.whatsapp.net`,
        phoneNumber,
        pushName: 'Test',
        lid: null,
      });
    },
  };
}
