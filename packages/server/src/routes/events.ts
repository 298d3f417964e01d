import { Type } from '@sinclair/typebox';
import {
  decodeCursor,
  type EventFollower,
  encodeCursor,
  followEvents,
  GatewayError,
  Nullable,
  Page,
  pageSize,
  type StoredEvent,
  Timestamp,
} from '@zapgate/core';
import type { FastifyReply } from 'fastify';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { rawResponse, responses, SessionParams } from '../schemas.js';

const batchSize = 200;
const pollMs = 2000;

const EventsQuery = Type.Object({
  sessionId: Type.Optional(
    Type.String({ format: 'uuid', description: 'Only this session (a session key sees only its own)' }),
  ),
  types: Type.Optional(
    Type.String({
      description: 'Comma list of types or patterns, e.g. `message.*,session.status`',
      examples: ['message.*'],
    }),
  ),
  lastEventId: Type.Optional(
    Type.String({ description: 'Resume after this event id (same as the `Last-Event-ID` header)' }),
  ),
});

const HistoryQuery = Type.Object({
  types: Type.Optional(
    Type.String({
      maxLength: 1024,
      description: 'Comma list of types or patterns, e.g. `session.status` (connection history)',
      examples: ['session.status'],
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Page size (default 50)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: '`nextCursor` of the previous page' })),
});

/** An event as the history lists it (`data` is the payload of its type: see `webhooks`). */
const PastEvent = Type.Object({
  id: Type.String({ description: 'ULID of the event' }),
  type: Type.String({ description: 'Event type, e.g. `session.status`' }),
  sessionId: Nullable(Type.String({ format: 'uuid' })),
  occurredAt: Timestamp,
  data: Type.Object(
    {},
    { additionalProperties: true, description: 'The payload of its type (see `webhooks`)' },
  ),
});

/** The envelope without its log position (what SSE and the history show). */
const envelopeOf = ({ seq: _seq, ...envelope }: StoredEvent) => envelope;

/** One SSE frame: `id:` the event ULID, `event:` its type, `data:` the envelope without `seq`. */
export function sseFrame(event: StoredEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(envelopeOf(event))}\n\n`;
}

/**
 * `GET /v1/events`: the durable event log as Server-Sent Events, resumable with `Last-Event-ID`;
 * `GET /v1/sessions/{id}/events`: a session's past events, newest first.
 */
export function eventRoutes(app: ZapgateInstance, ctx: RouteContext) {
  const { store } = ctx.gateway;
  app.get(
    '/sessions/:sessionId/events',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'listSessionEvents',
        summary: "List a session's past events",
        description:
          "The session's events still in the log (older ones go with the event retention), newest first, paged. " +
          'With `types=session.status` this is the connection history: each change with its previous status and reason.',
        tags: ['events'],
        params: SessionParams,
        querystring: HistoryQuery,
        response: responses({ 200: Page(PastEvent) }, [404]),
      },
    },
    async (request) => {
      const { sessionId } = request.params;
      await ctx.gateway.sessions.get(sessionId);
      const limit = pageSize(request.query.limit, 50, 200);
      const types = (request.query.types ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const beforeSeq = request.query.cursor
        ? (decodeCursor(
            request.query.cursor,
            (p) => p.length === 1 && Number.isSafeInteger(p[0]),
          )[0] as number)
        : undefined;
      const rows = await store.events.list({
        afterSeq: 0,
        limit: limit + 1,
        sessionId,
        newestFirst: true,
        ...(types.length ? { types } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      });
      const page = rows.slice(0, limit);
      return {
        items: page.map(envelopeOf),
        nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.seq]) : null,
      };
    },
  );

  app.get(
    '/events',
    {
      config: { auth: 'authenticated' },
      schema: {
        operationId: 'streamEvents',
        summary: 'Stream events (SSE)',
        description:
          'Server-Sent Events from the durable event log: `id` is the event id, `event` its type, `data` the envelope ' +
          '(see `webhooks` for every payload). Without `Last-Event-ID` the stream starts with new events; with it, it ' +
          'resumes right after that event. Comments are sent as keep-alives. A session key streams only its own session.',
        tags: ['events'],
        querystring: EventsQuery,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String()) }),
        response: responses({ 200: rawResponse('text/event-stream', 'The event stream') }, [404]),
      },
    },
    async (request, reply) => {
      const auth = request.auth;
      let sessionId = request.query.sessionId;
      if (auth.scope === 'session') {
        if (sessionId && sessionId !== auth.sessionId)
          throw new GatewayError('FORBIDDEN', 'This key does not reach that session');
        sessionId = auth.sessionId;
      } else if (sessionId) {
        await ctx.gateway.sessions.get(sessionId);
      }
      const patterns = (request.query.types ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const resumeId = request.headers['last-event-id'] ?? request.query.lastEventId;
      let cursor: number;
      if (resumeId) {
        const from = await store.events.get(resumeId);
        if (!from) throw new GatewayError('INVALID_CURSOR', `Unknown Last-Event-ID ${resumeId}`);
        cursor = from.seq;
      } else {
        cursor = await store.events.head();
      }
      stream(reply, ctx, (onEvents, onError) =>
        followEvents({
          store,
          after: cursor,
          ...(sessionId ? { sessionId } : {}),
          ...(patterns.length ? { types: patterns } : {}),
          batchSize,
          pollIntervalMs: pollMs,
          onEvents,
          onError,
        }),
      );
    },
  );
}

/** Writes the events a follower reads to the response as SSE frames, with keep-alives. */
function stream(
  reply: FastifyReply,
  ctx: RouteContext,
  follow: (
    onEvents: (events: StoredEvent[]) => Promise<void>,
    onError: (error: unknown) => void,
  ) => EventFollower,
) {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 3000\n: connected\n\n');
  let closed = false;
  const write = async (chunk: string) => {
    if (!raw.write(chunk))
      await new Promise<void>((resolve) => raw.once('drain', resolve).once('close', resolve));
  };
  const follower = follow(
    async (events) => {
      for (const event of events) {
        if (closed) return;
        await write(sseFrame(event));
      }
    },
    (error) => {
      reply.log.error({ err: error }, 'event stream failed');
      end();
    },
  );
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    void follower.stop();
    ctx.streams.delete(end);
  };
  const end = () => {
    close();
    raw.end();
  };
  ctx.streams.add(end);
  const keepAlive = setInterval(() => raw.write(': keepalive\n\n'), ctx.sseKeepAliveMs);
  raw.on('close', close);
}
