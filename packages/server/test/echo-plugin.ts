import { Type } from '@sinclair/typebox';
import { definePlugin, defineRoute } from '@zapgate/core';

/** A tiny plugin with one route per auth scope, for mounting and auth tests. */
export const echoPlugin = () =>
  definePlugin({
    id: 'echo',
    version: '1.0.0',
    eventSchemas: { 'echo.pinged': Type.Object({ note: Type.String() }) },
    routes: [
      defineRoute({
        method: 'GET',
        path: '/sessions/:sessionId/echo',
        operationId: 'getEcho',
        summary: 'Echo the caller',
        auth: 'session',
        schema: {
          params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }),
          querystring: Type.Object({ times: Type.Integer({ minimum: 1, maximum: 3, default: 1 }) }),
          response: {
            200: Type.Object({ sessionId: Type.String(), times: Type.Integer(), auth: Type.String() }),
          },
        },
        handler: async (request) => ({
          body: { sessionId: request.params.sessionId, times: request.query.times, auth: request.auth.scope },
        }),
      }),
      defineRoute({
        method: 'POST',
        path: '/echo/admin',
        operationId: 'postEchoAdmin',
        summary: 'Admin echo',
        auth: 'admin',
        schema: {
          body: Type.Object({ note: Type.String({ minLength: 1 }) }),
          response: { 201: Type.Object({ note: Type.String() }) },
        },
        handler: async (request) => ({
          status: 201,
          body: { note: request.body.note },
          headers: { 'x-echo': 'yes' },
        }),
      }),
      defineRoute({
        method: 'GET',
        path: '/echo/public',
        operationId: 'getEchoPublic',
        summary: 'Public echo',
        auth: 'public',
        schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } },
        handler: async () => ({ body: { ok: true } }),
      }),
    ],
  });
