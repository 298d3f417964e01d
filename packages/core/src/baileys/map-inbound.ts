import {
  getContentType,
  normalizeMessageContent,
  proto,
  type WAMessage,
  type WAMessageContent,
} from '@whiskeysockets/baileys';
import type { ContactInput } from '../contracts/contact.js';
import type { MediaInfo, MessageMetadata } from '../contracts/message.js';
import type { ConnectorEvent, InboundMessage } from '../ports/connector.js';
import { preferPn } from './jids.js';

const toIso = (seconds: unknown): string => {
  const n = Number(seconds ?? 0);
  return new Date(n > 0 ? n * 1000 : Date.now()).toISOString();
};

const num = (value: unknown): number | undefined => (value == null ? undefined : Number(value));
const hex = (value: Uint8Array | null | undefined) =>
  value?.length ? Buffer.from(value).toString('hex') : undefined;

type Mapped = Pick<InboundMessage, 'msgType' | 'content' | 'mediaInfo'> & { metadata?: MessageMetadata };

/** Maps one WhatsApp message body to a Zapgate type and content (media without bytes). */
export function mapContent(message: WAMessageContent): Mapped | null {
  const type = getContentType(message);
  if (!type) return null;
  const media = (
    m: {
      mimetype?: string | null;
      fileLength?: unknown;
      fileSha256?: Uint8Array | null;
      seconds?: number | null;
      width?: number | null;
      height?: number | null;
      fileName?: string | null;
    },
    fallback: string,
  ): MediaInfo => {
    const info: MediaInfo = { mimeType: m.mimetype ?? fallback };
    const size = num(m.fileLength);
    if (size !== undefined) info.size = size;
    const sha = hex(m.fileSha256);
    if (sha) info.sha256 = sha;
    if (m.fileName) info.fileName = m.fileName;
    if (m.seconds) info.duration = m.seconds;
    if (m.width) info.width = m.width;
    if (m.height) info.height = m.height;
    return info;
  };
  switch (type) {
    case 'conversation':
      return { msgType: 'text', content: { text: message.conversation ?? '' }, mediaInfo: null };
    case 'extendedTextMessage': {
      const m = message.extendedTextMessage!;
      return {
        msgType: 'text',
        content: { text: m.text ?? '', ...(m.matchedText ? { matchedUrl: m.matchedText } : {}) },
        mediaInfo: null,
      };
    }
    case 'imageMessage': {
      const m = message.imageMessage!;
      return {
        msgType: 'image',
        content: { caption: m.caption ?? undefined },
        mediaInfo: media(m, 'image/jpeg'),
      };
    }
    case 'videoMessage': {
      const m = message.videoMessage!;
      return {
        msgType: 'video',
        content: { caption: m.caption ?? undefined, gif: m.gifPlayback ?? undefined },
        mediaInfo: media(m, 'video/mp4'),
      };
    }
    case 'audioMessage': {
      const m = message.audioMessage!;
      return { msgType: 'audio', content: { voiceNote: !!m.ptt }, mediaInfo: media(m, 'audio/ogg') };
    }
    case 'documentMessage': {
      const m = message.documentMessage!;
      return {
        msgType: 'document',
        content: { caption: m.caption ?? undefined, fileName: m.fileName ?? undefined },
        mediaInfo: media(m, 'application/octet-stream'),
      };
    }
    case 'stickerMessage': {
      const m = message.stickerMessage!;
      return { msgType: 'sticker', content: { animated: !!m.isAnimated }, mediaInfo: media(m, 'image/webp') };
    }
    case 'locationMessage':
    case 'liveLocationMessage': {
      const m = (message.locationMessage ?? message.liveLocationMessage)!;
      const named = message.locationMessage;
      return {
        msgType: 'location',
        content: {
          latitude: m.degreesLatitude ?? 0,
          longitude: m.degreesLongitude ?? 0,
          ...(named?.name ? { name: named.name } : {}),
          ...(named?.address ? { address: named.address } : {}),
          ...(type === 'liveLocationMessage' ? { live: true } : {}),
        },
        mediaInfo: null,
      };
    }
    case 'contactMessage': {
      const m = message.contactMessage!;
      return {
        msgType: 'contact',
        content: { contacts: [{ displayName: m.displayName ?? '', vcard: m.vcard ?? '' }] },
        mediaInfo: null,
      };
    }
    case 'contactsArrayMessage': {
      const m = message.contactsArrayMessage!;
      const contacts = (m.contacts ?? []).map((c) => ({
        displayName: c.displayName ?? '',
        vcard: c.vcard ?? '',
      }));
      return { msgType: 'contact', content: { contacts }, mediaInfo: null };
    }
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3': {
      const m = (message.pollCreationMessage ??
        message.pollCreationMessageV2 ??
        message.pollCreationMessageV3)!;
      return {
        msgType: 'poll',
        content: {
          name: m.name ?? '',
          options: (m.options ?? []).map((o) => o.optionName ?? ''),
          selectableCount: m.selectableOptionsCount ?? 0,
        },
        mediaInfo: null,
      };
    }
    default:
      return { msgType: 'unsupported', content: { kind: type }, mediaInfo: null };
  }
}

