import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { ZapgateEvent, ZapgateEventType } from './events.js';
import { type RetryOptions, retryingFetch } from './retry.js';
import type { components, paths } from './schema.js';
import { readSse } from './sse.js';

/** Options of {@link createZapgateClient}. */
export interface ZapgateClientOptions {
  /** The server's base URL, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The admin key or a session key. */
  apiKey: string;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Retries of idempotent requests on network errors and 503; `false` disables. @default { retries: 3, minDelayMs: 300, maxDelayMs: 5000 } */
  retry?: RetryOptions | false;
  /** Makes the `Idempotency-Key` sent with every message send. @default crypto.randomUUID */
  idempotencyKey?: () => string;
}

/** The error body every failed call returns: `{ statusCode, code, error, message }`. */
export type ZapgateError = components['schemas']['Error'];

type Schemas = components['schemas'];
type Op<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];
type JsonBody<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Query<O> = O extends { parameters: { query?: infer Q } } ? Q : never;

/** The body of a send, by message type. */
export type SendMessageBody = JsonBody<Op<'/v1/sessions/{sessionId}/messages', 'post'>>;
type MediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** Options of one event stream. */
export interface EventStreamOptions<T extends ZapgateEventType> {
  /** Only this session (a session key always sees only its own). */
  sessionId?: string;
  /** Event types or patterns (`message.*`). @default every type */
  types?: readonly (T | `${string}.*`)[];
  /** Resume after this event id. */
  lastEventId?: string;
  signal?: AbortSignal;
}

const sendPath = /\/v1\/sessions\/[^/]+\/messages$/;

/**
 * A typed client for a Zapgate server, on openapi-fetch: every call returns
 * `{ data, error, response }` and never throws on HTTP errors; `error` is the server's error
 * shape. `api` reaches every operation by path; the named methods cover the common flows.
 *
 * @example
 * const zg = createZapgateClient({ baseUrl: 'http://localhost:3000', apiKey });
 * const { data: session } = await zg.sessions.create({ name: 'sales' });
 * await zg.messages.sendText(session!.id, '15550002222', 'hello');
 */
