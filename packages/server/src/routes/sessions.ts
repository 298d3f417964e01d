import { Type } from '@sinclair/typebox';
import { type Gateway, GatewayError, NewSession, Session, SessionPatch, Timestamp } from '@zapgate/core';
import { generateSessionKey, hashApiKey } from '../auth.js';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses, SessionParams } from '../schemas.js';

const sessionKeys = Object.keys(Session.properties) as (keyof Session)[];

/** A session as the API shows it: the stored fields and the node that runs it now. */
export const SessionView = Type.Intersect([
  Session,
  Type.Object({
    ownerNode: Type.Union([Type.String(), Type.Null()], {
      description:
        'The id of the gateway node running this session now (`ZAPGATE_NODE_ID`); `null` when no node runs it ' +
        '(disconnected, logged out, or between nodes after its owner stopped or died)',
      examples: ['node-1'],
    }),
  }),
]);
export type SessionView = Session & { ownerNode: string | null };

/** Only the documented fields of a session (a store row may carry more, such as key hashes). */
export function sessionView(session: Session, ownerNode: string | null): SessionView {
  return { ...(Object.fromEntries(sessionKeys.map((k) => [k, session[k]])) as Session), ownerNode };
}

/** Sessions with their owner nodes (one read of the leases for all of them). */
async function withOwners(gateway: Gateway, sessions: readonly Session[]): Promise<SessionView[]> {
  const owners = await gateway.cluster.owners(sessions.map((s) => s.id));
  return sessions.map((session) => sessionView(session, owners.get(session.id) ?? null));
}

const viewOf = async (gateway: Gateway, session: Session) =>
  (await withOwners(gateway, [session]))[0] as SessionView;

const ApiKey = Type.String({
  description: 'Session API key, shown only in this response',
  examples: ['zgs_…'],
});
const CreatedSession = Type.Intersect([SessionView, Type.Object({ apiKey: ApiKey })]);
const SessionList = Type.Object({ items: Type.Array(SessionView) });
const QrCode = Type.Object({
  qr: Type.String({ description: 'The QR payload (render it, or use `dataUrl`)' }),
  expiresAt: Timestamp,
  dataUrl: Type.String({
    description: 'The QR as a PNG data URL',
    examples: ['data:image/png;base64,iVBOR…'],
  }),
});
const QrQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 30,
      description: 'Seconds to wait for the first QR of a connecting session (at most 30). @default 0',
    }),
  ),
});
const tags = ['sessions'];

