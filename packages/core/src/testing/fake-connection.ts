import { randomBytes } from 'node:crypto';
import { toChatJid } from '../contracts/jid.js';
import { storedContent } from '../gateway/outbound-content.js';
import type { Connection, ConnectOptions, OutboundContent, SentMessage } from '../ports/connector.js';

/** One call a connection received, in order. */
export interface FakeCall {
  method: string;
  args: unknown[];
}

/** A send a connection received, with what it resolved to (or why it failed). */
export interface FakeSend {
  to: string;
  content: OutboundContent;
  options: Parameters<Connection['send']>[2];
  result: SentMessage | null;
  error: Error | null;
}

/** What a fake connection needs from its session control. */
export interface FakeConnectionHost {
  pairingCode: string;
  onWhatsApp(phoneNumber: string): boolean;
  sendFailure(): Error | null;
  deviceJid(): string | null;
  record(call: FakeCall): void;
  recordSend(send: FakeSend): void;
  /** Called once when the socket dies (closed by us, logged out or dropped). */
  died(connection: FakeConnection): void;
}

let messageIds = 0;

/** Normalises a phone number or JID exactly like the Baileys connector does (core's {@link toChatJid}). */
export const fakeToJid = toChatJid;

/** A scriptable {@link Connection}: records every call, sends resolve unless told to fail. */
export class FakeConnection implements Connection {
  live = true;
  private readonly record: (method: string, ...args: unknown[]) => void;

  constructor(
    readonly sessionId: string,
    readonly onEvent: ConnectOptions['onEvent'],
    private readonly host: FakeConnectionHost,
  ) {
    this.record = (method, ...args) => host.record({ method, args: structuredClone(args) });
  }

  /** Marks the socket dead (once). */
  kill(): void {
    if (!this.live) return;
    this.live = false;
    this.host.died(this);
  }

  async close(): Promise<void> {
    this.record('close');
    const wasLive = this.live;
    this.kill();
    if (wasLive) await this.onEvent({ type: 'close', reason: 'closed_by_us', message: 'Closed by us' });
  }

  async logout(): Promise<void> {
    this.record('logout');
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.record('requestPairingCode', phoneNumber);
    return this.host.pairingCode;
  }

  newMessageId(): string {
    return `FAKE${(++messageIds).toString(16).toUpperCase().padStart(12, '0')}`;
  }

  async rejectCall(callId: string, from: string): Promise<void> {
    this.record('rejectCall', callId, from);
  }

  toJid(recipient: string): string | null {
    return fakeToJid(recipient);
  }

  async send(to: string, content: OutboundContent, options: Parameters<Connection['send']>[2]) {
    this.record('send', to, { ...content, ...('data' in content ? { data: '<bytes>' } : {}) }, options);
    // like Baileys on a closed WebSocket
    const failure = this.live ? this.host.sendFailure() : new Error('Connection Closed');
    if (failure) {
      this.host.recordSend({ to, content, options, result: null, error: failure });
      throw failure;
    }
    const waid = options.waid ?? this.newMessageId();
    const timestamp = new Date().toISOString();
    const {
      msgType,
      content: stored,
      mediaInfo,
    } = storedContent(
      content,
      'data' in content ? { mimeType: content.mimeType, size: content.data.length } : undefined,
    );
    const result = {
      waid,
      chatId: to,
      timestamp,
      message: {
        chatId: to,
        waid,
        msgType,
        content: stored,
        mediaInfo,
        senderJid: this.host.deviceJid(),
        senderName: null,
        isFromMe: true,
        quotedMsgId: options.quoted?.waid ?? null,
        status: 'sent',
        timestamp,
        // like WhatsApp, a poll gets the key its votes are encrypted with
        ...(msgType === 'poll' ? { metadata: { messageSecret: randomBytes(32).toString('base64') } } : {}),
      },
    } as SentMessage;
    this.host.recordSend({ to, content, options, result, error: null });
    return result;
  }

  async edit(chatId: string, waid: string, text: string): Promise<void> {
    this.record('edit', chatId, waid, text);
  }

  async revoke(chatId: string, waid: string, fromMe: boolean, senderJid: string | null): Promise<void> {
    this.record('revoke', chatId, waid, fromMe, senderJid);
  }

  async markRead(chatId: string, messages: Parameters<Connection['markRead']>[1]): Promise<void> {
    this.record('markRead', chatId, messages);
  }

  async sendPresence(chatId: string | null, presence: Parameters<Connection['sendPresence']>[1]) {
    this.record('sendPresence', chatId, presence);
  }

  async modifyChat(chatId: string, ...rest: [unknown, unknown]): Promise<void> {
    this.record('modifyChat', chatId, ...rest);
  }

  async checkNumbers(phoneNumbers: string[]) {
    this.record('checkNumbers', phoneNumbers);
    return phoneNumbers.map((phoneNumber) => {
      const exists = this.host.onWhatsApp(phoneNumber);
      return { phoneNumber, exists, jid: exists ? `${phoneNumber.replace(/\D/g, '')}@s.whatsapp.net` : null };
    });
  }

  async profilePictureUrl(jid: string): Promise<string | null> {
    this.record('profilePictureUrl', jid);
    return null;
  }

  async setBlocked(jid: string, blocked: boolean): Promise<void> {
    this.record('setBlocked', jid, blocked);
  }

  async updateProfile(change: { name?: string; status?: string; picture?: Buffer }): Promise<void> {
    this.record('updateProfile', { ...change, ...(change.picture ? { picture: '<bytes>' } : {}) });
  }

  /** Records a call and answers `value`. */
  private answer<T>(method: string, args: unknown[], value: T): T {
    this.record(method, ...args);
    return value;
  }

  readonly groups: Connection['groups'] = {
    list: async () => this.answer('groups.list', [], []),
    get: async (jid) => this.answer('groups.get', [jid], this.group(jid, 'Group', [])),
    create: async (subject, participants) =>
      this.answer(
        'groups.create',
        [subject, participants],
        this.group(`${Date.now()}@g.us`, subject, participants),
      ),
    update: async (jid, change) => this.answer('groups.update', [jid, change], undefined),
    participants: async (jid, action, participants) =>
      this.answer(
        'groups.participants',
        [jid, action, participants],
        participants.map((p) => ({ jid: p, status: '200' })),
      ),
    inviteCode: async (jid) => this.answer('groups.inviteCode', [jid], 'INVITE'),
    revokeInvite: async (jid) => this.answer('groups.revokeInvite', [jid], 'INVITE2'),
    join: async (code) => this.answer('groups.join', [code], `${code}@g.us`),
    leave: async (jid) => this.answer('groups.leave', [jid], undefined),
  };

  private group(jid: string, subject: string, participants: string[]) {
    return {
      jid,
      subject,
      description: null,
      owner: this.host.deviceJid(),
      participants: participants.map((p) => ({ jid: p, role: 'member' as const })),
      announce: false,
      restrict: false,
      createdAt: null,
    };
  }
}
