import type { Message } from '@zapgate/core';
import type { NewChatwootMessage } from '../client/types.js';
import { whatsappToMarkdown } from '../format/whatsapp-to-markdown.js';
import { fileNameOf, hasMedia } from './media.js';
import { sourceIdOf } from './source-id.js';

/** What the mapping needs to know beyond the message itself. */
export interface ToChatwootContext {
  /** The Chatwoot message the quoted (or reacted-to) WhatsApp message became, when bridged. */
  inReplyTo?: number | null;
  /** In a group: who wrote the message (each message is prefixed with it). */
  participant?: { name: string | null; phone: string | null } | null;
  /** A message sent from the phone itself becomes a private note instead of an outgoing message. @default false */
  fromMeAsNote?: boolean;
}

/** A Chatwoot message to create, and the file to upload with it. */
export interface ChatwootDraft {
  message: NewChatwootMessage;
  /** The message's media, uploaded as an attachment (the content is its caption, sent once). */
  attachment: { fileName: string; contentType: string } | null;
}

/** Phone numbers of a vCard's TEL lines (the `waid` parameter when WhatsApp added one). */
export function vcardPhones(vcard: string): string[] {
  const phones: string[] = [];
  for (const match of vcard.matchAll(/^(?:item\d+\.)?TEL([^:\n]*):([^\r\n]+)/gim)) {
    const waid = /waid=(\d+)/i.exec(match[1]!)?.[1];
    phones.push(waid ? `+${waid}` : match[2]!.trim());
  }
  return phones;
}

/** Google Maps link for a point. */
export const mapLink = (latitude: number, longitude: number) =>
  `https://www.google.com/maps?q=${latitude},${longitude}`;

function prefixOf(context: ToChatwootContext): string {
  const who = context.participant;
  if (!who) return '';
  const name = who.name?.trim() || who.phone || 'Unknown';
  const phone = who.phone && who.phone !== name ? ` (${who.phone})` : '';
  return `**${name}**${phone}:`;
}

/** The text of a message in Chatwoot Markdown (captions for media, null when there is none). */
function bodyOf(message: Message): string | null {
  switch (message.msgType) {
    case 'text':
      return whatsappToMarkdown(message.content.text);
    case 'image':
    case 'video':
    case 'document':
      return message.content.caption ? whatsappToMarkdown(message.content.caption) : null;
    case 'audio':
    case 'sticker':
      return null;
    case 'location': {
      const { latitude, longitude, name, address, live } = message.content;
      const title = name ? `📍 **${name}**` : live ? '📍 Live location' : '📍 Location';
      return [title, address, mapLink(latitude, longitude)].filter(Boolean).join('\n');
    }
    case 'contact':
      return message.content.contacts
        .map((card) =>
          [`👤 **${card.displayName}**`, ...vcardPhones(card.vcard).map((p) => `📞 ${p}`)].join('\n'),
        )
        .join('\n\n');
    case 'poll': {
      const { name, options, selectableCount } = message.content;
      const choice = selectableCount > 1 ? `\n_Up to ${selectableCount} choices_` : '';
      return `📊 **${name}**\n${options.map((o) => `- ${o}`).join('\n')}${choice}`;
    }
    case 'reaction':
      return message.content.emoji;
    case 'unsupported':
      return `_Unsupported WhatsApp message (${message.content.kind})_`;
  }
}

/**
 * The Chatwoot message a WhatsApp message becomes: text in Markdown, media as an attachment
 * with its caption once, a location as a map link, contact cards with their numbers, a poll
 * with its options, a reaction as a reaction to the message it reacts to, a reply as
 * `in_reply_to`; group messages start with the participant's name and number; messages sent
 * from the phone are outgoing (or private notes). Its `source_id` is `WAID:<waid>`.
 * Null for a removed reaction (the caller deletes the reaction it bridged before).
 */
export function toChatwootDraft(message: Message, context: ToChatwootContext = {}): ChatwootDraft | null {
  if (message.msgType === 'reaction' && message.content.emoji === '') return null;
  let body = bodyOf(message);
  const media = hasMedia(message);
  const info = message.mediaInfo;
  const fileMissing = media && (!info || info.error !== undefined);
  if (fileMissing) {
    const why = info?.error ? `: ${info.error}` : '';
    body = [`_[${message.msgType} could not be downloaded${why}]_`, body].filter(Boolean).join('\n');
  }
  const notes = [
    message.metadata.forwarded ? '_Forwarded_' : null,
    message.metadata.viewOnce ? '_View once_' : null,
  ].filter(Boolean);
  const prefix = prefixOf(context);
  const content = [prefix, ...notes, body].filter((part) => part !== null && part !== '').join('\n') || null;

  const contentAttributes: Record<string, unknown> = {};
  if (context.inReplyTo != null) contentAttributes.in_reply_to = context.inReplyTo;
  if (message.msgType === 'reaction') contentAttributes.is_reaction = true;

  return {
    message: {
      content,
      messageType: message.isFromMe ? 'outgoing' : 'incoming',
      private: message.isFromMe && (context.fromMeAsNote ?? false),
      sourceId: sourceIdOf(message.waid),
      ...(Object.keys(contentAttributes).length ? { contentAttributes } : {}),
    },
    attachment: media && !fileMissing ? { fileName: fileNameOf(message), contentType: info!.mimeType } : null,
  };
}

/**
 * The note posted when a WhatsApp message is edited (Chatwoot's API cannot change a
 * message's text): a reply to the original carrying the new text, so the history of edits
 * stays readable in the conversation.
 */
export function toChatwootEdit(
  message: Message,
  context: ToChatwootContext & { editedAt: string },
): ChatwootDraft {
  const text = bodyOf(message) ?? '';
  const prefix = prefixOf(context);
  return {
    message: {
      content: [prefix, `✏️ _Edited:_ ${text}`].filter(Boolean).join('\n'),
      messageType: message.isFromMe ? 'outgoing' : 'incoming',
      private: message.isFromMe && (context.fromMeAsNote ?? false),
      sourceId: `${sourceIdOf(message.waid)}@edit:${Date.parse(context.editedAt)}`,
      ...(context.inReplyTo != null ? { contentAttributes: { in_reply_to: context.inReplyTo } } : {}),
    },
    attachment: null,
  };
}

/** A reaction (`message.reaction`), as the mapping reads it. */
export interface ReactionInput {
  targetWaid: string;
  senderJid: string;
  emoji: string;
  isFromMe: boolean;
}

/** The id-map key (and `source_id` suffix) of one person's reaction to one message. */
export const reactionKey = (targetWaid: string, senderJid: string) => `${targetWaid}@reaction:${senderJid}`;

/**
 * A reaction as Chatwoot shows reactions: the emoji as a reply to the message it reacts to,
 * marked `is_reaction`. Null for a removed reaction (the caller deletes the one it bridged).
 */
export function toChatwootReaction(
  reaction: ReactionInput,
  context: ToChatwootContext = {},
): ChatwootDraft | null {
  if (!reaction.emoji) return null;
  const prefix = prefixOf(context);
  return {
    message: {
      content: [prefix, reaction.emoji].filter(Boolean).join('\n'),
      messageType: reaction.isFromMe ? 'outgoing' : 'incoming',
      private: reaction.isFromMe && (context.fromMeAsNote ?? false),
      sourceId: `${sourceIdOf(reactionKey(reaction.targetWaid, reaction.senderJid))}:${reaction.emoji}`,
      contentAttributes: {
        ...(context.inReplyTo != null ? { in_reply_to: context.inReplyTo } : {}),
        is_reaction: true,
      },
    },
    attachment: null,
  };
}
