import type { Message } from '@zapgate/core';

type Rendered = Message & { mediaInfo: NonNullable<Message['mediaInfo']> };

const hasStoredMedia = (value: unknown): value is Rendered => {
  const m = value as Partial<Message> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'string' &&
    typeof m.sessionId === 'string' &&
    typeof m.waid === 'string' &&
    typeof m.mediaInfo?.path === 'string'
  );
};

/**
 * Core stores a media reference (`mediaInfo.path`), never a URL: the host knows where it
 * serves files. This adds `mediaInfo.url` (the media route under `prefix`) to a message, a
 * page of messages or `{ message }`, and leaves any other body as it is.
 */
export function withMediaUrls(body: unknown, prefix: string): unknown {
  const render = (m: Rendered): Rendered => ({
    ...m,
    mediaInfo: { ...m.mediaInfo, url: `${prefix}/sessions/${m.sessionId}/messages/${m.id}/media` },
  });
  if (hasStoredMedia(body)) return render(body);
  const page = body as { items?: unknown } | null;
  if (page && Array.isArray(page.items) && page.items.some(hasStoredMedia)) {
    return { ...page, items: page.items.map((m) => (hasStoredMedia(m) ? render(m) : m)) };
  }
  return body;
}
