import type { AnyMessageContent, proto, WAMessageKey } from '@whiskeysockets/baileys';
import type { Message } from '../contracts/message.js';
import { vcard } from '../gateway/outbound-content.js';
import type { ConnectorSendOptions, OutboundContent } from '../ports/connector.js';
import { toJid } from './jids.js';

const keyOf = (ref: NonNullable<ConnectorSendOptions['target']>): WAMessageKey => ({
  remoteJid: ref.chatId,
  id: ref.waid,
  fromMe: ref.fromMe,
  ...(ref.senderJid && !ref.fromMe && ref.chatId.endsWith('@g.us') ? { participant: ref.senderJid } : {}),
});

/** Baileys content for an outbound message. */
export function toBaileysContent(
  content: OutboundContent,
  options: ConnectorSendOptions,
  allowLinkPreview: boolean,
): AnyMessageContent {
  const mentions = content.mentions?.map((m) => toJid(m)).filter((j): j is string => !!j);
  const common = { ...(mentions?.length ? { mentions } : {}) };
  const viewOnce = content.viewOnce ? { viewOnce: true } : {};
  switch (content.type) {
    case 'text':
      // `linkPreview: null` stops Baileys from fetching the URL (an outbound call).
      return {
        text: content.text,
        ...common,
        ...(content.linkPreview && allowLinkPreview ? {} : { linkPreview: null }),
      } as AnyMessageContent;
    case 'image':
      return {
        image: content.data,
        mimetype: content.mimeType,
        caption: content.caption,
        ...common,
        ...viewOnce,
      };
    case 'video':
      return {
        video: content.data,
        mimetype: content.mimeType,
        caption: content.caption,
        gifPlayback: content.gif,
        ...common,
        ...viewOnce,
      };
    case 'audio':
      return {
        audio: content.data,
        mimetype: content.mimeType,
        ptt: content.voiceNote ?? false,
        ...viewOnce,
      };
    case 'document':
      return {
        document: content.data,
        mimetype: content.mimeType,
        fileName: content.fileName ?? 'file',
        caption: content.caption,
        ...common,
      };
    case 'sticker':
      return { sticker: content.data, mimetype: content.mimeType };
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          ...(content.name ? { name: content.name } : {}),
          ...(content.address ? { address: content.address } : {}),
        },
      };
    case 'contact':
      return {
        contacts: {
          displayName:
            content.contacts.length === 1 ? content.contacts[0]!.name : `${content.contacts.length} contacts`,
          contacts: content.contacts.map((c) => ({
            displayName: c.name,
            vcard: vcard(c.name, c.phoneNumber),
          })),
        },
      };
    case 'reaction':
      if (!options.target) throw new Error('a reaction needs its target message');
      return { react: { text: content.emoji, key: keyOf(options.target) } };
    case 'poll':
      return {
        poll: { name: content.name, values: content.options, selectableCount: content.selectableCount ?? 1 },
      };
  }
}

/**
 * What a reply shows of the message it quotes (`contextInfo.quotedMessage`): the stored
 * content, without media bytes (a contact's app renders text, captions, file names).
 */
export function quotedContent(message: Message): proto.IMessage {
  const info = message.mediaInfo;
  const mimetype = info?.mimeType;
  switch (message.msgType) {
    case 'text':
      return { conversation: message.content.text };
    case 'image':
      return { imageMessage: { caption: message.content.caption, mimetype } };
    case 'video':
      return { videoMessage: { caption: message.content.caption, mimetype } };
    case 'audio':
      return { audioMessage: { ptt: message.content.voiceNote, mimetype } };
    case 'document':
      return {
        documentMessage: { caption: message.content.caption, fileName: message.content.fileName, mimetype },
      };
    case 'sticker':
      return { stickerMessage: { mimetype } };
    case 'location':
      return {
        locationMessage: {
          degreesLatitude: message.content.latitude,
          degreesLongitude: message.content.longitude,
          name: message.content.name,
          address: message.content.address,
        },
      };
    case 'contact': {
      const [first] = message.content.contacts;
      return { contactMessage: { displayName: first?.displayName, vcard: first?.vcard } };
    }
    case 'poll': {
      const { name, options, selectableCount } = message.content;
      return {
        pollCreationMessage: {
          name,
          options: options.map((optionName) => ({ optionName })),
          selectableOptionsCount: selectableCount,
        },
      };
    }
    case 'reaction':
    case 'unsupported':
      return { conversation: '' };
  }
}

/** The key of a quoted or targeted message. */
export { keyOf };
