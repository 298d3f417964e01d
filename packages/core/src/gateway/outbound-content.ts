import type { MediaInfo, MessageContent, MessageType } from '../contracts/message.js';
import type { SendMessageBody } from '../contracts/outbound.js';

/** Default MIME types when a sender gives none. */
export const defaultMimeTypes = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  document: 'application/octet-stream',
  sticker: 'image/webp',
} as const;

/** A vCard 3.0 for a shared contact. */
export function vcard(name: string, phoneNumber: string): string {
  const digits = phoneNumber.replace(/\D/g, '');
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `FN:${name}`,
    `TEL;type=CELL;waid=${digits}:+${digits}`,
    'END:VCARD',
  ].join('\n');
}

/** How a send body is stored: its type, content and (for media) what is known of the file. */
export function storedContent(
  body: SendMessageBody,
  media?: { mimeType: string; size: number; fileName?: string },
): { msgType: MessageType; content: MessageContent; mediaInfo: MediaInfo | null } {
  const info = media
    ? { mimeType: media.mimeType, size: media.size, ...(media.fileName ? { fileName: media.fileName } : {}) }
    : null;
  switch (body.type) {
    case 'text':
      return { msgType: 'text', content: { text: body.text }, mediaInfo: null };
    case 'image':
      return { msgType: 'image', content: { caption: body.caption }, mediaInfo: info };
    case 'video':
      return { msgType: 'video', content: { caption: body.caption, gif: body.gif }, mediaInfo: info };
    case 'audio':
      return { msgType: 'audio', content: { voiceNote: body.voiceNote ?? false }, mediaInfo: info };
    case 'document':
      return {
        msgType: 'document',
        content: { caption: body.caption, fileName: body.fileName ?? media?.fileName },
        mediaInfo: info,
      };
    case 'sticker':
      return { msgType: 'sticker', content: {}, mediaInfo: info };
    case 'location':
      return {
        msgType: 'location',
        content: {
          latitude: body.latitude,
          longitude: body.longitude,
          name: body.name,
          address: body.address,
        },
        mediaInfo: null,
      };
    case 'contact':
      return {
        msgType: 'contact',
        content: {
          contacts: body.contacts.map((c) => ({ displayName: c.name, vcard: vcard(c.name, c.phoneNumber) })),
        },
        mediaInfo: null,
      };
    case 'reaction':
      return {
        msgType: 'reaction',
        content: { targetWaid: body.messageId, emoji: body.emoji },
        mediaInfo: null,
      };
    case 'poll':
      return {
        msgType: 'poll',
        content: { name: body.name, options: body.options, selectableCount: body.selectableCount ?? 1 },
        mediaInfo: null,
      };
  }
}
