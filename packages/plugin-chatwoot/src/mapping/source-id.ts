const prefix = 'WAID:';

/**
 * The `source_id` of the Chatwoot message bridged from a WhatsApp message: `WAID:<waid>`
 * (the form Evolution API uses, so inboxes migrated from it keep matching).
 */
export const sourceIdOf = (waid: string) => `${prefix}${waid}`;

/** The WhatsApp message id in a bridged message's `source_id`, or null for any other message. */
export function waidOfSourceId(sourceId: string | null | undefined): string | null {
  return sourceId?.startsWith(prefix) && sourceId.length > prefix.length
    ? sourceId.slice(prefix.length)
    : null;
}
