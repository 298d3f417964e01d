import type { ZapgateSchemas } from '@zapgate/sdk';

export type Message = ZapgateSchemas['Message'];
export type Chat = ZapgateSchemas['Chat'];

/** A one-line summary of a message's content. */
export function messageText(message: Message): string {
  const content = message.content as Record<string, unknown>;
  if (typeof content.text === 'string') return content.text;
  if (typeof content.caption === 'string' && content.caption) return content.caption;
  if (typeof content.fileName === 'string') return content.fileName;
  if (message.msgType === 'reaction') return `reacted ${String(content.emoji ?? '')}`;
  if (message.msgType === 'location')
    return `Location ${String(content.latitude)}, ${String(content.longitude)}`;
  if (message.msgType === 'poll') return `Poll: ${String(content.name ?? 'poll')}`;
  return `[${message.msgType}]`;
}

/** `report.pdf · application/pdf · 12 kB` for a message with a file, else null. */
export function fileLabel(message: Message): string | null {
  const info = message.mediaInfo;
  if (!info) return null;
  const size =
    info.size === undefined
      ? null
      : info.size < 1024
        ? `${info.size} B`
        : `${Math.round(info.size / 1024)} kB`;
  return [info.fileName, info.mimeType, size].filter(Boolean).join(' · ');
}

/** Media kinds the page previews inline (stored media only: the server keeps inbound files). */
export function previewKind(message: Message): 'image' | 'video' | 'audio' | null {
  const info = message.mediaInfo;
  // `path` is the stored file (events carry it); `url` is how the API renders it.
  if (!info || info.error || !(info.path || info.url)) return null;
  if (message.msgType === 'image' || message.msgType === 'sticker') return 'image';
  if (message.msgType === 'video') return 'video';
  if (message.msgType === 'audio') return 'audio';
  return null;
}

/** The message type to send a file as, from its MIME type. */
export function sendTypeFor(mimeType: string): 'image' | 'video' | 'audio' | 'document' {
  if (/^image\/(jpeg|png|webp)$/.test(mimeType)) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

/** A file's bytes as base64 (what the JSON send body carries). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Newest first, without duplicates (events may repeat what a load already returned). */
export function mergeMessage(list: Message[], message: Message): Message[] {
  const rest = list.filter((m) => m.id !== message.id);
  return [message, ...rest].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
}
