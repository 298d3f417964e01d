import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Options of {@link readSse}. */
export interface SseOptions {
  url: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  /** Resume after this event id (sent as `Last-Event-ID`). */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Reconnect when the stream ends or fails. @default true */
  reconnect?: boolean;
  /** Delay before a reconnect. @default 500 */
  reconnectDelayMs?: number;
}

/**
 * Reads a Server-Sent Events stream as an async iterator, reconnecting with `Last-Event-ID`
 * so no event is missed across drops. Ends when `signal` aborts. Leaving the loop early
 * (`break`, `return` or a thrown error) cancels the reader and aborts the request, so no
 * connection is left open.
 */
export async function* readSse(options: SseOptions): AsyncGenerator<EventSourceMessage> {
  let lastEventId = options.lastEventId;
  const reconnect = options.reconnect ?? true;
  // Our own controller: aborted when the caller's signal aborts or when the loop is left.
  const controller = new AbortController();
  const { signal } = controller;
  const forward = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener('abort', forward, { once: true });
  let reader: ReadableStreamDefaultReader<string> | undefined;
  try {
    while (!signal.aborted) {
      const queue: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (message) => void queue.push(message) });
      try {
        const response = await options.fetch(options.url, {
          headers: {
            ...options.headers,
            accept: 'text/event-stream',
            ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
          },
          signal,
        });
        if (!response.ok || !response.body) {
          const text = await response.text().catch(() => '');
          throw new SseError(response.status, text);
        }
        reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
          while (queue.length > 0) {
            const message = queue.shift()!;
            if (message.id) lastEventId = message.id;
            yield message;
          }
        }
        reader = undefined;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof SseError && error.status >= 400 && error.status < 500) throw error;
        if (!reconnect) throw error;
      }
      if (!reconnect) return;
      await abortableDelay(options.reconnectDelayMs ?? 500, signal);
    }
  } finally {
    options.signal?.removeEventListener('abort', forward);
    await reader?.cancel().catch(() => {});
    controller.abort();
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The stream could not be opened (e.g. 401 or 403). */
export class SseError extends Error {
  override readonly name = 'SseError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`event stream answered ${status}: ${body.slice(0, 200)}`);
  }
}
