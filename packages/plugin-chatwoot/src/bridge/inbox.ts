import { randomBytes } from 'node:crypto';
import type { ChatwootClient } from '../client/client.js';
import type { ChatwootInbox } from '../client/types.js';
import { chatwootError } from '../error-codes.js';
import type { ChatwootSettings } from '../settings.js';

/** The callback URL of a session (its token proves the caller when the inbox has no secret). */
export function callbackUrl(publicUrl: string, sessionId: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/chatwoot/${sessionId}/callback?token=${token}`;
}

/** A new callback token: 32 random bytes, URL-safe. */
export const newCallbackToken = () => randomBytes(32).toString('base64url');

/**
 * The session's inbox: by id (404 stops the bridge: `CHATWOOT_INBOX_NOT_FOUND`), or the
 * API-channel inbox named `inboxName`, created when missing. Its `webhook_url` is pointed at
 * this session's callback when the gateway knows its public URL (`webhookUrl` not null).
 */
export async function setupInbox(
  client: ChatwootClient,
  settings: ChatwootSettings,
  webhookUrl: string | null,
  signal?: AbortSignal,
): Promise<ChatwootInbox> {
  const o = signal ? { signal } : {};
  let inbox: ChatwootInbox | undefined;
  if (settings.inboxId !== undefined) inbox = await client.inboxes.get(settings.inboxId, o);
  else {
    const { payload } = await client.inboxes.list(o);
    inbox = payload.find((i) => i.name === settings.inboxName && i.channel_type === 'Channel::Api');
    if (!inbox) {
      if (!webhookUrl) {
        throw chatwootError(
          'CHATWOOT_INBOX_NOT_FOUND',
          `No API inbox named "${settings.inboxName}", and it cannot be created without the gateway's public URL (publicUrl)`,
        );
      }
      return client.inboxes.create({ name: settings.inboxName, webhookUrl }, o);
    }
  }
  if (!webhookUrl || inbox.webhook_url === webhookUrl) return inbox;
  return { ...inbox, ...(await client.inboxes.update(inbox.id, { webhookUrl }, o)) };
}
