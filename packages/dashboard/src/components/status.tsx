import type { ZapgateSchemas } from '@zapgate/sdk';

type SessionStatus = ZapgateSchemas['Session']['status'];
type MessageStatus = ZapgateSchemas['Message']['status'];

const sessionLabels: Record<SessionStatus, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting',
  qr: 'Waiting for scan',
  connected: 'Connected',
  logged_out: 'Logged out',
  failed: 'Failed',
};

/** A session's status as a coloured label (the word carries the meaning, not the colour). */
export function SessionBadge({ status }: { status: SessionStatus }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      {sessionLabels[status] ?? status}
    </span>
  );
}

/** A message's delivery status. */
export function MessageBadge({ status }: { status: MessageStatus }) {
  return (
    <span class={`badge badge-msg-${status}`} data-status={status}>
      {status}
    </span>
  );
}