export function createZapgateClient(options: ZapgateClientOptions) {
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const fetchImpl = options.retry === false ? baseFetch : retryingFetch(baseFetch, options.retry);
  const newKey = options.idempotencyKey ?? (() => crypto.randomUUID());
  const api: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    fetch: fetchImpl,
    headers: { authorization: `Bearer ${options.apiKey}` },
  });
  const idempotency: Middleware = {
    onRequest({ request }) {
      if (
        request.method === 'POST' &&
        sendPath.test(new URL(request.url).pathname) &&
        !request.headers.has('idempotency-key')
      ) {
        request.headers.set('idempotency-key', newKey());
      }
      return request;
    },
  };
  api.use(idempotency);
  const session = (sessionId: string) => ({ params: { path: { sessionId } } });

  const sessions = {
    create: (body: JsonBody<Op<'/v1/sessions', 'post'>>) => api.POST('/v1/sessions', { body }),
    list: () => api.GET('/v1/sessions'),
    get: (sessionId: string) => api.GET('/v1/sessions/{sessionId}', session(sessionId)),
    update: (sessionId: string, body: JsonBody<Op<'/v1/sessions/{sessionId}', 'patch'>>) =>
      api.PATCH('/v1/sessions/{sessionId}', { ...session(sessionId), body }),
    delete: (sessionId: string, query: { keepData?: boolean } = {}) =>
      api.DELETE('/v1/sessions/{sessionId}', {
        params: { path: { sessionId }, query: { keepData: query.keepData ?? false } },
      }),
    connect: (sessionId: string) => api.POST('/v1/sessions/{sessionId}/connect', session(sessionId)),
    disconnect: (sessionId: string) => api.POST('/v1/sessions/{sessionId}/disconnect', session(sessionId)),
    logout: (sessionId: string) => api.POST('/v1/sessions/{sessionId}/logout', session(sessionId)),
    restart: (sessionId: string) => api.POST('/v1/sessions/{sessionId}/restart', session(sessionId)),
    qr: (sessionId: string) => api.GET('/v1/sessions/{sessionId}/qr', session(sessionId)),
    pairingCode: (sessionId: string, phoneNumber: string) =>
      api.POST('/v1/sessions/{sessionId}/pairing-code', { ...session(sessionId), body: { phoneNumber } }),
    rotateKey: (sessionId: string) => api.POST('/v1/sessions/{sessionId}/rotate-key', session(sessionId)),
  };

  const send = (sessionId: string, body: SendMessageBody, opts: { idempotencyKey?: string } = {}) =>
    api.POST('/v1/sessions/{sessionId}/messages', {
      params: {
        path: { sessionId },
        header: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {},
      },
      body,
    });

  const messages = {
    /** Sends any message type; an `Idempotency-Key` is added unless given. */
    send,
    sendText: (
      sessionId: string,
      to: string,
      text: string,
      extra: Omit<Extract<SendMessageBody, { type: 'text' }>, 'type' | 'to' | 'text'> = {},
    ) => send(sessionId, { type: 'text', to, text, ...extra } as SendMessageBody),
    sendMedia: <T extends MediaType>(sessionId: string, body: Extract<SendMessageBody, { type: T }>) =>
      send(sessionId, body),
    list: (sessionId: string, query: Query<Op<'/v1/sessions/{sessionId}/messages', 'get'>> = {}) =>
      api.GET('/v1/sessions/{sessionId}/messages', { params: { path: { sessionId }, query } }),
    get: (sessionId: string, messageId: string) =>
      api.GET('/v1/sessions/{sessionId}/messages/{messageId}', {
        params: { path: { sessionId, messageId } },
      }),
    edit: (sessionId: string, messageId: string, text: string) =>
      api.PATCH('/v1/sessions/{sessionId}/messages/{messageId}', {
        params: { path: { sessionId, messageId } },
        body: { text },
      }),
    revoke: (sessionId: string, messageId: string) =>
      api.DELETE('/v1/sessions/{sessionId}/messages/{messageId}', {
        params: { path: { sessionId, messageId } },
      }),
    markRead: (sessionId: string, chatId: string, messageIds?: string[]) =>
      api.POST('/v1/sessions/{sessionId}/chats/{chatId}/read', {
        params: { path: { sessionId, chatId } },
        body: messageIds ? { messageIds } : {},
      }),
  };

  const events = {
    /**
     * Typed events from `GET /v1/events` as an async iterator; reconnects after drops and
     * resumes with `Last-Event-ID`, so no event is missed. Stop it with `signal` or `break`.
     */
    async *stream<T extends ZapgateEventType = ZapgateEventType>(
      streamOptions: EventStreamOptions<T> = {},
    ): AsyncGenerator<ZapgateEvent<T>> {
      const query = new URLSearchParams();
      if (streamOptions.sessionId) query.set('sessionId', streamOptions.sessionId);
      if (streamOptions.types?.length) query.set('types', streamOptions.types.join(','));
      for await (const message of readSse({
        url: `${options.baseUrl.replace(/\/$/, '')}/v1/events${query.size ? `?${query}` : ''}`,
        headers: { authorization: `Bearer ${options.apiKey}` },
        fetch: baseFetch,
        ...(streamOptions.lastEventId ? { lastEventId: streamOptions.lastEventId } : {}),
        ...(streamOptions.signal ? { signal: streamOptions.signal } : {}),
      })) {
        if (!message.data) continue;
        yield JSON.parse(message.data) as ZapgateEvent<T>;
      }
    },
  };

  return { api, sessions, messages, events };
}

/** A client made by {@link createZapgateClient}. */
export type ZapgateClient = ReturnType<typeof createZapgateClient>;
/** Contract types of the server, by component name (`Session`, `Message`, …). */
export type ZapgateSchemas = Schemas;
