import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { contactRoutes } from './api/contacts.js';
import type { ApiContext } from './api/context.js';
import { conversationRoutes } from './api/conversations.js';
import { inboxRoutes } from './api/inboxes.js';
import { type MultipartBody, messageRoutes } from './api/messages.js';
import type { Faults } from './faults.js';
import type { CheckedRequest, SpecValidator } from './spec/validator.js';

/** One API request the fake answered. */
export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string | null;
  status: number;
}

/** A request that did not match Chatwoot's OpenAPI document (answered 400, or 404 when undocumented; never processed). */
export interface Violation {
  method: string;
  path: string;
  operationId: string | null;
  problems: string[];
}

export interface ServerParts {
  ctx: ApiContext;
  validator: SpecValidator;
  faults: Faults;
  token: () => string;
  requests: RecordedRequest[];
  violations: Violation[];
}

declare module 'fastify' {
  interface FastifyRequest {
    operationId: string | null;
  }
}

async function readMultipart(request: FastifyRequest): Promise<MultipartBody> {
  const body: MultipartBody = { multipart: true, fields: {}, files: {} };
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const list = body.files[part.fieldname] ?? [];
      body.files[part.fieldname] = list;
      list.push({ fileName: part.filename, contentType: part.mimetype, data: await part.toBuffer() });
    } else body.fields[part.fieldname] = String(part.value);
  }
  return body;
}

function toChecked(request: FastifyRequest): CheckedRequest {
  const url = new URL(request.url, 'http://fake');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const checked: CheckedRequest = { method: request.method, path: url.pathname, query };
  const body = request.body as MultipartBody | string | undefined;
  if (body !== undefined && body !== null) {
    checked.contentType = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    checked.body =
      typeof body === 'object' && 'multipart' in body
        ? {
            ...body.fields,
            ...Object.fromEntries(
              Object.entries(body.files).map(([k, files]) => [k, files.map((f) => f.fileName)]),
            ),
          }
        : body;
  }
  return checked;
}

/** The fake's HTTP server: outages and auth first, then validation against the document, then the routes. */
export async function buildServer(parts: ServerParts): Promise<FastifyInstance> {
  const { ctx, validator, faults } = parts;
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true }, bodyLimit: 64 * 1024 * 1024 });
  await app.register(multipart, { limits: { fileSize: 64 * 1024 * 1024, files: 20 } });
  app.decorateRequest('operationId', null);
  const prefix = `/api/v1/accounts/:accountId`;
  const isApi = (request: FastifyRequest) => request.url.startsWith('/api/');

  app.addHook('onRequest', async (request, reply) => {
    if (!isApi(request)) return;
    const hold = faults.takeDelay();
    if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
    const outage = faults.takeOutage();
    if (outage) {
      if (outage.retryAfter !== undefined) reply.header('retry-after', String(outage.retryAfter));
      return reply.code(outage.status).send({ error: 'Service Unavailable' });
    }
    if (request.headers.api_access_token !== parts.token()) {
      return reply.code(401).send({ error: 'Invalid Access Token' });
    }
  });

  app.addHook('preValidation', async (request) => {
    if (request.isMultipart()) request.body = await readMultipart(request);
  });

  app.addHook('preHandler', async (request, reply) => {
    if (!isApi(request)) return;
    const { operationId, problems } = validator.check(toChecked(request));
    request.operationId = operationId;
    const accountId = (request.params as { accountId?: string }).accountId;
    if (problems.length > 0) {
      parts.violations.push({ method: request.method, path: request.url, operationId, problems });
      const status = operationId ? 400 : 404;
      return reply
        .code(status)
        .send({ error: "request does not match Chatwoot's OpenAPI document", problems });
    }
    if (accountId !== undefined && Number(accountId) !== ctx.state.accountId) {
      return reply.code(401).send({ error: 'You are not authorized to access this account' });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!isApi(request)) return;
    const path = request.url.split('?')[0]!;
    parts.requests.push({
      method: request.method,
      path,
      operationId: request.operationId,
      status: reply.statusCode,
    });
  });

  // Reached only by documented requests (the preHandler answers the others).
  app.setNotFoundHandler(async (request, reply) => {
    if (isApi(request)) {
      const problems = [`${request.method} ${request.url} is documented but not served by the fake`];
      parts.violations.push({
        method: request.method,
        path: request.url,
        operationId: request.operationId,
        problems,
      });
    }
    return reply.code(404).send({ error: 'Resource could not be found' });
  });

  inboxRoutes(app, ctx, prefix);
  contactRoutes(app, ctx, prefix);
  conversationRoutes(app, ctx, prefix);
  messageRoutes(app, ctx, prefix);

  app.get<{ Params: { id: string; name: string } }>(
    '/rails/active_storage/blobs/:id/:name',
    async (request, reply) => {
      const file = ctx.state.attachments.get(request.url.split('?')[0]!);
      if (!file || faults.takeAttachmentMiss()) return reply.code(404).send({ error: 'Not Found' });
      return reply.type(file.contentType).send(file.data);
    },
  );

  return app;
}
