import { Type } from '@sinclair/typebox';
import { type EventFollower, followEvents, GatewayError, type StoredEvent } from '@zapgate/core';
import type { FastifyReply } from 'fastify';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { rawResponse, responses } from '../schemas.js';

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

/** One SSE frame: `id:` the event ULID, `event:` its type, `data:` the envelope without `seq`. */
export function sseFrame(event: StoredEvent): string {
  const { seq: _seq, ...envelope } = event;
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(envelope)}\n\n`;
}

/** `GET /v1/events`: the durable event log as Server-Sent Events, resumable with `Last-Event-ID`. */
export function eventRoutes(app: ZapgateInstance, ctx: RouteContext) {
  const { store } = ctx.gateway;
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
