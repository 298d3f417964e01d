import type { Session } from '@zapgate/core';
import QRCode from 'qrcode';
import type { CallbackMessage } from '../callback/payload.js';
import { ensureContact, type Person } from './contacts.js';
import { ensureConversation } from './conversations.js';
import { reasonOf } from './failures.js';
import type { SessionBridge } from './session-bridge.js';
import type { Outcome } from './to-chatwoot.js';

/** The session operations agents reach through the bot contact. */
export interface SessionControl {
  get(): Promise<Session>;
  qr(): Promise<{ qr: string; expiresAt: string }>;
  pairingCode(phoneNumber: string): Promise<string>;
  restart(): Promise<Session>;
  disconnect(): Promise<Session>;
}

/** The pseudo chat of the bot contact in the bridge's conversation links. */
export const botChat = 'zapgate-bot';

/** The bot contact of a session: identifier `zapgate:<sessionId>` (unique per Chatwoot account). */
export function botPerson(sessionId: string, sessionName: string): Person {
  return {
    jids: [botChat],
    identifier: `zapgate:${sessionId}`,
    phone: null,
    name: `Zapgate (${sessionName})`,
    avatarUrl: null,
  };
}

/** Makes the bot contact and its conversation, once. */
export async function ensureBotConversation(bridge: SessionBridge, sessionName: string) {
  const person = botPerson(bridge.sessionId, sessionName);
  const contact = await ensureContact(bridge, person);
  return ensureConversation(bridge, person, contact);
}

const help = [
  'Commands:',
  '/status — connection of this WhatsApp session',
  '/qr — the QR code to pair a phone',
  '/pairing <number> — a pairing code for that phone number',
  '/restart — reconnect',
  '/disconnect — disconnect (keeps the pairing)',
].join('\n');

async function answer(bridge: SessionBridge, conversationId: number, content: string, image?: Buffer) {
  const message = { content, messageType: 'incoming' as const };
  const o = bridge.signal ? { signal: bridge.signal } : {};
  if (image) {
    await bridge.client.messages.createWithAttachments(
      conversationId,
      message,
      [{ fileName: 'qr.png', contentType: 'image/png', data: image }],
      o,
    );
  } else await bridge.client.messages.create(conversationId, message, o);
}

function describe(session: Session): string {
  const phone = session.phoneNumber ? ` as +${session.phoneNumber.replace(/^\+/, '')}` : '';
  return `Session "${session.name}": ${session.status}${session.status === 'connected' ? phone : ''}`;
}

/** Runs an agent's command written to the bot contact and answers in its conversation. */
export async function runCommand(
  bridge: SessionBridge,
  control: SessionControl,
  payload: CallbackMessage,
): Promise<Outcome> {
  const conversationId = payload.conversation.id;
  const [command = '', ...args] = (payload.content ?? '').trim().split(/\s+/);
  try {
    switch (command.toLowerCase()) {
      case '/status':
        await answer(bridge, conversationId, describe(await control.get()));
        break;
      case '/qr': {
        const { qr, expiresAt } = await control.qr();
        const png = await QRCode.toBuffer(qr, { type: 'png', margin: 2, width: 400 });
        await answer(
          bridge,
          conversationId,
          `Scan with WhatsApp → Linked devices (expires ${expiresAt})`,
          png,
        );
        break;
      }
      case '/pairing': {
        const phone = args[0]?.replace(/\D/g, '');
        if (!phone) {
          await answer(bridge, conversationId, 'Usage: /pairing <phone number with country code>');
          break;
        }
        await answer(
          bridge,
          conversationId,
          `Pairing code for +${phone}: ${await control.pairingCode(phone)}`,
        );
        break;
      }
      case '/restart':
        await answer(bridge, conversationId, `Restarting. ${describe(await control.restart())}`);
        break;
      case '/disconnect':
        await answer(bridge, conversationId, `Disconnected. ${describe(await control.disconnect())}`);
        break;
      default:
        await answer(bridge, conversationId, help);
    }
  } catch (error) {
    await answer(bridge, conversationId, `${command} failed: ${reasonOf(error)}`);
  }
  return { status: 'bridged', chatwootMessageId: payload.id, conversationId };
}