/** Session lifecycle: create, list, get, update, delete, connect, QR, pairing code, keys. */
export function sessionRoutes(app: ZapgateInstance, { gateway, keys }: RouteContext) {
  app.post(
    '/sessions',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createSession',
        summary: 'Create a session',
        description: 'Creates a session and returns its API key. The key is shown only here and on rotation.',
        tags,
        body: { ...NewSession, examples: [{ name: 'sales', settings: { rejectCalls: true } }] },
        response: responses({ 201: CreatedSession }, [409]),
      },
    },
    async (request, reply) => {
      const apiKey = generateSessionKey();
      const session = await gateway.sessions.create(request.body, { apiKeyHash: hashApiKey(apiKey) });
      return reply.status(201).send({ ...(await viewOf(gateway, session)), apiKey });
    },
  );

  app.get(
    '/sessions',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listSessions',
        summary: 'List sessions',
        tags,
        response: responses({ 200: SessionList }),
      },
    },
    async () => ({ items: await withOwners(gateway, await gateway.sessions.list()) }),
  );

  app.get(
    '/sessions/:sessionId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getSession',
        summary: 'Get a session',
        tags,
        params: SessionParams,
        response: responses({ 200: SessionView }, [404]),
      },
    },
    async (request) => viewOf(gateway, await gateway.sessions.get(request.params.sessionId)),
  );

  app.patch(
    '/sessions/:sessionId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'updateSession',
        summary: 'Update a session',
        description:
          'Changes the name, proxy or settings; settings are merged with the current ones. Setting or ' +
          'changing `proxyUrl` needs the admin key (`PROXY_CHANGE_FORBIDDEN` for a session key); a ' +
          'private or loopback proxy is refused (`URL_NOT_ALLOWED`) unless the host allows it.',
        tags,
        params: SessionParams,
        body: { ...SessionPatch, examples: [{ settings: { markRead: true } }] },
        response: responses({ 200: SessionView }, [404, 409]),
      },
    },
    async (request) => {
      const { sessionId } = request.params;
      // a proxy decides where the server dials: an admin decision, not a tenant's
      if (request.auth.scope !== 'admin' && request.body.proxyUrl !== undefined) {
        const current = await gateway.sessions.get(sessionId);
        if (request.body.proxyUrl !== current.proxyUrl)
          throw new GatewayError('PROXY_CHANGE_FORBIDDEN', "Setting a session's proxy needs the admin key");
      }
      return viewOf(gateway, await gateway.sessions.update(sessionId, request.body));
    },
  );

  app.delete(
    '/sessions/:sessionId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'deleteSession',
        summary: 'Delete a session',
        description:
          'Logs out and deletes the session with its data; `keepData=true` only disconnects and keeps chats, contacts and messages.',
        tags,
        params: SessionParams,
        querystring: Type.Object({ keepData: Type.Optional(Type.Boolean({ default: false })) }),
        response: responses({ 204: NoContent }, [404]),
      },
    },
    async (request, reply) => {
      await gateway.sessions.delete(request.params.sessionId, { keepData: request.query.keepData });
      keys.forget(request.params.sessionId);
      return reply.status(204).send();
    },
  );

  const lifecycle = [
    [
      'connect',
      'connectSession',
      'Connect a session',
      'Opens the WhatsApp socket: saved creds reconnect, otherwise a QR appears (status `qr`).',
    ],
    ['disconnect', 'disconnectSession', 'Disconnect a session', 'Closes the socket and keeps the pairing.'],
    [
      'logout',
      'logoutSession',
      'Log a session out',
      'Unlinks the device from the phone and wipes the pairing.',
    ],
    ['restart', 'restartSession', 'Restart a session', 'Disconnects and connects again.'],
  ] as const;
  for (const [action, operationId, summary, description] of lifecycle) {
    app.post(
      `/sessions/:sessionId/${action}`,
      {
        config: { auth: 'session' },
        schema: {
          operationId,
          summary,
          description,
          tags,
          params: SessionParams,
          response: responses({ 200: SessionView }, [404, 409, 502, 504]),
        },
      },
      async (request) => viewOf(gateway, await gateway.sessions[action](request.params.sessionId)),
    );
  }

  app.get(
    '/sessions/:sessionId/qr',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getSessionQr',
        summary: 'Get the QR code',
        description:
          'The current QR while the session is in status `qr`. With `wait`, a session that is connecting (e.g. right after `connect`) is waited on until its first QR appears, at most that many seconds. Otherwise `409 QR_NOT_AVAILABLE`, whose message says why (connected, not connecting, no QR yet).',
        tags,
        params: SessionParams,
        querystring: QrQuery,
        response: responses({ 200: QrCode }, [404, 409]),
      },
    },
    async (request, reply) => {
      const stop = new AbortController();
      reply.raw.once('close', () => stop.abort());
      const { value, expiresAt } = await gateway.sessions.qr(request.params.sessionId, {
        waitMs: (request.query.wait ?? 0) * 1000,
        signal: stop.signal,
      });
      // loaded with the first QR asked for (57 modules a boot does not need)
      const { default: QRCode } = await import('qrcode');
      return { qr: value, expiresAt, dataUrl: await QRCode.toDataURL(value, { margin: 1, width: 320 }) };
    },
  );

  app.post(
    '/sessions/:sessionId/pairing-code',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'requestPairingCode',
        summary: 'Request a pairing code',
        description:
          'Pairs by code instead of QR: enter the code on the phone under Linked devices → Link with phone number.',
        tags,
        params: SessionParams,
        body: Type.Object(
          {
            phoneNumber: Type.String({
              pattern: '^\\+?[0-9][0-9 ()-]{4,24}$',
              description: 'International format',
            }),
          },
          { examples: [{ phoneNumber: '+15550001111' }] },
        ),
        response: responses(
          { 200: Type.Object({ code: Type.String({ examples: ['ABCD-1234'] }) }) },
          [404, 409, 502, 504],
        ),
      },
    },
    async (request) => ({
      code: await gateway.sessions.pairingCode(request.params.sessionId, request.body.phoneNumber),
    }),
  );

  app.post(
    '/sessions/:sessionId/rotate-key',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'rotateSessionKey',
        summary: "Rotate a session's API key",
        description:
          'Issues a new key (shown only here); the previous key stops working at once (on the other nodes of a cluster within 5 s).',
        tags,
        params: SessionParams,
        response: responses({ 200: Type.Object({ apiKey: ApiKey }) }, [404]),
      },
    },
    async (request) => {
      const apiKey = generateSessionKey();
      await gateway.sessions.setApiKeyHash(request.params.sessionId, hashApiKey(apiKey));
      keys.forget(request.params.sessionId);
      return { apiKey };
    },
  );
}
