import type { CallbackMessage } from '../callback/payload.js';
import { markdownToWhatsapp } from '../format/markdown-to-whatsapp.js';

/** How an agent's message is signed. */
export interface SignatureOptions {
  /** Prepend the agent's name. @default false */
  signMessages: boolean;
  /** Between the name and the text. @default '\n' */
  signDelimiter: string;
}

/** One WhatsApp send an agent's message becomes. */
export type PlannedSend =
  | { kind: 'text'; text: string }
  | {
      kind: 'media';
      mediaType: 'image' | 'video' | 'audio' | 'document';
      /** Where Chatwoot serves the file (`data_url`). */
      url: string;
      fileName: string;
      caption?: string;
    };

const mediaTypes: Record<string, 'image' | 'video' | 'audio'> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
};

function fileNameOf(url: string, fallback: string): string {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : fallback;
  } catch {
    return fallback;
  }
}

/** The text of an agent's message for WhatsApp: Markdown converted, signed when asked. */
export function whatsappText(message: CallbackMessage, options: SignatureOptions): string | null {
  const text = message.content?.trim() ? markdownToWhatsapp(message.content) : null;
  const agent = message.sender?.name?.trim();
  if (!options.signMessages || !agent) return text;
  return `*${agent}:*${options.signDelimiter}${text ?? ''}`.trimEnd();
}

/**
 * The WhatsApp sends an agent's message becomes: one per attachment (images, videos and
 * documents carry the text as their caption, once), or one text. A caption cannot go on a
 * voice note or audio: then the text is sent first.
 */
export function planWhatsappSends(message: CallbackMessage, options: SignatureOptions): PlannedSend[] {
  const text = whatsappText(message, options);
  const files = (message.attachments ?? []).map((attachment, index) => ({
    kind: 'media' as const,
    mediaType: mediaTypes[attachment.file_type] ?? ('document' as const),
    url: attachment.data_url,
    fileName: fileNameOf(
      attachment.data_url,
      `attachment-${index + 1}${attachment.extension ? `.${attachment.extension}` : ''}`,
    ),
  }));
  if (files.length === 0) return text ? [{ kind: 'text', text }] : [];
  if (!text) return files;
  const first = files[0]!;
  if (first.mediaType === 'audio') return [{ kind: 'text', text }, ...files];
  return [{ ...first, caption: text }, ...files.slice(1)];
}
