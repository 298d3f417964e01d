import { createHmac, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Gateway, GatewayError, movingRetryAfterSeconds } from '@zapgate/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** On every API response: the id of the node that answered (the owner, for a forwarded request). */
export const servedByHeader = 'x-zapgate-node';
/** Set on a request one node forwards to another: the sending node's id. */
export const forwardedByHeader = 'x-zapgate-forwarded-by';
/** Proves the forwarding node shares this node's admin key (an HMAC of it, never the key). */
const forwardAuthHeader = 'x-zapgate-forward-auth';

/** How long a forwarded request may take (a send waits for its media, a QR for `?wait`). */
const forwardTimeoutMs = 120_000;

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those fetch recomputes: never copied. */
const notCopied = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'expect',
]);

/** The node-to-node secret: derived from the admin key every node of one gateway shares. */
export function nodeSecret(adminKey: string): string {
  return createHmac('sha256', adminKey).update('zapgate node forwarding v1').digest('base64url');
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const bodyKey = Symbol('zapgate.rawJson');

/** Keeps the JSON text a request arrived with, so a forwarded request is byte for byte the same. */
export function keepRawJson(request: FastifyRequest, text: string): void {
  (request as unknown as Record<symbol, string>)[bodyKey] = text;
}

/**
 * Any node serves any request: a request naming a session (`:sessionId`) that another live
 * node runs is sent to that node over HTTP — same method, path, query, headers (the caller's
 * own credentials, checked again there) and body — and its answer is returned as is, so
 * statuses, error codes and headers are those of the owner. A forwarded request carries the
 * sender's id and an HMAC of the shared admin key and is never forwarded again. A session whose
 * owner died or stopped and that no node runs yet answers changes with `503 SESSION_MOVING` and
 * `Retry-After` (reads are served here, from the database). Runs before validation: the owner
 * validates, so errors are the owner's.
 */
export function forwardToOwner(api: FastifyInstance, gateway: Gateway, adminKey: string): void {
  const secret = nodeSecret(adminKey);
  const { cluster } = gateway;
  api.addHook('preValidation', async (request, reply) => {
    const sessionId = (request.params as { sessionId?: unknown } | undefined)?.sessionId;
    if (!cluster.shared || typeof sessionId !== 'string') return;
    const auth = request.headers[forwardAuthHeader];
    if (typeof auth === 'string' && sameSecret(auth, secret)) return; // forwarded here: ours to answer
    const owner = await cluster.owner(sessionId);
    if (owner?.nodeId === cluster.nodeId) return;
    if (!owner?.live) {
      if (request.method === 'GET' || !(await betweenNodes(gateway, sessionId, owner !== null))) return;
      throw moving(sessionId);
    }
    if (!owner.url) {
      throw new GatewayError(
        'SESSION_OWNED_ELSEWHERE',
        `Session ${sessionId} runs on node ${owner.nodeId}, which accepts no forwarded requests (no ZAPGATE_NODE_URL)`,
        { details: { nodeId: owner.nodeId } },
      );
    }
    return forward(request, reply, `${owner.url.replace(/\/+$/, '')}${request.url}`, {
      [forwardedByHeader]: cluster.nodeId,
      [forwardAuthHeader]: secret,
    }).catch((error: unknown) => {
      if (error instanceof GatewayError) throw error;
      // the owner went away between the lookup and the request: it is moving
      request.log.warn({ err: error, sessionId, owner: owner.nodeId }, 'forwarding to the owner node failed');
      throw moving(sessionId);
    });
  });
}

/** Freed or expired lease of a session that should run: it is on its way to another node. */
async function betweenNodes(gateway: Gateway, sessionId: string, expired: boolean): Promise<boolean> {
  if (expired) return true;
  const session = await gateway.store.sessions.get(sessionId);
  return session?.status === 'connected' || session?.status === 'connecting';
}

function moving(sessionId: string): GatewayError {
  return new GatewayError(
    'SESSION_MOVING',
    `Session ${sessionId} is moving to another node; retry in ${movingRetryAfterSeconds} s`,
    { retryAfterSeconds: movingRetryAfterSeconds },
  );
}

async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  url: string,
  extra: Record<string, string>,
): Promise<FastifyReply> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || notCopied.has(name)) continue;
    for (const one of [value].flat()) headers.append(name, one);
  }
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  const raw = (request as unknown as Record<symbol, string | undefined>)[bodyKey];
  // JSON was read already (kept as text); a multipart upload is still unread: stream it on
  const body =
    raw !== undefined
      ? raw
      : request.isMultipart()
        ? (Readable.toWeb(request.raw) as ReadableStream)
        : undefined;
  const response = await fetch(url, {
    method: request.method,
    headers,
    ...(body === undefined ? {} : { body, duplex: 'half' }),
    redirect: 'manual',
    signal: AbortSignal.timeout(forwardTimeoutMs),
  } as RequestInit);
  reply.code(response.status);
  for (const [name, value] of response.headers) {
    if (!notCopied.has(name) && name !== 'content-encoding' && name !== 'date') reply.header(name, value);
  }
  return reply.send(response.body ? Readable.fromWeb(response.body as never) : null);
}
