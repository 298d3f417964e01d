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
  /** Delay before a reconnect. @default 1000 */
  reconnectDelayMs?: number;
}

/**
 * Reads a Server-Sent Events stream as an async iterator, reconnecting with `Last-Event-ID`
 * so no event is missed across drops. Ends when `signal` aborts.
 */
export async function* readSse(options: SseOptions): AsyncGenerator<EventSourceMessage> {
  let lastEventId = options.lastEventId;
  const reconnect = options.reconnect ?? true;
  while (!options.signal?.aborted) {
    const queue: EventSourceMessage[] = [];
    const parser = createParser({
      onEvent: (message) => {
        queue.push(message);
      },
    });
    try {
      const response = await options.fetch(options.url, {
        headers: {
          ...options.headers,
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => '');
        throw new SseError(response.status, text);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
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
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof SseError && error.status >= 400 && error.status < 500) throw error;
      if (!reconnect) throw error;
    }
    if (!reconnect) return;
    await new Promise((resolve) => setTimeout(resolve, options.reconnectDelayMs ?? 500));
  }
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
