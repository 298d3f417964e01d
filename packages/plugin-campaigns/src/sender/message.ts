import type { SendMessageBody } from '@zapgate/core';
import { type CompiledContent, type CompiledMessage, renderMessage } from '../content/content.js';
import type { RecipientRecord } from '../repo/recipients.js';

/** Which message of a recipient: 0 the first (its variant), 1 the follow-up. */
export type SendStep = 0 | 1;

/** The idempotency key of a recipient's message: a repeated send (retry, crash, second process) is the same send. */
export const sendKey = (campaignId: string, seq: number, step: SendStep) =>
  `campaigns:${campaignId}:${seq}:${step}`;

/** What one recipient gets at one step, rendered: the send body and the text's length (for typing). */
export interface RenderedSend {
  body: SendMessageBody;
  /** Characters of text (0 for media without caption), for the typing simulation. */
  textLength: number;
  /** The uploaded file to send instead of a URL (`media.uploadId`). */
  uploadId: string | null;
}

/**
 * Renders a recipient's message for a step: variables, spintax (seeded by campaign, number and
 * step, so a repeated send renders the same text) and media by URL (fetched by core under the
 * outgoing-URL policy) or by upload. Null when the step has no message (no follow-up).
 */
export function renderSend(
  content: CompiledContent,
  recipient: Pick<RecipientRecord, 'campaignId' | 'phone' | 'variables' | 'variantId'>,
  step: SendStep,
): RenderedSend | null {
  const message: CompiledMessage | null | undefined =
    step === 0 ? content.variants.find((v) => v.id === recipient.variantId) : content.followUp;
  if (!message) return null;
  const seed = `${recipient.campaignId}:${recipient.phone}:${step}`;
  const text = renderMessage(message, { ...recipient.variables, phone: recipient.phone }, seed);
  const to = recipient.phone.replace(/^\+/, '');
  const { media } = message;
  if (!media)
    return { body: { type: 'text', to, text: text ?? '' }, textLength: text?.length ?? 0, uploadId: null };
  // an upload is sent as bytes (`SendOptions.upload`); its reference keeps the idempotent request stable
  const source = media.url ? { url: media.url } : { url: `campaign-upload:${media.uploadId}` };
  const extra = Object.fromEntries(
    Object.entries({ mimeType: media.mimeType, fileName: media.fileName }).filter(([, v]) => v !== undefined),
  );
  const body = {
    type: media.type,
    to,
    media: source,
    ...extra,
    ...(text && media.type !== 'audio' ? { caption: text } : {}),
  } as SendMessageBody;
  return { body, textLength: text?.length ?? 0, uploadId: media.uploadId ?? null };
}
