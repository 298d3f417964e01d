import type { Message } from '@zapgate/core';

const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'application/pdf': 'pdf',
};

/** A file extension for a MIME type (`image/jpeg` → `jpg`), `bin` when unknown. */
export function extensionOf(mimeType: string): string {
  const bare = mimeType.split(';')[0]!.trim().toLowerCase();
  return extensions[bare] ?? (/^[a-z]+\/([a-z0-9]{1,5})$/.exec(bare)?.[1] || 'bin');
}

/** The name a WhatsApp message's file gets in Chatwoot: its own name, else `<type>-<waid>.<ext>`. */
export function fileNameOf(message: Message): string {
  const info = message.mediaInfo;
  if (info?.fileName) return info.fileName;
  const kind = message.msgType === 'audio' && message.content.voiceNote ? 'voice' : message.msgType;
  return `${kind}-${message.waid}.${extensionOf(info?.mimeType ?? '')}`;
}

/** True when the message carries a file (image, video, audio, document, sticker). */
export function hasMedia(message: Message): boolean {
  return ['image', 'video', 'audio', 'document', 'sticker'].includes(message.msgType);
}
