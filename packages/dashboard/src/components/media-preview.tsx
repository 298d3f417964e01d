import { useEffect, useState } from 'preact/hooks';
import { useAuth } from '../lib/auth.js';
import { type Message, previewKind } from '../lib/messages.js';

/**
 * Media need the API key, so they are fetched through the SDK and shown from a blob URL
 * (allowed by the page's Content-Security-Policy), released when the preview goes away.
 */
export function MediaPreview({ message }: { message: Message }) {
  const { client } = useAuth();
  const kind = previewKind(message);
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!kind) return;
    let objectUrl: string | null = null;
    let cancelled = false;
    void client.api
      .GET('/v1/sessions/{sessionId}/messages/{messageId}/media', {
        params: { path: { sessionId: message.sessionId, messageId: message.id } },
        parseAs: 'blob',
      })
      .then(
        ({ data, response }) => {
          if (cancelled) return;
          if (!response.ok || !(data instanceof Blob)) return setFailed(true);
          objectUrl = URL.createObjectURL(data);
          setUrl(objectUrl);
        },
        () => !cancelled && setFailed(true),
      );
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [message.id, kind]);
  if (!kind) return null;
  if (failed) return <span class="hint">(media unavailable)</span>;
  if (!url) return <span class="hint">(loading media…)</span>;
  if (kind === 'image')
    return (
      <img
        class="media"
        src={url}
        alt={`${message.msgType} from ${message.senderName ?? message.senderJid}`}
      />
    );
  if (kind === 'video') {
    // biome-ignore lint/a11y/useMediaCaption: WhatsApp media come without caption tracks
    return <video class="media" src={url} controls preload="metadata" />;
  }
  // biome-ignore lint/a11y/useMediaCaption: WhatsApp media come without caption tracks
  return <audio src={url} controls preload="metadata" />;
}