const ignoredTypes = new Set([
  'senderKeyDistributionMessage',
  'messageContextInfo',
  'pollUpdateMessage',
  'keepInChatMessage',
]);

/** Everything one upserted WhatsApp message means for Zapgate (a message, an edit, a reaction…). */
export function mapWaMessage(
  msg: WAMessage,
  ownJid: string | null,
): ConnectorEvent[] | InboundMessage | null {
  const key = msg.key;
  if (!key.remoteJid || !key.id || !msg.message) return null;
  const chatId = preferPn(key.remoteJid, key.remoteJidAlt);
  if (!chatId) return null;
  const isGroup = chatId.endsWith('@g.us');
  const fromMe = !!key.fromMe;
  const senderJid = fromMe ? ownJid : isGroup ? preferPn(key.participant, key.participantAlt) : chatId;
  const at = toIso(msg.messageTimestamp);
  const raw = msg.message;
  const content = normalizeMessageContent(raw);
  if (!content) return null;

  const protocol = content.protocolMessage;
  if (protocol?.key?.id) {
    if (protocol.type === proto.Message.ProtocolMessage.Type.REVOKE) {
      return [{ type: 'message.deleted', chatId, waid: protocol.key.id, deletedBy: senderJid }];
    }
    if (protocol.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT && protocol.editedMessage) {
      const mapped = mapContent(protocol.editedMessage);
      if (!mapped) return null;
      return [
        {
          type: 'message.edited',
          chatId,
          waid: protocol.key.id,
          content: mapped.content,
          msgType: mapped.msgType,
          editedAt: at,
        },
      ];
    }
    return null;
  }
  // the other protocol messages (app-state key shares, history sync notifications…) are
  // between our own devices and Baileys consumes them: they are not chat content
  if (protocol) return null;
  if (content.reactionMessage?.key?.id) {
    return [
      {
        type: 'message.reaction',
        chatId,
        targetWaid: content.reactionMessage.key.id,
        senderJid: senderJid ?? chatId,
        emoji: content.reactionMessage.text ?? '',
        at,
      },
    ];
  }
  const type = getContentType(content);
  if (!type || ignoredTypes.has(type)) return null;
  const mapped = mapContent(content);
  if (!mapped) return null;

  const context = (
    Object.values(content).find((v) => v && typeof v === 'object' && 'contextInfo' in v) as
      | { contextInfo?: proto.IContextInfo }
      | undefined
  )?.contextInfo;
  const metadata: MessageMetadata = {
    ...(context?.mentionedJid?.length ? { mentions: context.mentionedJid } : {}),
    ...(raw.viewOnceMessage || raw.viewOnceMessageV2 || raw.viewOnceMessageV2Extension
      ? { viewOnce: true }
      : {}),
    ...(raw.ephemeralMessage ? { ephemeral: true } : {}),
    ...(context?.isForwarded ? { forwarded: true } : {}),
  };
  // a poll's votes are encrypted with its secret: keep it to decrypt them (see poll-votes.ts)
  const secret = raw.messageContextInfo?.messageSecret ?? content.messageContextInfo?.messageSecret;
  if (mapped.msgType === 'poll' && secret?.length)
    metadata.messageSecret = Buffer.from(secret).toString('base64');
  return {
    chatId,
    waid: key.id,
    msgType: mapped.msgType,
    content: mapped.content,
    mediaInfo: mapped.mediaInfo ?? null,
    senderJid,
    senderName: fromMe ? null : (msg.pushName ?? null),
    isFromMe: fromMe,
    quotedMsgId: context?.stanzaId ?? null,
    timestamp: at,
    metadata,
  } as InboundMessage;
}

/**
 * What a message tells about its sender: phone-number JID, LID (v7 keys carry both forms)
 * and push name. `null` for our own messages.
 */
export function senderContactOf(msg: WAMessage): ContactInput | null {
  const key = msg.key;
  if (key.fromMe || !key.remoteJid) return null;
  const isGroup = key.remoteJid.endsWith('@g.us');
  const forms = isGroup ? [key.participant, key.participantAlt] : [key.remoteJid, key.remoteJidAlt];
  const jid = preferPn(forms[0], forms[1]);
  if (!jid?.endsWith('@s.whatsapp.net')) return null;
  const lid = forms.find((f) => f?.endsWith('@lid'));
  return {
    jid,
    phoneNumber: jid.split('@')[0]!,
    ...(lid ? { lid: lid.replace(/:\d+@/, '@') } : {}),
    ...(msg.pushName ? { pushName: msg.pushName } : {}),
  };
}
